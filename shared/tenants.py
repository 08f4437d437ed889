"""Organizations and their API keys.

A key is `jp_<key id>_<secret>`. The key id finds the row; only the SHA-256 of the secret is
stored. The secrets are 32 random bytes, so a fast hash is enough: there is nothing to guess.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.models import ApiKey, KeyScope, Organization

KEY_PREFIX = "jp"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_organization(session: Session, name: str) -> Organization:
    organization = Organization(name=name)
    session.add(organization)
    session.flush()
    return organization


def find_organization(session: Session, name_or_id: str) -> Organization | None:
    if name_or_id.isdigit():
        found = session.get(Organization, int(name_or_id))
        if found is not None:
            return found
    return session.scalar(select(Organization).where(Organization.name == name_or_id))


def create_api_key(
    session: Session, organization_id: int, label: str = "", scope: KeyScope = KeyScope.RECRUITER
) -> tuple[ApiKey, str]:
    """Returns the row and the full key, which is shown once and never stored."""
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32).replace("_", "-")
    row = ApiKey(organization_id=organization_id, key_id=key_id, secret_hash=_hash(secret), label=label, scope=scope)
    session.add(row)
    session.flush()
    return row, f"{KEY_PREFIX}_{key_id}_{secret}"


def authenticate(session: Session, presented: str) -> ApiKey | None:
    """The key's row (its organization and scope), or None for a wrong, malformed or revoked key."""
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    row = session.scalar(select(ApiKey).where(ApiKey.key_id == parts[1]))
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.secret_hash, _hash(parts[2])):
        return None
    return row


def revoke_api_key(session: Session, organization_id: int, key_id: str) -> bool:
    """Mark the key revoked in the caller's transaction; once it commits, the caller announces it
    (shared/key_revocations.py) so API processes stop trusting the key they keep in memory."""
    row = session.scalar(select(ApiKey).where(ApiKey.key_id == key_id, ApiKey.organization_id == organization_id))
    if row is None:
        return False
    row.revoked_at = row.revoked_at or datetime.now(UTC)
    return True
