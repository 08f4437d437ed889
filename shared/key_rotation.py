"""Key rotation: re-encrypting every stored platform secret under the newest key.

Run after putting a new key first in `JOBPUB_ENCRYPTION_KEYS`; once a run reports nothing
undecryptable and rotates 0, the old keys can be removed. Rows are locked (`SELECT … FOR
UPDATE`) and rewritten a batch at a time, each batch its own transaction: a publisher reading
credentials is never blocked, a concurrent change to a connection waits a moment instead of
being overwritten with the old secret, and a second run finds nothing to do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.connections import credential_binding
from shared.crypto import CredentialCipher, CredentialDecryptError
from shared.models import PlatformConnection

# Rows locked per transaction: big enough to make few round trips, small enough that a
# connection being changed over the API waits well under a second.
BATCH_SIZE = 100


@dataclass(frozen=True)
class UndecryptableConnection:
    """A row no configured key can decrypt; names the row and why, never the secret."""

    connection_id: int
    organization_id: int
    platform: str
    reason: str


@dataclass
class RotationReport:
    rotated: int = 0  # with `dry_run`: would be rotated
    already_current: int = 0
    undecryptable: list[UndecryptableConnection] = field(default_factory=list)


def rotate_credentials(
    session: Session, cipher: CredentialCipher, *, dry_run: bool = False, batch_size: int = BATCH_SIZE
) -> RotationReport:
    """Re-encrypt under the cipher's newest key every client secret made with an older one.

    Parameters:
      session: commits after each batch (the caller's own pending changes go with the first).
      cipher: the key ring; its newest key is the one rotated to.
      dry_run: count what would be rotated, lock nothing, change nothing.

    Returns:
      The counts, and the rows no configured key decrypts; those are left exactly as they were.
    """
    report = RotationReport()
    last_id = 0
    while batch := _next_batch(session, last_id, batch_size, lock=not dry_run):
        for connection in batch:
            _rotate_one(connection, cipher, report, dry_run)
        last_id = batch[-1].id
        if dry_run:
            session.rollback()
        else:
            session.commit()
        session.expunge_all()  # a large table must not pile up in the identity map
    return report


def _next_batch(session: Session, after_id: int, size: int, *, lock: bool) -> list[PlatformConnection]:
    query = (
        select(PlatformConnection)
        .where(PlatformConnection.id > after_id)
        .order_by(PlatformConnection.id)
        .limit(size)
        # The locked value is the one re-encrypted, even if this session saw the row before.
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query.with_for_update() if lock else query))


def _rotate_one(
    connection: PlatformConnection, cipher: CredentialCipher, report: RotationReport, dry_run: bool
) -> None:
    if not cipher.needs_rotation(connection.client_secret_encrypted):
        report.already_current += 1
        return
    binding = credential_binding(connection.organization_id, connection.platform)
    try:
        secret = cipher.decrypt(connection.client_secret_encrypted, bound_to=binding)
    except CredentialDecryptError as error:
        report.undecryptable.append(
            UndecryptableConnection(connection.id, connection.organization_id, connection.platform, str(error))
        )
        return
    if not dry_run:
        connection.client_secret_encrypted = cipher.encrypt(secret, bound_to=binding)
    report.rotated += 1
