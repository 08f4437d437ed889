"""A status update's forwarding attempt in the database: claimed before the board is called, its
outcome recorded after, each in a short transaction of its own with its event.

The claim locks the row, makes it `sending`, counts the attempt (`attempts` is the claim's token)
and sets `next_attempt_at` to the claim's lease; it reads everything the call needs (the
application's and posting's ids on the board, the connection's credentials). Only the claim still
current records an outcome: a claim whose lease lapsed (its worker stalled) and was taken over
records nothing. A worker that dies mid-call leaves a lapsed lease, and dramatiq's redelivery of
its message claims the row again.

    pending --claim--> sending --2xx--> sent
                          |--- passing error --> pending (retry queued with backoff) | failed (attempts used up)
                          |--- refused --> failed      |--- no such status on the board --> not_supported
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.publisher.attempts import retry_delay
from shared import metrics
from shared.application_status import event_fields, not_forwarded_reason
from shared.connections import PlatformNotConnected, credentials_of, find_connection
from shared.context import WorkerContext
from shared.crypto import CredentialDecryptError
from shared.db import unit_of_work
from shared.events import (
    ApplicationStatusForwarded,
    ApplicationStatusForwardFailed,
    ApplicationStatusNotForwarded,
    ApplicationStatusRetryScheduled,
)
from shared.models import Application, ApplicationStatusUpdate, Posting, utcnow
from shared.outbox import record, status_dispatch
from shared.platforms.base import PlatformCredentials

EARLY_COPY_TOLERANCE = timedelta(seconds=1)
ERROR_TEXT_MAX = 2000


@dataclass(frozen=True)
class StatusClaim:
    update_id: int
    attempt: int
    job_id: int
    platform: str
    status: str
    at: datetime
    application_external_id: str
    job_external_id: str
    max_attempts: int
    credentials: PlatformCredentials | None = field(repr=False)
    unusable: str | None = None


@dataclass(frozen=True)
class LeaseHeld:
    until: datetime


def claim_update(ctx: WorkerContext, update_id: int) -> StatusClaim | LeaseHeld | None:
    """Claim the update for one attempt and commit; None when this message has nothing to do."""
    now = utcnow()
    with unit_of_work(ctx.sessions) as session:
        update = _locked(session, update_id)
        if update is None:
            return None
        if update.forward_state == "sending" and update.next_attempt_at and update.next_attempt_at > now:
            return LeaseHeld(update.next_attempt_at)  # another worker is calling the board right now
        if not _due(update, now):
            return None
        update.forward_state, update.attempts = "sending", update.attempts + 1
        update.next_attempt_at = now + timedelta(seconds=ctx.settings.lease_seconds)
        update.updated_at = now
        return _build_claim(ctx, session, update)


def _due(update: ApplicationStatusUpdate, now: datetime) -> bool:
    if update.forward_state == "sending":
        return True  # its lease lapsed (checked by the caller): the worker that held it died
    if update.forward_state != "pending":
        return False  # sent, failed or not supported already
    # A copy of an earlier message finds a retry not yet due: that retry's own message comes when it is.
    return update.next_attempt_at is None or update.next_attempt_at <= now + EARLY_COPY_TOLERANCE


def _build_claim(ctx: WorkerContext, session: Session, update: ApplicationStatusUpdate) -> StatusClaim:
    application = session.get(Application, update.application_id)
    posting = session.get(Posting, application.posting_id) if application else None
    assert application is not None and posting is not None  # both cascade the update away when deleted
    connection = find_connection(session, update.organization_id, update.platform)
    credentials, unusable = None, None
    try:
        if connection is None or not connection.enabled:
            raise PlatformNotConnected(f"{update.platform} is not connected for this organization")
        credentials = credentials_of(ctx.cipher, connection)
    except (PlatformNotConnected, CredentialDecryptError) as error:
        unusable = str(error)
    return StatusClaim(
        update_id=update.id,
        attempt=update.attempts,
        job_id=application.job_id,
        platform=update.platform,
        status=update.status,
        at=update.occurred_at,
        application_external_id=application.external_application_id,
        job_external_id=posting.external_id,
        max_attempts=(connection and connection.publish_max_attempts) or ctx.settings.publish_max_attempts,
        credentials=credentials,
        unusable=unusable,
    )


def record_sent(ctx: WorkerContext, held: StatusClaim) -> None:
    with _current(ctx, held) as (session, update):
        if update is None:
            return
        update.forward_state, update.sent_at, update.last_error = "sent", utcnow(), None
        _end(update)
        record(session, ApplicationStatusForwarded(**event_fields(update, held.job_id), attempt=held.attempt))
    metrics.STATUS_FORWARDS.labels(held.platform, "sent").inc()


def record_not_supported(ctx: WorkerContext, held: StatusClaim) -> None:
    reason = not_forwarded_reason(held.platform)
    with _current(ctx, held) as (session, update):
        if update is None:
            return
        update.forward_state, update.last_error = "not_supported", reason
        _end(update)
        record(session, ApplicationStatusNotForwarded(**event_fields(update, held.job_id), reason=reason))
    metrics.STATUS_FORWARDS.labels(held.platform, "not_supported").inc()


def record_failed(ctx: WorkerContext, held: StatusClaim, error: str, *, permanent: bool) -> None:
    error = error[:ERROR_TEXT_MAX]
    with _current(ctx, held) as (session, update):
        if update is None:
            return
        update.forward_state, update.last_error = "failed", error
        _end(update)
        fields = event_fields(update, held.job_id)
        record(
            session, ApplicationStatusForwardFailed(**fields, attempt=held.attempt, error=error, permanent=permanent)
        )
    metrics.STATUS_FORWARDS.labels(held.platform, "failed").inc()


def record_transient(
    ctx: WorkerContext, held: StatusClaim, error: str, retry_after: float | None, *, sent: bool = True
) -> None:
    """Queue the next attempt with a publish's backoff, or fail once the attempts are used up.

    `sent=False`: our own quota pace held the call back, nothing reached the board, so the
    attempt is given back (as a deferred publish's is) and the retry waits for the free turn.
    """
    if sent and held.attempt >= held.max_attempts:
        record_failed(ctx, held, f"gave up after {held.attempt} attempts; last error: {error}", permanent=False)
        return
    if sent:
        delay = retry_delay(ctx.settings, held.attempt, retry_after)
    else:  # the quota's next free turn (a quota wait always names it), at least the base backoff
        delay = max(retry_after or 0.0, ctx.settings.retry_backoff_seconds)
    retry_at = utcnow() + timedelta(seconds=delay)
    with _current(ctx, held) as (session, update):
        if update is None:
            return
        update.forward_state, update.last_error, update.updated_at = "pending", error[:ERROR_TEXT_MAX], utcnow()
        update.next_attempt_at = retry_at
        if not sent:
            update.attempts = held.attempt - 1
        fields = event_fields(update, held.job_id)
        event = ApplicationStatusRetryScheduled(**fields, attempt=held.attempt, error=error, retry_at=retry_at)
        record(session, event, dispatch=status_dispatch(held.platform, retry_at))
    metrics.STATUS_FORWARDS.labels(held.platform, "retried").inc()


@contextmanager
def _current(ctx: WorkerContext, held: StatusClaim) -> Iterator[tuple[Session, ApplicationStatusUpdate | None]]:
    """One transaction, and the update locked in it if `held` is still its current claim (else None:
    our lease lapsed and another claim took over, which records its own outcome)."""
    with unit_of_work(ctx.sessions) as session:
        update = _locked(session, held.update_id)
        if update is not None and (update.forward_state, update.attempts) != ("sending", held.attempt):
            update = None
        yield session, update


def _end(update: ApplicationStatusUpdate) -> None:
    update.next_attempt_at, update.updated_at = None, utcnow()


def _locked(session: Session, update_id: int) -> ApplicationStatusUpdate | None:
    query = select(ApplicationStatusUpdate).where(ApplicationStatusUpdate.id == update_id).with_for_update()
    return session.scalar(query.execution_options(populate_existing=True))
