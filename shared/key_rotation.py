"""Key rotation: re-encrypting every stored secret under the newest key.

Every encrypted column is listed in ENCRYPTED_COLUMNS (a test checks the models have no other):
platform credentials, Indeed Apply secrets and the signing secrets of notification endpoints. Run after putting a new
key first in `JOBPUB_ENCRYPTION_KEYS`; once a run reports nothing undecryptable and rotates 0 of
every kind, the old keys can be removed. Rows are locked (`SELECT … FOR UPDATE`) and rewritten a
batch at a time, each batch its own transaction: a reader is never blocked, a concurrent change
to a row waits a moment instead of being overwritten with the old secret, and a second run finds
nothing to do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.connections import apply_secret_binding, credential_binding
from shared.crypto import CredentialCipher, CredentialDecryptError
from shared.models import NotificationEndpoint, PlatformConnection
from shared.notifications import secret_binding

# Rows locked per transaction: big enough to make few round trips, small enough that a
# row being changed over the API waits well under a second.
BATCH_SIZE = 100

# The models that hold an encrypted column: each has an `id` and an `organization_id`.
SecretRow = TypeVar("SecretRow", bound=PlatformConnection | NotificationEndpoint)


@dataclass(frozen=True)
class EncryptedColumn(Generic[SecretRow]):
    """One kind of stored secret: where it lives, what it is bound to, and how a row is named."""

    kind: str
    model: type[SecretRow]
    column: str
    binding: Callable[[SecretRow], str]
    describe: Callable[[SecretRow], str]  # names the row, never the secret

    def rotate(self, session: Session, cipher: CredentialCipher, dry_run: bool, batch_size: int) -> KindReport:
        # A method, so that each kind's row type stays known when ENCRYPTED_COLUMNS (of mixed kinds) is walked.
        return _rotate_column(session, cipher, self, dry_run, batch_size)


ENCRYPTED_COLUMNS = (
    EncryptedColumn(
        "platform credentials",
        PlatformConnection,
        "client_secret_encrypted",
        binding=lambda row: credential_binding(row.organization_id, row.platform),
        describe=lambda row: f"connection {row.id} (organization {row.organization_id}, {row.platform})",
    ),
    EncryptedColumn(
        "notification signing secrets",
        NotificationEndpoint,
        "secret_encrypted",
        binding=lambda row: secret_binding(row.organization_id),
        describe=lambda row: f"endpoint {row.id} (organization {row.organization_id})",
    ),
    EncryptedColumn(
        "Indeed Apply secrets",
        PlatformConnection,
        "apply_secret_encrypted",
        binding=lambda row: apply_secret_binding(row.organization_id, row.platform),
        describe=lambda row: f"connection {row.id} (organization {row.organization_id}, {row.platform}, apply secret)",
    ),
)


@dataclass(frozen=True)
class UndecryptableRow:
    """A row no configured key can decrypt; names the row and why, never the secret."""

    kind: str
    row: str
    organization_id: int
    reason: str


@dataclass
class KindReport:
    kind: str
    rotated: int = 0  # with `dry_run`: would be rotated
    already_current: int = 0
    undecryptable: list[UndecryptableRow] = field(default_factory=list)


@dataclass
class RotationReport:
    kinds: list[KindReport] = field(default_factory=list)

    def of(self, kind: str) -> KindReport:
        return next(report for report in self.kinds if report.kind == kind)

    @property
    def undecryptable(self) -> list[UndecryptableRow]:
        return [row for report in self.kinds for row in report.undecryptable]


def rotate_secrets(
    session: Session, cipher: CredentialCipher, *, dry_run: bool = False, batch_size: int = BATCH_SIZE
) -> RotationReport:
    """Re-encrypt under the cipher's newest key every stored secret made with an older one.

    Parameters:
      session: commits after each batch (the caller's own pending changes go with the first).
      cipher: the key ring; its newest key is the one rotated to.
      dry_run: count what would be rotated, lock nothing, change nothing.

    Returns:
      The counts per kind, and the rows no configured key decrypts; those are left exactly as they were.
    """
    report = RotationReport()
    for column in ENCRYPTED_COLUMNS:
        report.kinds.append(column.rotate(session, cipher, dry_run, batch_size))
    return report


def _rotate_column(
    session: Session, cipher: CredentialCipher, column: EncryptedColumn[SecretRow], dry_run: bool, batch_size: int
) -> KindReport:
    report = KindReport(column.kind)
    last_id = 0
    while batch := _next_batch(session, column.model, last_id, batch_size, lock=not dry_run):
        for row in batch:
            _rotate_one(row, column, cipher, report, dry_run)
        last_id = batch[-1].id
        if dry_run:
            session.rollback()
        else:
            session.commit()
        session.expunge_all()  # a large table must not pile up in the identity map
    return report


def _next_batch(session: Session, model: type[SecretRow], after_id: int, size: int, *, lock: bool) -> list[SecretRow]:
    query = (
        select(model)
        .where(model.id > after_id)
        .order_by(model.id)
        .limit(size)
        # The locked value is the one re-encrypted, even if this session saw the row before.
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query.with_for_update() if lock else query))


def _rotate_one(
    row: SecretRow, column: EncryptedColumn[SecretRow], cipher: CredentialCipher, report: KindReport, dry_run: bool
) -> None:
    sealed = getattr(row, column.column)
    if sealed is None:  # an optional secret not set (an apply secret): nothing to rotate
        return
    if not cipher.needs_rotation(sealed):
        report.already_current += 1
        return
    binding = column.binding(row)
    try:
        secret = cipher.decrypt(sealed, bound_to=binding)
    except CredentialDecryptError as error:
        report.undecryptable.append(
            UndecryptableRow(column.kind, column.describe(row), row.organization_id, str(error))
        )
        return
    if not dry_run:
        setattr(row, column.column, cipher.encrypt(secret, bound_to=binding))
    report.rotated += 1
