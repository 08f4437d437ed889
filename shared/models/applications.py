"""Applications brought back from the platforms, and the pulls that bring them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from shared.models.base import Base, BigId, Json, UTCDateTime, utcnow

UNERASED = "erased_at IS NULL"


class Application(Base):
    """A candidate's application to one of our postings, brought back from its platform.

    `(organization, platform, external_application_id)` is unique: however often a platform
    delivers or we pull an application, it is stored once in its organization. The key includes
    the organization so that no tenant can claim an id first and make another's copy a "duplicate".

    An erased application (`erased_at` set, see shared/privacy.py) stays as a tombstone holding
    only that key, so the same application pulled or pushed again is not stored again.
    """

    __tablename__ = "applications"
    __table_args__ = (
        UniqueConstraint(
            "organization_id",
            "platform",
            "external_application_id",
            name="uq_applications_organization_platform_external_id",
        ),
        Index("ix_applications_organization", "organization_id", "id"),
        Index("ix_applications_job", "job_id", "id"),
        # A person's applications, found by e-mail whatever its case (erasure and export).
        Index("ix_applications_organization_email", "organization_id", func.lower(text("candidate_email"))),
        # What retention still has to look at: only the applications not erased yet.
        Index(
            "ix_applications_unerased_received",
            "organization_id",
            "received_at",
            postgresql_where=text(UNERASED),
            sqlite_where=text(UNERASED),
        ),
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
    answers: Mapped[dict[str, Any] | list[Any] | None] = mapped_column(Json)
    # Failed a knock-out screening question (shared/screening.py): kept, marked, never dropped.
    knocked_out: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    knocked_out_by: Mapped[list[str] | None] = mapped_column(Json)  # our ids of the questions it failed
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime)
    raw: Mapped[dict[str, Any]] = mapped_column(Json)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # personal data removed (a tombstone)


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
