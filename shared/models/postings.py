"""Jobs, their postings on each platform, and the publishing log (events and outbox in one table)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.models.base import Base, BigId, Json, UTCDateTime, utcnow


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


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    location: Mapped[str] = mapped_column(String(200))  # the first of `locations`
    # Every location the job names, the first one too (shared/locations.py splits them per
    # platform); None on jobs stored before a job could name several: then just `location`.
    locations: Mapped[list[str] | None] = mapped_column(Json)
    employment_type: Mapped[str] = mapped_column(String(32))
    workplace_type: Mapped[str] = mapped_column(String(32))
    apply_url: Mapped[str] = mapped_column(String(2000))
    company_name: Mapped[str] = mapped_column(String(200))
    salary: Mapped[dict[str, Any] | None] = mapped_column(Json)
    skills: Mapped[list[str]] = mapped_column(Json, default=list)
    # Each platform's own values, keyed by platform: {"naukri": {"ctc_lakhs": {...}, ...}, ...}
    # (shared/platforms/fields.py says what each block may hold).
    board_fields: Mapped[dict[str, dict[str, Any]]] = mapped_column(Json, default=dict, server_default=text("'{}'"))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The screening questions the boards ask (shared/screening.py), each with our stable id.
    screening_questions: Mapped[list[dict[str, Any]] | None] = mapped_column(Json)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    postings: Mapped[list[Posting]] = relationship(back_populates="job", order_by="(Posting.platform, Posting.part)")

    @property
    def all_locations(self) -> list[str]:
        return list(self.locations) if self.locations else [self.location]


class Posting(Base):
    """A job on one platform: its status there, the platform's id and link, and the attempt in progress.

    A job in more places than a platform takes in one posting has several postings there, one
    per `part` (shared/locations.py); each is published, retried and closed on its own.
    """

    __tablename__ = "postings"
    __table_args__ = (UniqueConstraint("job_id", "platform", "part", name="uq_postings_job_platform_part"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(32))
    part: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # The locations this posting carries (LinkedIn: `location`, then `alternateLocations`); None
    # on postings stored before a job could name several: then the job's `location`.
    locations: Mapped[list[str] | None] = mapped_column(Json)
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

    @property
    def all_locations(self) -> list[str]:
        return list(self.locations) if self.locations else [self.job.location]


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
    payload: Mapped[dict[str, Any]] = mapped_column(Json)
    correlation_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    dispatch_queue: Mapped[str | None] = mapped_column(String(64))
    dispatch_actor: Mapped[str | None] = mapped_column(String(64))
    dispatch_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
