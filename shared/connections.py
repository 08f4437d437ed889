"""An organization's platform connections: saved encrypted, loaded decrypted only in memory."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.crypto import CredentialCipher
from shared.models import PlatformConnection
from shared.platforms import PLATFORM_NAMES
from shared.platforms.base import PlatformCredentials

PLATFORMS = PLATFORM_NAMES  # the registry's names (shared/platforms/__init__.py)


class PlatformNotConnected(Exception):
    """The organization has no enabled connection to the platform."""


def credential_binding(organization_id: int, platform: str) -> str:
    """What a stored secret is bound to (its associated data): a copy in another row will not decrypt."""
    return f"organization:{organization_id}/platform:{platform}"


def apply_secret_binding(organization_id: int, platform: str) -> str:
    """The apply secret's associated data: not the client secret's, so neither decrypts in the other's column."""
    return f"{credential_binding(organization_id, platform)}/apply-secret"


def save_connection(
    session: Session,
    cipher: CredentialCipher,
    *,
    organization_id: int,
    platform: str,
    client_id: str,
    client_secret: str,
    organization_urn: str | None = None,
    enabled: bool = True,
    publish_max_attempts: int | None = None,
    sync_interval_seconds: int | None = None,
    apply_secret: str | None = None,
) -> PlatformConnection:
    """Store the whole configuration (what is left out is cleared, the apply secret too)."""
    connection = find_connection(session, organization_id, platform) or PlatformConnection(
        organization_id=organization_id, platform=platform
    )
    connection.client_id = client_id
    connection.client_secret_encrypted = seal_secret(cipher, organization_id, platform, client_secret)
    connection.apply_secret_encrypted = seal_apply_secret(cipher, organization_id, platform, apply_secret)
    connection.organization_urn = organization_urn
    connection.enabled = enabled
    connection.publish_max_attempts = publish_max_attempts
    connection.sync_interval_seconds = sync_interval_seconds
    session.add(connection)
    return connection


def seal_secret(cipher: CredentialCipher, organization_id: int, platform: str, secret: str) -> str:
    """The stored form of a secret: encrypted, and bound to its organization and platform."""
    return cipher.encrypt(secret, bound_to=credential_binding(organization_id, platform))


def seal_apply_secret(cipher: CredentialCipher, organization_id: int, platform: str, secret: str | None) -> str | None:
    """The stored form of an apply secret (None: none set, the client secret signs instead)."""
    if secret is None:
        return None
    return cipher.encrypt(secret, bound_to=apply_secret_binding(organization_id, platform))


def apply_secret_of(cipher: CredentialCipher, connection: PlatformConnection) -> str | None:
    """The connection's apply secret, decrypted in memory; None when none is set."""
    if connection.apply_secret_encrypted is None:
        return None
    binding = apply_secret_binding(connection.organization_id, connection.platform)
    return cipher.decrypt(connection.apply_secret_encrypted, bound_to=binding)


def find_connection(session: Session, organization_id: int, platform: str) -> PlatformConnection | None:
    return session.scalar(
        select(PlatformConnection).where(
            PlatformConnection.organization_id == organization_id, PlatformConnection.platform == platform
        )
    )


def connected_platforms(session: Session, organization_id: int) -> set[str]:
    rows = session.scalars(
        select(PlatformConnection.platform).where(
            PlatformConnection.organization_id == organization_id, PlatformConnection.enabled.is_(True)
        )
    )
    return set(rows)


def load_credentials(
    session: Session, cipher: CredentialCipher, organization_id: int, platform: str, *, require_enabled: bool = True
) -> PlatformCredentials:
    connection = find_connection(session, organization_id, platform)
    if connection is None or (require_enabled and not connection.enabled):
        raise PlatformNotConnected(f"{platform} is not connected for this organization")
    return credentials_of(cipher, connection)


def apply_signing_secret(session: Session, cipher: CredentialCipher, organization_id: int, platform: str) -> str:
    """The key of the platform's signed pushes of applications (Indeed Apply): the apply secret
    when one is set, else the client secret. Raises PlatformNotConnected, CredentialDecryptError."""
    connection = find_connection(session, organization_id, platform)
    if connection is None or not connection.enabled:
        raise PlatformNotConnected(f"{platform} is not connected for this organization")
    return apply_secret_of(cipher, connection) or credentials_of(cipher, connection).client_secret


def credentials_of(cipher: CredentialCipher, connection: PlatformConnection) -> PlatformCredentials:
    """The connection's credentials, its secret decrypted (in memory only)."""
    binding = credential_binding(connection.organization_id, connection.platform)
    return PlatformCredentials(
        client_id=connection.client_id,
        client_secret=cipher.decrypt(connection.client_secret_encrypted, bound_to=binding),
        organization_urn=connection.organization_urn,
        organization_id=connection.organization_id,
    )
