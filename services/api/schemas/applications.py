"""What the applications and sync endpoints accept and answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from services.api.schemas.common import MAX_ID, Page, PlatformName, Strict, UtcDatetime
from shared.application_status import STATUSES
from shared.models import ApplicationStatusUpdate

MAX_PAGE_SIZE = 200
# An ATS clock a little ahead of ours is not an error; a status from further in the future is.
CLOCK_SKEW = timedelta(minutes=5)

if TYPE_CHECKING:
    ApplicationStatus = str
else:
    ApplicationStatus = Literal[STATUSES]
ForwardState = Literal["pending", "sent", "failed", "not_supported"]


def _not_in_future(value: datetime | None) -> datetime | None:
    if value is not None and value > datetime.now(UTC) + CLOCK_SKEW:
        raise PydanticCustomError("datetime_not_future", "must not be in the future (when the status happened)")
    return value


class StatusUpdateIn(Strict):
    status: ApplicationStatus = Field(description="What happened to the application in your ATS.")
    at: Annotated[UtcDatetime | None, AfterValidator(_not_in_future)] = Field(
        None, description="When it happened (ISO 8601 with a zone); default: now."
    )


class StatusUpdateOut(BaseModel):
    id: int
    application_id: int
    status: ApplicationStatus
    at: datetime
    recorded_at: datetime
    forwarded: dict[str, ForwardState] = Field(
        description="Per board: pending (queued or being sent), sent, failed, "
        "or not_supported (the board takes no status)."
    )
    attempts: int
    error: str | None = Field(description="The last attempt's error, or why the status is not forwarded.")

    @classmethod
    def of(cls, update: ApplicationStatusUpdate) -> StatusUpdateOut:
        state = "pending" if update.forward_state == "sending" else update.forward_state
        return cls(
            id=update.id,
            application_id=update.application_id,
            status=update.status,
            at=update.occurred_at,
            recorded_at=update.recorded_at,
            forwarded={update.platform: state},
            attempts=update.attempts,
            error=update.last_error,
        )


class ApplicationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    job_id: int
    platform: PlatformName
    source: str = Field(description='Where it came from: "LinkedIn apply", "Naukri" or "Naukri CSV".')
    external_application_id: str
    candidate_name: str
    candidate_email: str | None
    candidate_phone: str | None
    resume_url: str | None = Field(description="The platform's link; jobpub stores it and never fetches it.")
    cover_letter: str | None
    answers: dict | list | None = Field(
        description="Where the job asked screening questions (LinkedIn, Indeed): keyed by our question id, each "
        '{"question": <text>, "type": <type>, "answer": <yes/no, the choice text(s), a number or text>}.'
    )
    knocked_out: bool = Field(description="Failed a knock-out screening question; stored anyway, never dropped.")
    knocked_out_by: list[str] | None = Field(description="Our ids of the knock-out questions it failed.")
    applied_at: datetime
    received_at: datetime
    status_updates: list[StatusUpdateOut] = Field(
        default_factory=list, description="What your ATS said happened to it, oldest first, and its forwarding."
    )


class ApplicationPageOut(Page[ApplicationOut]):
    pass


class SyncRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    platform: PlatformName | None = Field(None, description="Default: every connected platform.")
    job_id: int | None = Field(None, ge=1, le=MAX_ID, description="Only this job's applications (read from the start).")


class SyncOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    platform: PlatformName
    job_id: int | None
    trigger: Literal["schedule", "api", "cli"]
    status: Literal["pending", "running", "succeeded", "failed"]
    fetched: int
    new: int
    duplicates: int
    unmatched: int
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class SyncsOut(Page[SyncOut]):
    """The pulls a request queued (or found under way), one per platform; `next_cursor` is always null."""
