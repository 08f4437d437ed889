"""The deployment's own operators: who may sign in to the admin site (services/api/admin).

Not a tenant's row: an admin user sees every organization, so it carries no `organization_id`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared.models.base import Base, BigId, UTCDateTime, utcnow


class AdminUser(Base):
    """One operator of the deployment; only an argon2 hash of the password is kept (shared/admin_users.py)."""

    __tablename__ = "admin_users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
