"""What the customer's ATS said happened to an application, and how forwarding it to the board went."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared.models.base import Base, BigId, UTCDateTime, utcnow


class ApplicationStatusUpdate(Base):
    """One status of one application (viewed, resume downloaded, rejected, hired), and its forwarding.

    `(application, status)` is unique: the ATS telling us the same status again changes nothing.
    The application came from one board (`platform`), so the row holds that board's forwarding:
    `forward_state` pending → sending → sent | failed, or not_supported where the board takes no
    status. While `sending`, `next_attempt_at` is the claim's lease and `attempts` its token
    (services/publisher/status_attempts.py).
    """

    __tablename__ = "application_status_updates"
    __table_args__ = (
        UniqueConstraint("application_id", "status", name="uq_application_status_updates_application_status"),
        Index("ix_application_status_updates_organization_state", "organization_id", "forward_state", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when it happened in the ATS (`at`)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    forward_state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
