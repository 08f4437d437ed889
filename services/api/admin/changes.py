"""The changes the admin site may make, apart from its pages: each one transaction, with an
`AdminChanged` event naming the admin user (and the fields, never their values).

What an operator may change is kept small on purpose: enable or disable a platform connection,
replace its secret (sealed like `shared/connections.py:save_connection` does, never shown), revoke
an API key, and fix a job's title or description through the API's own edit (so every live
platform is asked for an update). Replays go through shared/replays.py, like `jobpub failures replay`.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.api.job_lifecycle import edit_job
from services.api.job_publishing import Conflict, FieldProblem
from services.api.schemas.jobs import JobPatch
from services.api.schemas.platforms import FEED_SECRET_MIN
from shared.connections import seal_secret
from shared.crypto import CredentialCipher
from shared.db import unit_of_work
from shared.events import AdminChanged
from shared.feed_address import FEED_PLATFORM
from shared.models import ApiKey, Job, PlatformConnection, utcnow
from shared.outbox import record

JOB_TEXT_FIELDS = ("title", "description")
Row = TypeVar("Row", PlatformConnection, ApiKey, Job)


class ChangeRefused(Exception):
    """The change cannot be made; the message says why, for the operator's page."""


def change_connection(
    sessions: sessionmaker[Session],
    cipher: CredentialCipher | None,
    connection_id: int,
    *,
    by: str,
    enabled: bool,
    new_secret: str | None,
) -> PlatformConnection:
    """Enable or disable the connection, and store `new_secret` (if given) in place of its secret."""
    with unit_of_work(sessions) as session:
        connection = _locked(session, PlatformConnection, connection_id)
        fields = []
        if enabled != connection.enabled:
            connection.enabled = enabled
            fields.append("enabled")
        if new_secret:
            connection.client_secret_encrypted = _sealed(cipher, connection, new_secret)
            fields.append("client_secret")
        if fields:
            change = "updated" if "client_secret" in fields else ("enabled" if enabled else "disabled")
            _log(
                session,
                connection.organization_id,
                by,
                "platform_connection",
                connection.id,
                change,
                fields,
                platform=connection.platform,
            )
        return connection


def _sealed(cipher: CredentialCipher | None, connection: PlatformConnection, secret: str) -> str:
    if cipher is None:
        raise ChangeRefused("JOBPUB_ENCRYPTION_KEYS is not set on this API: a new secret cannot be stored")
    if connection.platform == FEED_PLATFORM and len(secret) < FEED_SECRET_MIN:
        raise ChangeRefused(
            f"the feed's secret is the seed of its public address: at least {FEED_SECRET_MIN} characters"
        )
    return seal_secret(cipher, connection.organization_id, connection.platform, secret)


def revoke_key(sessions: sessionmaker[Session], key_row_id: int, *, by: str) -> bool:
    """Revoke the key; False if it was revoked already (nothing changes, nothing is logged)."""
    with unit_of_work(sessions) as session:
        key = _locked(session, ApiKey, key_row_id)
        if key.revoked_at is not None:
            return False
        key.revoked_at = utcnow()
        _log(session, key.organization_id, by, "api_key", key.id, "revoked", ["revoked_at"])
        return True


def change_job_text(
    sessions: sessionmaker[Session], job_id: int, *, by: str, text: dict[str, str | None]
) -> tuple[Job, dict[str, str]]:
    """Store a new title or description the way `PATCH /jobs/{id}/` does; returns the job and the
    platforms not asked for an update, with why."""
    with unit_of_work(sessions) as session:
        job = _locked(session, Job, job_id)
        changed = {
            name: value for name, value in text.items() if name in JOB_TEXT_FIELDS and value != getattr(job, name)
        }
        if not changed:
            return job, {}
        try:
            patch = JobPatch.model_validate(changed)
            skipped = edit_job(session, job, patch, correlation_id=None)
        except ValidationError as error:
            raise ChangeRefused(
                "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
            ) from None
        except FieldProblem as problem:
            raise ChangeRefused(f"{problem.loc[-1]}: {problem.message}") from None
        except Conflict as conflict:
            raise ChangeRefused(str(conflict)) from None
        _log(session, job.organization_id, by, "job", job.id, "updated", sorted(changed), job_id=job.id)
        return job, skipped


def _locked(session: Session, model: type[Row], row_id: int) -> Row:
    row = session.scalar(select(model).where(model.id == row_id).with_for_update())
    if row is None:
        raise ChangeRefused(f"no {model.__tablename__} row {row_id}: it may have been deleted")
    return row


def _log(
    session: Session,
    organization_id: int,
    by: str,
    what: str,
    row_id: int,
    change: str,
    fields: list[str],
    *,
    job_id: int | None = None,
    platform: str | None = None,
) -> None:
    event = AdminChanged(
        organization_id=organization_id,
        by=by,
        record=what,
        record_id=row_id,
        change=change,
        fields=fields,
        job_id=job_id,
        platform=platform,
    )
    record(session, event)
