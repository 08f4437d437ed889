"""What the publishing endpoints accept and answer.

Request models forbid unknown fields, so a body cannot set what the server owns
(organization, status, ids): such a field is a 422 that names it. What PostgreSQL cannot hold
is refused here too, as a 422 naming the field, rather than failing in the database: an id
beyond BIGINT, text with a NUL character, a date-time without a time zone or beyond year 9999.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import Path, Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr, StringConstraints, field_validator, model_validator
from pydantic_core import PydanticCustomError

from shared.platforms.base import EmploymentType, WorkplaceType

PlatformName = Literal["linkedin", "naukri"]
PlatformChoice = Literal["linkedin", "naukri", "both"]
ALL_PLATFORMS: tuple[PlatformName, ...] = ("linkedin", "naukri")

# The shortest description each platform accepts (LinkedIn documents 100; Naukri's is our API's).
MIN_DESCRIPTION = {"linkedin": 100, "naukri": 50}
MAX_DESCRIPTION = 25_000

# Every id column is a PostgreSQL BIGINT; a larger id names nothing, and PostgreSQL would refuse to compare it.
MAX_ID = 2**63 - 1
IdInPath = Annotated[int, Path(ge=1, le=MAX_ID)]
IdInQuery = Annotated[int, Query(ge=1, le=MAX_ID)]


# PostgreSQL text cannot hold U+0000, so the INSERT (or even a lookup) would fail.
NUL_PROBLEM = "must not contain the NUL character (\\u0000)"


def _no_nul(value: Any) -> Any:
    text = value.get_secret_value() if isinstance(value, SecretStr) else value
    if isinstance(text, str) and "\x00" in text:
        raise PydanticCustomError("nul_character", NUL_PROBLEM)
    return value


# For strings that are not fields of a `Strict` body (query parameters, headers): Annotated[str, Query(), NoNul].
NoNul = AfterValidator(_no_nul)


def _utc_convertible(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise PydanticCustomError("timezone_required", "needs a time zone, e.g. 2027-01-31T00:00:00Z")
    try:
        value.astimezone(UTC)  # how it is stored and compared
    except OverflowError:
        raise PydanticCustomError("datetime_out_of_range", "is beyond 0001-01-01 … 9999-12-31 once converted to UTC") from None
    return value


UtcDatetime = Annotated[datetime, AfterValidator(_utc_convertible)]

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

    @field_validator("*")
    @classmethod
    def _no_nul_characters(cls, value: Any) -> Any:
        for item in value if isinstance(value, list) else [value]:
            _no_nul(item)
        return value


class SalaryIn(Strict):
    # allow_inf_nan=False: JSON's 1e999 parses as infinity, which a JSONB column cannot hold.
    minimum: float = Field(ge=0, allow_inf_nan=False)
    maximum: float = Field(ge=0, allow_inf_nan=False)
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
    expires_at: UtcDatetime | None = Field(None, description="ISO 8601 with a time zone; must be in the future.")


PUBLISH_EXAMPLE = {
    "job": {
        "title": "Backend Engineer",
        "description": "Build and run the services that publish our clients' job postings to LinkedIn and Naukri. "
        "Python, PostgreSQL and Redis; on call one week in six.",
        "location": "Bengaluru, India",
        "employment_type": "full_time",
        "workplace_type": "hybrid",
        "apply_url": "https://careers.example.com/jobs/backend-engineer",
        "company": "Example Corp",
        "salary": {"minimum": 2_400_000, "maximum": 3_600_000, "currency": "INR", "period": "yearly"},
        "skills": ["Python", "PostgreSQL"],
        "expires_at": "2030-01-31T00:00:00Z",
    },
    "platforms": ["both"],
}


class PublishRequest(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [PUBLISH_EXAMPLE, {"job_id": 42, "platforms": ["naukri"]}]})

    job: JobIn | None = Field(None, description="The job to publish; or give job_id of a job already stored.")
    job_id: int | None = Field(None, ge=1, le=MAX_ID)
    platforms: list[PlatformChoice] = Field(min_length=1, max_length=3)

    @model_validator(mode="after")
    def _one_job(self) -> PublishRequest:
        if (self.job is None) == (self.job_id is None):
            raise ValueError("give either job (a new job) or job_id (a stored one), not both or neither")
        return self

    def chosen_platforms(self) -> list[PlatformName]:
        return expand_platforms(self.platforms)


class JobPatch(Strict):
    """Some of a job's fields; the others stay. Each is checked as in a publish."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"title": "Senior Backend Engineer"}]})

    title: Annotated[Text, StringConstraints(max_length=150)] | None = None
    description: Annotated[Text, StringConstraints(max_length=MAX_DESCRIPTION)] | None = None
    location: Annotated[Text, StringConstraints(max_length=200)] | None = None
    employment_type: EmploymentType | None = None
    workplace_type: WorkplaceType | None = None
    apply_url: HttpUrl | None = None
    company: Annotated[Text, StringConstraints(max_length=200)] | None = None
    salary: SalaryIn | None = None
    skills: list[Annotated[Text, StringConstraints(max_length=100)]] | None = Field(None, max_length=50)
    expires_at: UtcDatetime | None = None

    @field_validator("title", "description", "location", "employment_type", "workplace_type", "apply_url", "company")
    @classmethod
    def _required_stays(cls, value: Any) -> Any:
        if value is None:  # only a value sent as null gets here; salary, skills and expires_at may be removed
            raise PydanticCustomError("required", "is required and cannot be removed")
        return value

    @model_validator(mode="after")
    def _something(self) -> JobPatch:
        if not self.model_fields_set:
            raise ValueError("give at least one field to change")
        return self


class LifecycleRequest(Strict):
    platforms: list[PlatformChoice] | None = Field(None, min_length=1, max_length=3, description="Default: every platform of the job.")


class RetryRequest(Strict):
    platforms: list[PlatformChoice] | None = Field(None, description="Default: every failed platform.")


def expand_platforms(choices: list[str]) -> list[PlatformName]:
    wanted = set(ALL_PLATFORMS) if "both" in choices else set(choices)
    return [name for name in ALL_PLATFORMS if name in wanted]


class PostingStatusOut(BaseModel):
    platform: PlatformName
    status: Literal["pending", "publishing", "published", "failed", "closed"]
    operation: Literal["update", "close", "renew"] | None = Field(
        None, description="The latest update, close or renew asked for on this platform."
    )
    operation_status: Literal["pending", "running", "succeeded", "failed"] | None = Field(
        None, description="How that operation stands; `last_error` says why it failed."
    )
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


class JobOperationOut(JobPublishingOut):
    skipped: dict[str, str] = Field(
        default_factory=dict, description="Platforms of the job the request did not act on, and why."
    )
