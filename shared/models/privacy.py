"""How long each organization keeps its candidates' applications."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from shared.models.base import Base, BigId, UTCDateTime, utcnow


class RetentionRule(Base):
    """Keep an organization's applications `keep_days` after they arrive or after their job closed.

    `platform` NULL is the organization's rule for every platform; a platform's own row overrides
    it. No row at all: applications are kept (as before retention existed). One row per
    (organization, platform), NULL included, which a plain unique key would not ensure.
    """

    __tablename__ = "retention_rules"
    __table_args__ = (
        Index(
            "uq_retention_rules_organization_platform",
            "organization_id",
            func.coalesce(text("platform"), ""),
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    platform: Mapped[str | None] = mapped_column(String(32))
    keep_days: Mapped[int] = mapped_column(Integer)
    counted_from: Mapped[str] = mapped_column(String(16))  # received | job_closed
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str] = mapped_column(String(300))  # "api key <id>" or an operator's name
