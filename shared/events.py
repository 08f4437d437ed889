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


class PreviousPosting(BaseModel):
    """A closed posting a repost replaced: our id for it on the platform, and the platform's own id and link."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    external_id: str
    platform_job_id: str | None
    url: str | None


PublishReason = Literal["publish", "retry", "recovered", "replay", "repost"]


class JobPublishRequested(PostingEvent):
    """Someone (or recovery) asked for the job to be published on the platform.

    A repost (reason "repost") publishes a closed posting anew under a new external id;
    `repost_of` keeps the closed one's ids and link.
    """

    reason: PublishReason = "publish"
    repost_of: PreviousPosting | None = None


class JobPublishReplayed(PostingEvent):
    """An operator published a failed posting again; who, and why."""

    by: str
    why: str
    failed_with: str | None


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


OperationName = Literal["update", "close", "renew"]


class JobOperationRequested(PostingEvent):
    """An update, close or renew of a live posting was asked for (or is due again, `reason`)."""

    operation: OperationName
    reason: Literal["request", "published", "recovered", "replay"] = "request"


class JobOperationRetryScheduled(PostingEvent):
    """An operation's attempt failed for a passing reason (or its task is still settling)."""

    operation: OperationName
    attempt: int
    error: str
    retry_at: datetime


class JobOperationFailed(PostingEvent):
    """The platform refused the operation for good, or every attempt was used up; the posting stays as it was."""

    operation: OperationName
    attempt: int
    error: str
    permanent: bool


class JobOperationReplayed(PostingEvent):
    """An operator asked for a failed operation again; who, and why."""

    operation: OperationName
    by: str
    why: str
    failed_with: str | None


class JobUpdated(PostingEvent):
    """The platform shows the job's current fields."""

    attempt: int


class JobRenewed(PostingEvent):
    attempt: int


class JobClosed(PostingEvent):
    """The posting is closed; attempt 0: closed here, nothing was live on the platform to close."""

    attempt: int


class JobClosedByPlatform(PostingEvent):
    """The platform stopped listing the posting on its own (expired, or closed by the platform)."""

    listing_status: str


class SyncEvent(Event):
    """Something that happened to one pull of applications (a `sync_runs` row)."""

    sync_id: int
    platform: str
    job_id: int | None = None


class ApplicationSyncRequested(SyncEvent):
    trigger: Literal["schedule", "api", "cli"]


class ApplicationsSynced(SyncEvent):
    fetched: int
    new: int
    duplicates: int
    unmatched: int  # applications to postings jobpub does not hold (made elsewhere)


class ApplicationSyncFailed(SyncEvent):
    """The pull stopped; what it stored before stopping stays, and the cursor says where."""

    error: str
    fetched: int
    new: int
    duplicates: int


class ApplicationReceived(Event):
    """A new application was stored: pushed (LinkedIn's webhook), pulled, or imported from a file."""

    job_id: int
    platform: str
    application_id: int
    external_application_id: str
    source: str | None = None  # "LinkedIn apply", "Naukri", "Naukri CSV"; None in events older than the field


class StatusUpdateEvent(Event):
    """Something that happened to one status update of one application (an `application_status_updates` row)."""

    job_id: int
    platform: str
    application_id: int
    status_update_id: int
    status: str


class ApplicationStatusRecorded(StatusUpdateEvent):
    """The customer's ATS said what happened to an application (`at`); `forwarding` says whether
    it goes to the board ("pending") or the board takes no such status ("not_supported")."""

    at: datetime
    by: str
    forwarding: Literal["pending", "not_supported"]


class ApplicationStatusForwarded(StatusUpdateEvent):
    """The board accepted the status."""

    attempt: int


class ApplicationStatusRetryScheduled(StatusUpdateEvent):
    """Forwarding failed for a passing reason; the next attempt is due at `retry_at`."""

    attempt: int
    error: str
    retry_at: datetime


class ApplicationStatusForwardFailed(StatusUpdateEvent):
    """The board refused the status for good, or every attempt was used up."""

    attempt: int
    error: str
    permanent: bool


class ApplicationStatusNotForwarded(StatusUpdateEvent):
    """The board has no such status to receive (its adapter said so); recorded, not failed."""

    reason: str


class ApplicationStatusReplayed(StatusUpdateEvent):
    """An operator forwarded a failed status again; who, and why."""

    by: str
    why: str
    failed_with: str | None


class ApplicationsErased(Event):
    """Candidates' personal data was erased from these applications (shared/privacy.py).

    Names who and why, and which tombstones, never what was erased: no name, no e-mail.
    `cause` "retention" is the organization's rule (`by` "retention", `reason` the rule);
    "request" is a person's request, through the API (`by` the key) or the command line.
    """

    cause: Literal["retention", "request"]
    reason: str
    by: str
    count: int
    platform: str | None = None  # the rule's platform (retention); None: any
    application_ids: list[int]


class CandidateDataExported(Event):
    """Everything held about one person was handed out (an access request): who, why, how much."""

    reason: str
    by: str
    applications: int
    notification_deliveries: int
    application_ids: list[int]


class PlatformConnectionChanged(Event):
    """An organization configured, changed or removed a platform connection (never the secret itself)."""

    platform: str
    change: Literal["configured", "updated", "deleted"]
    fields: list[str] = []  # which fields changed; "client_secret" when a new secret was stored


class AdminChanged(Event):
    """An operator changed a record through the admin site (services/api/admin): who, what, which fields.

    Names the fields changed, never their values: a replaced secret is `fields=["client_secret"]`.
    A job's text edit also asks the platforms for an update, with its own `JobOperationRequested` events.
    """

    by: str  # the admin user's name
    record: str  # what was changed: "platform_connection", "api_key", "job"
    record_id: int
    change: str  # "updated", "enabled", "disabled", "revoked"
    fields: list[str] = []
    job_id: int | None = None
    platform: str | None = None


class WebhookDeliveryQueued(Event):
    """A notification to a tenant's endpoint is due (its first attempt, or a retry)."""

    delivery_id: int
    endpoint_id: int
    notification_type: str
    attempt: int


EVENT_TYPES: dict[str, type[Event]] = {
    cls.__name__: cls
    for cls in (
        JobPublishRequested,
        JobPublishReplayed,
        JobPublishRetryScheduled,
        JobPublished,
        JobPublishFailed,
        JobOperationRequested,
        JobOperationRetryScheduled,
        JobOperationFailed,
        JobOperationReplayed,
        JobUpdated,
        JobRenewed,
        JobClosed,
        JobClosedByPlatform,
        ApplicationSyncRequested,
        ApplicationsSynced,
        ApplicationSyncFailed,
        ApplicationReceived,
        ApplicationStatusRecorded,
        ApplicationStatusForwarded,
        ApplicationStatusRetryScheduled,
        ApplicationStatusForwardFailed,
        ApplicationStatusNotForwarded,
        ApplicationStatusReplayed,
        ApplicationsErased,
        CandidateDataExported,
        PlatformConnectionChanged,
        AdminChanged,
        WebhookDeliveryQueued,
    )
}
