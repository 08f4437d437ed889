"""The tables. PostgreSQL in production; SQLite for the embedded default.

Every tenant-owned row carries `organization_id`, and every query that serves a tenant filters on it.
`publishing_log` is both the operators' event history and the outbox: a row with a
`dispatch_queue` and no `dispatched_at` is a message the relay still has to send.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets BIGINT identities.
BigId = BigInteger().with_variant(Integer, "sqlite")
Json = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC on the way out, whatever the database kept (SQLite keeps naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    pass


class PostingStatus(StrEnum):
    PENDING = "pending"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    FAILED = "failed"
    CLOSED = "closed"


class Operation(StrEnum):
    """What can be done to a posting once it is live (see shared/operations.py)."""

    UPDATE = "update"
    CLOSE = "close"
    RENEW = "renew"


class OperationStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class KeyScope(StrEnum):
    """What a key may do in its organization. An operator key also lists and replays failures."""

    RECRUITER = "recruiter"
    OPERATOR = "operator"


class ApiKey(Base):
    """An organization's API key. Only a hash of the secret part is kept."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200), default="")
    scope: Mapped[str] = mapped_column(String(16), default=KeyScope.RECRUITER, server_default=KeyScope.RECRUITER)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PlatformConnection(Base):
    """An organization's credentials for one platform; the secret is encrypted (see shared.crypto)."""

    __tablename__ = "platform_connections"
    __table_args__ = (UniqueConstraint("organization_id", "platform"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(32))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    client_id: Mapped[str] = mapped_column(String(200))
    client_secret_encrypted: Mapped[str] = mapped_column(Text)
    organization_urn: Mapped[str | None] = mapped_column(String(200))
    # The organization's own choices; None: the deployment's JOBPUB_PUBLISH_MAX_ATTEMPTS / SYNC_INTERVAL_SECONDS.
    publish_max_attempts: Mapped[int | None] = mapped_column(Integer)
    sync_interval_seconds: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    location: Mapped[str] = mapped_column(String(200))
    employment_type: Mapped[str] = mapped_column(String(32))
    workplace_type: Mapped[str] = mapped_column(String(32))
    apply_url: Mapped[str] = mapped_column(String(2000))
    company_name: Mapped[str] = mapped_column(String(200))
    salary: Mapped[dict | None] = mapped_column(Json)
    skills: Mapped[list] = mapped_column(Json, default=list)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    postings: Mapped[list[Posting]] = relationship(back_populates="job", order_by="Posting.platform")


class Posting(Base):
    """A job on one platform: its status there, the platform's id and link, and the attempt in progress."""

    __tablename__ = "postings"
    __table_args__ = (UniqueConstraint("job_id", "platform"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=PostingStatus.PENDING)
    external_id: Mapped[str] = mapped_column(String(75))
    platform_job_id: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(2000))
    task_id: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # in the current request; a retry restarts it
    total_attempts: Mapped[int] = mapped_column(Integer, default=0)  # ever; >0 means "look up before create"
    # Claims since the last recorded outcome: each one a delivery whose worker died mid-attempt.
    unfinished_claims: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    # The latest lifecycle operation asked for and how it stands; `status` keeps saying whether
    # the posting is live, so "published, update failed" is two facts, not one lost.
    operation: Mapped[str | None] = mapped_column(String(16))
    operation_status: Mapped[str | None] = mapped_column(String(16))
    lease_token: Mapped[str | None] = mapped_column(String(36))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    job: Mapped[Job] = relationship(back_populates="postings")


class PublishingLog(Base):
    """One row per domain event; rows with a dispatch queue double as the outbox."""

    __tablename__ = "publishing_log"
    __table_args__ = (
        Index("ix_publishing_log_job", "job_id", "id"),
        # The relay's scan touches only rows still to send, however long the log grows.
        Index(
            "ix_publishing_log_undispatched",
            "dispatch_after",
            postgresql_where=text("dispatch_queue IS NOT NULL AND dispatched_at IS NULL"),
            sqlite_where=text("dispatch_queue IS NOT NULL AND dispatched_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    event_type: Mapped[str] = mapped_column(String(64))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    job_id: Mapped[int | None] = mapped_column(BigInteger)
    platform: Mapped[str | None] = mapped_column(String(32))
    payload: Mapped[dict] = mapped_column(Json)
    correlation_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    dispatch_queue: Mapped[str | None] = mapped_column(String(64))
    dispatch_actor: Mapped[str | None] = mapped_column(String(64))
    dispatch_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IdempotencyKey(Base):
    """The first answer to a request made with an `Idempotency-Key`, per organization."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("organization_id", "key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[dict | None] = mapped_column(Json)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Application(Base):
    """A candidate's application to one of our postings, brought back from its platform.

    `(organization, platform, external_application_id)` is unique: however often a platform
    delivers or we pull an application, it is stored once in its organization. The key includes
    the organization so that no tenant can claim an id first and make another's copy a "duplicate".
    """

    __tablename__ = "applications"
    __table_args__ = (
        UniqueConstraint(
            "organization_id", "platform", "external_application_id",
            name="uq_applications_organization_platform_external_id",
        ),
        Index("ix_applications_organization", "organization_id", "id"),
        Index("ix_applications_job", "job_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    posting_id: Mapped[int] = mapped_column(ForeignKey("postings.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(32))
    external_application_id: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(64))  # "LinkedIn apply", "Naukri", "Naukri CSV"
    candidate_name: Mapped[str] = mapped_column(String(300))
    candidate_email: Mapped[str | None] = mapped_column(String(320))
    candidate_phone: Mapped[str | None] = mapped_column(String(64))
    resume_url: Mapped[str | None] = mapped_column(String(2000))  # stored, never fetched
    cover_letter: Mapped[str | None] = mapped_column(Text)
    answers: Mapped[dict | list | None] = mapped_column(Json)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime)
    raw: Mapped[dict] = mapped_column(Json)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SyncCursor(Base):
    """How far the scheduled pull of an organization's applications on a platform has read."""

    __tablename__ = "sync_cursors"
    __table_args__ = (UniqueConstraint("organization_id", "platform"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(32))
    cursor: Mapped[str | None] = mapped_column(String(500))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class SyncStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


ACTIVE_API_PULL = "trigger = 'api' AND status IN ('pending', 'running')"


class SyncRun(Base):
    """One pull of applications, asked for by the scheduler, the API or the command line.

    A scheduled run carries its schedule window; `(organization, platform, window)` is unique,
    so two schedulers, or one restarted, never fire the same window twice. An API run is unique
    while pending or running per (organization, platform, job): asking again joins it.
    """

    __tablename__ = "sync_runs"
    __table_args__ = (
        UniqueConstraint("organization_id", "platform", "schedule_window"),
        Index(
            "uq_sync_runs_one_active_api_pull",
            "organization_id",
            "platform",
            func.coalesce(text("job_id"), 0),
            unique=True,
            postgresql_where=text(ACTIVE_API_PULL),
            sqlite_where=text(ACTIVE_API_PULL),
        ),
        Index("ix_sync_runs_status_organization", "status", "organization_id", "created_at"),
        Index("ix_sync_runs_organization_started", "organization_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(32))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    trigger: Mapped[str] = mapped_column(String(16))  # schedule | api | cli
    schedule_window: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default=SyncStatus.PENDING)
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    new: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    unmatched: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Moved on every claim and page: a run quiet for long is taken for dead (shared/syncs.py).
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The queue message (its event id) whose turn claimed the run: its redelivery resumes it.
    claimed_by: Mapped[str | None] = mapped_column(String(64), index=True)
    correlation_id: Mapped[str | None] = mapped_column(String(64))  # of the request, for the run's events


class NotificationEndpoint(Base):
    """A URL of a tenant's where jobpub posts publish outcomes and new applications, signed."""

    __tablename__ = "notification_endpoints"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    secret_encrypted: Mapped[str] = mapped_column(Text)  # the signing secret, encrypted like platform secrets
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NotificationDelivery(Base):
    """One notification to one endpoint, and how its delivery went (at least once, retried)."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "message_id"),
        Index("ix_notification_deliveries_endpoint", "endpoint_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("notification_endpoints.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    message_id: Mapped[str] = mapped_column(String(64))  # the webhook-id header: the receiver's dedup key
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(Json)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
