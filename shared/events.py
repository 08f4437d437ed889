"""Domain events: small, immutable, past-tense records of what happened.

Each one becomes a `publishing_log` row (see shared.outbox). `EVENT_TYPES` maps the stored
`event_type` back to its model, so operators' tools can read the log as typed events.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field


def _now() -> datetime:
    return datetime.now(UTC)


class Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UUID = Field(default_factory=uuid4)
    occurred_at: datetime = Field(default_factory=_now)
    organization_id: int


class PostingEvent(Event):
    """Something that happened to one job on one platform."""

    job_id: int
    posting_id: int
    platform: str


class JobPublishRequested(PostingEvent):
    """Someone (or recovery) asked for the job to be published on the platform."""

    reason: Literal["publish", "retry", "recovered"] = "publish"


class JobPublishRetryScheduled(PostingEvent):
    """An attempt failed for a passing reason; the next one is due at `retry_at`."""

    attempt: int
    error: str
    retry_at: datetime


class JobPublished(PostingEvent):
    attempt: int
    platform_job_id: str
    url: str | None


class JobPublishFailed(PostingEvent):
    """The platform refused the job for good, or every attempt was used up."""

    attempt: int
    error: str
    permanent: bool


EVENT_TYPES: dict[str, type[Event]] = {
    cls.__name__: cls for cls in (JobPublishRequested, JobPublishRetryScheduled, JobPublished, JobPublishFailed)
}
