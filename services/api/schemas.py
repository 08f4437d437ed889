"""What the publishing endpoints accept and answer.

Request models forbid unknown fields, so a body cannot set what the server owns
(organization, status, ids): such a field is a 422 that names it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from shared.platforms.base import EmploymentType, WorkplaceType

PlatformName = Literal["linkedin", "naukri"]
PlatformChoice = Literal["linkedin", "naukri", "both"]
ALL_PLATFORMS: tuple[PlatformName, ...] = ("linkedin", "naukri")

# The shortest description each platform accepts (LinkedIn documents 100; Naukri's is our API's).
MIN_DESCRIPTION = {"linkedin": 100, "naukri": 50}
MAX_DESCRIPTION = 25_000

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _http_url(value: str) -> str:
    # Passed on to the platforms, never fetched by us: well-formed http(s) is all we check.
    scheme, _, rest = value.partition("://")
    if scheme.lower() not in ("http", "https") or not rest or rest.startswith("/") or " " in value:
        raise ValueError("must be an http:// or https:// URL")
    return value


HttpUrl = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), AfterValidator(_http_url)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SalaryIn(Strict):
    minimum: float = Field(ge=0)
    maximum: float = Field(ge=0)
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = Field(description="ISO 4217, e.g. INR")
    period: Literal["yearly", "monthly", "hourly"] = "yearly"

    @model_validator(mode="after")
    def _ordered(self) -> SalaryIn:
        if self.maximum < self.minimum:
            raise ValueError("maximum must not be below minimum")
        return self


class JobIn(Strict):
    title: Annotated[Text, StringConstraints(max_length=150)]
    description: Annotated[Text, StringConstraints(max_length=MAX_DESCRIPTION)]
    location: Annotated[Text, StringConstraints(max_length=200)] = Field(examples=["Bengaluru, India"])
    employment_type: EmploymentType = EmploymentType.FULL_TIME
    workplace_type: WorkplaceType = WorkplaceType.ON_SITE
    apply_url: HttpUrl
    company: Annotated[Text, StringConstraints(max_length=200)]
    salary: SalaryIn | None = None
    skills: list[Annotated[Text, StringConstraints(max_length=100)]] = Field(default_factory=list, max_length=50)
    expires_at: datetime | None = Field(None, description="ISO 8601 with a time zone; must be in the future.")

    @model_validator(mode="after")
    def _expiry(self) -> JobIn:
        if self.expires_at is not None and self.expires_at.tzinfo is None:
            raise ValueError("expires_at needs a time zone, e.g. 2027-01-31T00:00:00Z")
        return self


class PublishRequest(Strict):
    job: JobIn | None = Field(None, description="The job to publish; or give job_id of a job already stored.")
    job_id: int | None = Field(None, ge=1)
    platforms: list[PlatformChoice] = Field(min_length=1, max_length=3)

    @model_validator(mode="after")
    def _one_job(self) -> PublishRequest:
        if (self.job is None) == (self.job_id is None):
            raise ValueError("give either job (a new job) or job_id (a stored one), not both or neither")
        return self

    def chosen_platforms(self) -> list[PlatformName]:
        return expand_platforms(self.platforms)


class RetryRequest(Strict):
    platforms: list[PlatformChoice] | None = Field(None, description="Default: every failed platform.")


def expand_platforms(choices: list[str]) -> list[PlatformName]:
    wanted = set(ALL_PLATFORMS) if "both" in choices else set(choices)
    return [name for name in ALL_PLATFORMS if name in wanted]


class PostingStatusOut(BaseModel):
    platform: PlatformName
    status: Literal["pending", "publishing", "published", "failed", "closed"]
    external_id: str = Field(description="Our reference of the posting on the platform (LinkedIn's externalJobPostingId).")
    platform_job_id: str | None
    url: str | None
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    requested_at: datetime
    published_at: datetime | None
    updated_at: datetime


class JobPublishingOut(BaseModel):
    job_id: int
    title: str
    platforms: dict[str, PostingStatusOut]
