"""An update, close or renew attempt's life in the database, on the publish attempt's machinery.

The claim is the same compare-and-set and lease as a publish's (services/publisher/attempts.py),
taken on the posting's operation slot instead of its publish status: the posting stays
`published` while an update runs. Outcomes are written with their event in one transaction,
only by the holder of the lease. An attempt whose operation was asked for again while it ran
("superseded": a newer edit, or a close) records what it did and leaves the slot to the newer
request, whose message is already waiting for the lease.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog
from sqlalchemy import ColumnElement, and_, or_

from services.publisher.attempts import retry_delay
from services.publisher.claims import (
    DUE_BY,
    EARLY_DUPLICATE_TOLERANCE,
    NOW,
    Claim,
    LeaseHeld,
    claim_rule,
    held_posting,
    release,
    take_posting,
)
from shared import metrics
from shared.context import WorkerContext
from shared.db import unit_of_work
from shared.events import JobClosed, JobOperationFailed, JobOperationRetryScheduled, JobRenewed, JobUpdated
from shared.models import Operation, OperationStatus, Posting, PostingStatus, utcnow
from shared.outbox import publish_dispatch, record

log = structlog.get_logger(__name__)

DONE_EVENTS = {Operation.UPDATE: JobUpdated, Operation.CLOSE: JobClosed, Operation.RENEW: JobRenewed}


def _claimable() -> ColumnElement[bool]:
    due = or_(Posting.next_attempt_at.is_(None), Posting.next_attempt_at <= DUE_BY)
    free = or_(Posting.lease_expires_at.is_(None), Posting.lease_expires_at < NOW)
    abandoned = and_(Posting.operation_status == OperationStatus.RUNNING, Posting.lease_expires_at < NOW)
    waiting_or_abandoned = or_(and_(Posting.operation_status == OperationStatus.PENDING, due, free), abandoned)
    return and_(Posting.status == PostingStatus.PUBLISHED, waiting_or_abandoned)


OPERATION_CLAIM = claim_rule(_claimable(), dict(operation_status=OperationStatus.RUNNING))


def claim_operation(ctx: WorkerContext, posting_id: int) -> Claim | LeaseHeld | None:
    """Take the posting's waiting operation for one attempt; None when there is nothing to do."""
    return take_posting(ctx, posting_id, OPERATION_CLAIM, utcnow(), not_taken=_why_not_claimed, for_operation=True)


def _why_not_claimed(posting: Posting, now: datetime) -> LeaseHeld | None:
    # Not published yet: the publisher dispatches the operation once it is (shared/operations.py).
    if posting.status == PostingStatus.PUBLISHED and posting.lease_expires_at and posting.lease_expires_at >= now:
        return LeaseHeld(until=posting.lease_expires_at)
    if _claimable_now(posting, now):
        # The holder ended its attempt between our claim and this read, leaving a newer request
        # for this very message (record_done of a superseded operation sends nothing): try again.
        return LeaseHeld(until=now)
    log.info(
        "operation.skipped", posting_id=posting.id, status=posting.status, operation_status=posting.operation_status
    )
    return None


def _claimable_now(posting: Posting, now: datetime) -> bool:
    """`_claimable`, read from a posting already loaded."""
    if posting.status != PostingStatus.PUBLISHED:
        return False
    due = posting.next_attempt_at is None or posting.next_attempt_at <= now + EARLY_DUPLICATE_TOLERANCE
    free = posting.lease_expires_at is None or posting.lease_expires_at < now
    waiting = posting.operation_status == OperationStatus.PENDING and due and free
    abandoned = posting.operation_status == OperationStatus.RUNNING and free and posting.lease_expires_at is not None
    return waiting or abandoned


def _fields(held: Claim) -> dict:
    return dict(
        organization_id=held.organization_id, job_id=held.job_id, posting_id=held.posting_id, platform=held.platform
    )


def _superseded(posting: Posting, held: Claim) -> bool:
    """Was the operation asked for again (or a close asked for) while this attempt ran?"""
    return not (posting.operation_status == OperationStatus.RUNNING and posting.operation == held.operation)


def keep_lease(ctx: WorkerContext, held: Claim, task_id: str | None = None) -> bool:
    """Extend the lease while the platform settles the operation; remember its task, unless the
    operation was asked for anew meanwhile (the new request must send, not poll this task)."""
    with unit_of_work(ctx.sessions) as session:
        posting = held_posting(session, held)
        if posting is None:
            return False
        posting.lease_expires_at = utcnow() + timedelta(seconds=ctx.settings.lease_seconds)
        if task_id and not _superseded(posting, held):
            posting.task_id = task_id
        return True


def _end_attempt(posting: Posting) -> None:
    posting.task_id = None
    release(posting)


def record_done(ctx: WorkerContext, held: Claim, correlation_id: str | None) -> None:
    assert held.operation is not None  # claim_operation takes a posting only while an operation waits or runs
    with unit_of_work(ctx.sessions) as session:
        posting = held_posting(session, held)
        if posting is None:
            return
        if held.operation == Operation.CLOSE:
            posting.status = PostingStatus.CLOSED
        if not _superseded(posting, held):
            posting.operation_status = OperationStatus.SUCCEEDED
            posting.last_error = None
        _end_attempt(posting)
        record(
            session,
            DONE_EVENTS[Operation(held.operation)](**_fields(held), attempt=held.attempt),
            correlation_id=correlation_id,
        )
    metrics.OPERATIONS.labels(held.platform, held.operation, "succeeded").inc()


def record_failed(ctx: WorkerContext, held: Claim, error: str, *, permanent: bool, correlation_id: str | None) -> None:
    with unit_of_work(ctx.sessions) as session:
        posting = held_posting(session, held)
        if posting is None:
            return
        if not _superseded(posting, held):
            posting.operation_status = OperationStatus.FAILED
            posting.last_error = error
        _end_attempt(posting)
        event = JobOperationFailed(
            **_fields(held), operation=held.operation, attempt=held.attempt, error=error, permanent=permanent
        )
        record(session, event, correlation_id=correlation_id)
    metrics.OPERATIONS.labels(held.platform, held.operation, "failed").inc()


def record_transient(
    ctx: WorkerContext,
    held: Claim,
    error: str,
    retry_after: float | None,
    correlation_id: str | None,
    *,
    give_back: bool = False,
) -> None:
    """Schedule the next attempt (as a publish's: same backoff, same limit), or fail the operation.

    `give_back`: the platform is still settling the operation's task; that uses up no attempt,
    and the task id is kept so the next attempt polls it instead of sending the operation again.
    """
    if not give_back and held.attempt >= held.max_attempts:
        message = f"gave up after {held.attempt} attempts; last error: {error}"
        record_failed(ctx, held, message, permanent=False, correlation_id=correlation_id)
        return
    delay = ctx.settings.retry_backoff_seconds if give_back else retry_delay(ctx.settings, held.attempt, retry_after)
    retry_at = utcnow() + timedelta(seconds=delay)
    with unit_of_work(ctx.sessions) as session:
        posting = held_posting(session, held)
        if posting is None:
            return
        if _superseded(posting, held):
            _end_attempt(posting)  # the newer request's own message carries on
            return
        posting.operation_status = OperationStatus.PENDING
        posting.last_error = error
        posting.next_attempt_at = retry_at
        if give_back:
            posting.attempts = held.attempt - 1
        release(posting)
        event = JobOperationRetryScheduled(
            **_fields(held), operation=held.operation, attempt=held.attempt, error=error, retry_at=retry_at
        )
        record(session, event, dispatch=publish_dispatch(held.platform, retry_at), correlation_id=correlation_id)
    metrics.PUBLISH_RETRIES.labels(held.platform).inc()
