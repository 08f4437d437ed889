"""What the publishing and lifecycle endpoints accept and answer, and the jobs list."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator
from pydantic.json_schema import JsonDict, WithJsonSchema
from pydantic_core import PydanticCustomError

from services.api.schemas.common import (
    ALL_PLATFORMS,
    MAX_CHOICES,
    MAX_DESCRIPTION,
    MAX_ID,
    FutureUtcDatetime,
    HttpUrl,
    LaxMode,
    Page,
    PlatformChoice,
    PlatformName,
    Strict,
    Text,
)
from services.api.schemas.questions import ScreeningQuestions
from shared.locations import MAX_JOB_LOCATIONS
from shared.platforms import PLATFORM_NAMES, adapter_class
from shared.platforms.base import EmploymentType, WorkplaceType
from shared.platforms.fields import block_schema

# Lax: an enum's member comes as its text (a `Strict` body would take only the member itself).
EmploymentTypeIn = Annotated[EmploymentType, LaxMode]
WorkplaceTypeIn = Annotated[WorkplaceType, LaxMode]


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


BOARD_FIELDS_HELP = (
    "Each platform's own fields, keyed by platform: what each takes (types, required, code lists) is "
    "answered by GET /jobs/publishing/platforms/fields/. A platform published to must have its required ones."
)


def _board_fields_schema(block_may_be_null: bool) -> JsonDict:
    """Each platform's block as its adapter declares it (shared/platforms/fields.py block_schema)."""
    blocks: dict[str, Any] = {}
    for platform in ALL_PLATFORMS:
        block = block_schema(adapter_class(platform).board_fields)
        blocks[platform] = {"anyOf": [block, {"type": "null"}]} if block_may_be_null else block
    return {"type": "object", "properties": blocks, "additionalProperties": False}


# Checked against the adapters' declarations at request time (services/api/board_checks.py), so
# a problem is a 422 naming the platform and the field; the document states the same rules.
BoardFieldsIn = Annotated[
    dict[PlatformName, dict[str, Any]],
    Field(max_length=len(ALL_PLATFORMS)),
    WithJsonSchema(_board_fields_schema(block_may_be_null=False)),
]
BoardFieldsPatch = Annotated[
    dict[PlatformName, dict[str, Any] | None],
    Field(max_length=len(ALL_PLATFORMS)),
    WithJsonSchema(_board_fields_schema(block_may_be_null=True)),
]
Location = Annotated[Text, StringConstraints(max_length=200)]
LOCATIONS_DESCRIPTION = (
    "Several places, the main one first (instead of `location`). Each platform takes them as it"
    " can: LinkedIn up to 6 in one posting (the rest become further postings), Naukri up to 9"
    " (more is a 422), Indeed and the feed one per posting."
)


def _distinct_locations(locations: list[str] | None) -> list[str] | None:
    """The same place twice would be two identical postings on the platforms that split."""
    if locations is not None:
        seen: set[str] = set()
        for index, place in enumerate(locations):
            if place.casefold() in seen:
                raise PydanticCustomError(
                    "duplicate_location", "names {place!r} twice (item {index})", {"place": place, "index": index}
                )
            seen.add(place.casefold())
    return locations


Locations = Annotated[
    list[Location], Field(min_length=1, max_length=MAX_JOB_LOCATIONS), AfterValidator(_distinct_locations)
]

# Every platform has a minimum; the shortest of them is a rule of every job, so the document says
# it. A platform's own (LinkedIn's 100) depends on where the job goes: board_checks answers that,
# naming the platform, and its sentence is the one a person reads for the shortest one too.
MIN_DESCRIPTION = min(adapter_class(name).min_description for name in PLATFORM_NAMES)
Description = Annotated[
    Text, StringConstraints(max_length=MAX_DESCRIPTION), Field(json_schema_extra={"minLength": MIN_DESCRIPTION})
]


def _not_null(value: Any) -> Any:
    """For a field that may be left out but not sent as null (the document leaves null out of it)."""
    if value is None:  # validators run on values sent, never on a default
        raise PydanticCustomError("not_null", "may be left out, but not null")
    return value


class JobIn(Strict):
    model_config = ConfigDict(json_schema_extra={"oneOf": [{"required": ["location"]}, {"required": ["locations"]}]})

    title: Annotated[Text, StringConstraints(max_length=150)]
    description: Description
    location: Location | None = Field(
        None, examples=["Bengaluru, India"], description="The job's one place; or give `locations`."
    )
    locations: Locations | None = Field(None, description=LOCATIONS_DESCRIPTION)
    employment_type: EmploymentTypeIn = EmploymentType.FULL_TIME
    workplace_type: WorkplaceTypeIn = WorkplaceType.ON_SITE
    apply_url: HttpUrl
    company: Annotated[Text, StringConstraints(max_length=200)]
    salary: SalaryIn | None = None
    skills: list[Annotated[Text, StringConstraints(max_length=100)]] = Field(default_factory=list, max_length=50)
    expires_at: FutureUtcDatetime | None = Field(None, description="ISO 8601 with a time zone; must be in the future.")
    board_fields: BoardFieldsIn = Field(default_factory=dict, description=BOARD_FIELDS_HELP)
    screening_questions: ScreeningQuestions = Field(
        default_factory=list,
        description="Asked where the board takes questions (LinkedIn Apply Connect, Indeed Apply); see docs/api.md.",
    )

    never_null = frozenset({"location", "locations"})
    _where_not_null = field_validator("location", "locations")(_not_null)

    @model_validator(mode="after")
    def _one_way_to_say_where(self) -> JobIn:
        if (self.location is None) == (self.locations is None):
            raise ValueError("give location (one place) or locations (several), not both or neither")
        return self

    @property
    def all_locations(self) -> list[str]:
        return list(self.locations) if self.locations else [self.location or ""]


PUBLISH_EXAMPLE: JsonDict = {
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
        "board_fields": {
            "linkedin": {
                "categories": ["eng", "it"],
                "industries": ["urn:li:industry:4"],
                "experience_level": "ASSOCIATE",
            },
            "naukri": {
                "experience_years": {"min": 2, "max": 5},
                "ctc_lakhs": {"min": 24, "max": 36},
                "industry": "software_product",
                "functional_area": "engineering_software",
                "role": "Back End Developer",
                "education_ug": "any_graduate",
            },
        },
        "screening_questions": [
            {
                "id": "work-permit",
                "text": "Are you allowed to work in India?",
                "type": "yes_no",
                "required": True,
                "knockout": {"accepted": ["yes"]},
            },
            {"text": "Years of Python experience?", "type": "numeric", "knockout": {"minimum": 2}},
        ],
    },
    "platforms": ["both"],
}


class PublishRequest(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [PUBLISH_EXAMPLE, {"job_id": 42, "platforms": ["naukri"]}],
            "oneOf": [{"required": ["job"]}, {"required": ["job_id"]}],
        }
    )

    job: JobIn | None = Field(None, description="The job to publish; or give job_id of a job already stored.")
    job_id: int | None = Field(None, ge=1, le=MAX_ID)
    platforms: list[PlatformChoice] = Field(min_length=1, max_length=MAX_CHOICES)

    never_null = frozenset({"job", "job_id"})
    _job_not_null = field_validator("job", "job_id")(_not_null)

    @model_validator(mode="after")
    def _one_job(self) -> PublishRequest:
        if (self.job is None) == (self.job_id is None):
            raise ValueError("give either job (a new job) or job_id (a stored one), not both or neither")
        return self


REQUIRED_IN_A_JOB = (
    "title",
    "description",
    "location",
    "locations",
    "employment_type",
    "workplace_type",
    "apply_url",
    "company",
)


class JobPatch(Strict):
    """Some of a job's fields; the others stay. Each is checked as in a publish."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"title": "Senior Backend Engineer"}],
            "minProperties": 1,
            "not": {"required": ["location", "locations"]},
        }
    )

    # Required in a job, so they may be changed but not removed: the document leaves null out of them.
    never_null = frozenset(REQUIRED_IN_A_JOB)
    title: Annotated[Text, StringConstraints(max_length=150)] | None = None
    description: Description | None = None
    location: Location | None = None
    locations: Locations | None = Field(None, description="Replaces every location; postings follow (see docs/api.md).")
    employment_type: EmploymentTypeIn | None = None
    workplace_type: WorkplaceTypeIn | None = None
    apply_url: HttpUrl | None = None
    company: Annotated[Text, StringConstraints(max_length=200)] | None = None
    salary: SalaryIn | None = None
    skills: list[Annotated[Text, StringConstraints(max_length=100)]] | None = Field(None, max_length=50)
    expires_at: FutureUtcDatetime | None = None
    board_fields: BoardFieldsPatch | None = Field(
        None, description="The platforms named get this block in place of their stored one; null removes it."
    )
    screening_questions: ScreeningQuestions | None = Field(
        None, description="The whole list, replacing the old one; a question keeps its id (give it, or the same text)."
    )

    @field_validator(*REQUIRED_IN_A_JOB)
    @classmethod
    def _required_stays(cls, value: Any) -> Any:
        if value is None:  # only a value sent as null gets here; salary, skills and expires_at may be removed
            raise PydanticCustomError("required", "is required and cannot be removed")
        return value

    @model_validator(mode="after")
    def _something(self) -> JobPatch:
        if not self.model_fields_set:
            raise ValueError("give at least one field to change")
        if {"location", "locations"} <= self.model_fields_set:
            raise ValueError("give location (one place) or locations (several), not both")
        return self

    @property
    def new_locations(self) -> list[str] | None:
        """Every location the job will have, when the patch changes them."""
        if self.locations is not None:
            return list(self.locations)
        return [self.location] if self.location is not None else None


class LifecycleRequest(Strict):
    platforms: list[PlatformChoice] | None = Field(
        None, min_length=1, max_length=MAX_CHOICES, description="Default: every platform of the job."
    )


class RepostRequest(Strict):
    platforms: list[PlatformChoice] | None = Field(
        None,
        min_length=1,
        max_length=MAX_CHOICES,
        description="Default: every platform where the job's posting is closed.",
    )


class RetryRequest(Strict):
    platforms: list[PlatformChoice] | None = Field(None, description="Default: every failed platform.")


class PostingStatusOut(BaseModel):
    platform: PlatformName
    part: int = Field(
        1, description="Which of the job's postings on this platform (a job in more places than it takes has several)."
    )
    locations: list[str] = Field(description="The locations this posting carries, the main one first.")
    status: Literal["pending", "publishing", "published", "failed", "closed"]
    operation: Literal["update", "close", "renew"] | None = Field(
        None, description="The latest update, close or renew asked for on this platform."
    )
    operation_status: Literal["pending", "running", "succeeded", "failed"] | None = Field(
        None, description="How that operation stands; `last_error` says why it failed."
    )
    external_id: str = Field(
        description="Our reference of the posting on the platform (LinkedIn's externalJobPostingId)."
    )
    platform_job_id: str | None
    url: str | None
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    requested_at: datetime
    published_at: datetime | None
    updated_at: datetime
    applications_received: int = Field(
        0, description="Applications stored from this platform for the job (pushed, pulled or imported)."
    )


class JobPublishingOut(BaseModel):
    job_id: int
    title: str
    platforms: dict[str, PostingStatusOut] = Field(
        description="Each platform's first posting (part 1); `postings` lists every one."
    )
    postings: list[PostingStatusOut] = Field(
        default_factory=list, description="One entry per posting, by platform and part, with its locations."
    )


class JobOperationOut(JobPublishingOut):
    skipped: dict[str, str] = Field(
        default_factory=dict, description="Platforms of the job the request did not act on, and why."
    )


class JobListItemOut(JobPublishingOut):
    company: str
    location: str
    board_fields: dict[str, dict[str, Any]] = Field(description="Each platform's own fields, as stored.")
    locations: list[str]
    created_at: datetime


class JobPageOut(Page[JobListItemOut]):
    pass
