"""Organizations and what belongs to each as a whole: API keys, platform connections (secrets
encrypted, see shared/crypto.py) and the first answers to idempotent requests."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from shared.models.base import Base, BigId, Json, UTCDateTime, utcnow


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # Where candidates came from: the parameters each board's apply URL carries
    # (shared/source_tracking.py); None means the default UTM parameters.
    source_tracking: Mapped[dict[str, Any] | None] = mapped_column(Json)
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
    # Indeed only, optional: the Indeed Apply token's API secret, which signs pushed applications
    # (X-Indeed-Signature); encrypted like the client secret. None: the client secret verifies them.
    apply_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    organization_urn: Mapped[str | None] = mapped_column(String(200))
    # The organization's own choices; None: the deployment's JOBPUB_PUBLISH_MAX_ATTEMPTS / SYNC_INTERVAL_SECONDS.
    publish_max_attempts: Mapped[int | None] = mapped_column(Integer)
    sync_interval_seconds: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def apply_secret_set(self) -> bool:
        """Whether an apply secret is stored: all an answer ever says of it."""
        return self.apply_secret_encrypted is not None


class IdempotencyKey(Base):
    """The first answer to a request made with an `Idempotency-Key`, per organization."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("organization_id", "key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[dict[str, Any] | None] = mapped_column(Json)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
