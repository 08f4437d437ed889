"""A publish attempt's life in the database: claim it, keep the lease, record how it ended.

A claim is a compare-and-set on the posting row, so of any number of copies of a message only
one works at a time. The claim carries a lease; a worker that dies leaves an expired lease,
and the next copy of the message takes over and looks the posting up on the platform before
creating it again. Every outcome is written with its event in one transaction, and only by
the holder of the lease.
"""

from __future__ import annotations

import dataclasses
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import structlog
from sqlalchemy import CursorResult, and_, or_, update
from sqlalchemy.orm import Session, joinedload

from services.publisher.content import posting_content
from shared import metrics
from shared.connections import PlatformNotConnected, credentials_of, find_connection
from shared.context import WorkerContext
from shared.crypto import CredentialDecryptError
from shared.db import unit_of_work
from shared.events import JobPublished, JobPublishFailed, JobPublishRetryScheduled
from shared.models import Posting, PostingStatus, utcnow
from shared.notifications import JOB_PUBLISH_FAILED, JOB_PUBLISHED, notify
from shared.operations import after_publish_outcome
from shared.outbox import publish_dispatch, record
from shared.platforms.base import PlatformCredentials, PostingContent, PostingState

log = structlog.get_logger(__name__)

# A message that arrives this much before the scheduled retry is an early duplicate: ignore it.
EARLY_DUPLICATE_TOLERANCE = timedelta(seconds=1)
BACKOFF_JITTER = 0.1  # ±10%, so postings that failed together do not retry in lockstep


@dataclass(frozen=True)
class Claim:
    posting_id: int
    organization_id: int
    job_id: int
    platform: str
    lease_token: str
    attempt: int
    look_up_first: bool
    task_id: str | None
    requested_at: datetime
    max_attempts: int
    content: PostingContent | None  # None when the job can no longer be sent (see `unusable`)
    credentials: PlatformCredentials | None
    unusable: str | None = None
    operation: str | None = None  # set for an update, close or renew (services/publisher/operations.py)
    platform_job_id: str | None = None

    def sendable(self) -> tuple[PostingContent, PlatformCredentials]:
        """What an attempt sends; only a usable claim is sent, and `_build_claim` sets both for it."""
        if self.content is None or self.credentials is None:
            raise RuntimeError(f"posting {self.posting_id}: an unusable claim cannot be sent ({self.unusable})")
        return self.content, self.credentials


@dataclass(frozen=True)
class LeaseHeld:
    """Another worker holds the posting until `until`."""

    until: datetime


def claim(ctx: WorkerContext, posting_id: int) -> Claim | LeaseHeld | None:
    """Take the posting for one attempt; None when there is nothing to do."""
    now = utcnow()
    taking = dict(status=PostingStatus.PUBLISHING, total_attempts=Posting.total_attempts + 1)
    return take_posting(ctx, posting_id, _claimable(now), taking, now, not_taken=_why_not_claimed)


def take_posting(
    ctx: WorkerContext,
    posting_id: int,
    claimable,
    taking: dict,
    now: datetime,
    *,
    not_taken,
    for_operation: bool = False,
) -> Claim | LeaseHeld | None:
    """Lease the posting if `claimable` holds, setting `taking` too: the one claim step of a publish
    and of an operation (services/publisher/operation_attempts.py), whose claim names the operation.
    When the posting is not claimable, `not_taken(posting, now)` says whether to wait for a lease."""
    token = str(uuid.uuid4())
    with unit_of_work(ctx.sessions) as session:
        # An UPDATE's result is a CursorResult (which has the rowcount); Session.execute is typed as any Result.
        result = session.execute(
            update(Posting)
            .where(Posting.id == posting_id, claimable)
            .values(
                **taking,
                lease_token=token,
                lease_expires_at=now + timedelta(seconds=ctx.settings.lease_seconds),
                attempts=Posting.attempts + 1,
                unfinished_claims=Posting.unfinished_claims + 1,
                next_attempt_at=None,
            )
            .execution_options(synchronize_session=False)
        )
        taken = cast("CursorResult[Any]", result).rowcount
        # The job comes in the same query: the attempt needs it to build what it sends.
        posting = session.get(Posting, posting_id, populate_existing=True, options=[joinedload(Posting.job)])
        if posting is None:
            return None
        if not taken:
            return not_taken(posting, now)
        held = _build_claim(ctx, session, posting, token)
        if for_operation:
            held = dataclasses.replace(held, operation=posting.operation, platform_job_id=posting.platform_job_id)
        return held


def _claimable(now: datetime):
    due = or_(Posting.next_attempt_at.is_(None), Posting.next_attempt_at <= now + EARLY_DUPLICATE_TOLERANCE)
    abandoned = and_(Posting.status == PostingStatus.PUBLISHING, Posting.lease_expires_at < now)
    return or_(and_(Posting.status == PostingStatus.PENDING, due), abandoned)


def _why_not_claimed(posting: Posting, now: datetime) -> LeaseHeld | None:
    if posting.status == PostingStatus.PUBLISHING and posting.lease_expires_at and posting.lease_expires_at >= now:
        return LeaseHeld(until=posting.lease_expires_at)
    log.info("publish.skipped", posting_id=posting.id, status=posting.status)
    return None


def _build_claim(ctx: WorkerContext, session: Session, posting: Posting, token: str) -> Claim:
    unusable = None
    content = credentials = None
    connection = find_connection(session, posting.organization_id, posting.platform)
    try:
        if connection is None or not connection.enabled:
            raise PlatformNotConnected(f"{posting.platform} is not connected for this organization")
        credentials = credentials_of(ctx.cipher, connection)
        content = posting_content(posting, ctx.settings)
    except (PlatformNotConnected, CredentialDecryptError, ValueError) as error:
        unusable = str(error)
    if posting.unfinished_claims > ctx.settings.quarantine_after_deliveries:
        # dramatiq redelivers a message whose worker dies for ever; count those deaths here instead.
        unusable = (
            f"quarantined: {posting.unfinished_claims - 1} deliveries of this publish ended without an outcome "
            "(the worker died each time); replay it once the cause is found"
        )
    # The organization's own retry limit for the platform, if it set one.
    max_attempts = (connection and connection.publish_max_attempts) or ctx.settings.publish_max_attempts
    return Claim(
        posting_id=posting.id,
        organization_id=posting.organization_id,
        job_id=posting.job_id,
        platform=posting.platform,
        lease_token=token,
        attempt=posting.attempts,
        look_up_first=posting.total_attempts > 1,
        task_id=posting.task_id,
        requested_at=posting.requested_at,
        max_attempts=max_attempts,
        content=content,
        credentials=credentials,
        unusable=unusable,
    )


def _held_posting(session: Session, held: Claim) -> Posting | None:
    """The posting, locked, if this claim still holds its lease."""
    posting = session.get(Posting, held.posting_id, with_for_update=True, populate_existing=True)
    if posting is None or posting.lease_token != held.lease_token:
        log.warning("publish.lease_lost", posting_id=held.posting_id)
        return None
    return posting


def _event_fields(held: Claim) -> dict:
    return dict(
        organization_id=held.organization_id, job_id=held.job_id, posting_id=held.posting_id, platform=held.platform
    )


def keep_lease(ctx: WorkerContext, held: Claim, task_id: str | None = None) -> bool:
    """Extend the lease while a long attempt goes on; remember the platform's task id."""
    with unit_of_work(ctx.sessions) as session:
        posting = _held_posting(session, held)
        if posting is None:
            return False
        posting.lease_expires_at = utcnow() + timedelta(seconds=ctx.settings.lease_seconds)
        if task_id:
            posting.task_id = task_id
        return True


def record_published(ctx: WorkerContext, held: Claim, state: PostingState, correlation_id: str | None) -> None:
    with unit_of_work(ctx.sessions) as session:
        posting = _held_posting(session, held)
        if posting is None:
            return
        posting.status = PostingStatus.PUBLISHED
        posting.platform_job_id = state.platform_job_id
        posting.url = state.url
        posting.last_error = None
        posting.published_at = utcnow()
        posting.task_id = None  # the create's task is done; an operation later must not poll it
        _release(posting)
        event = JobPublished(
            **_event_fields(held), attempt=held.attempt, platform_job_id=state.platform_job_id or "", url=state.url
        )
        record(session, event, correlation_id=correlation_id)
        after_publish_outcome(session, posting, correlation_id)  # an update or close asked for meanwhile
        data = dict(job_id=held.job_id, platform=held.platform, platform_job_id=state.platform_job_id, url=state.url)
        notify(session, held.organization_id, JOB_PUBLISHED, data)
    metrics.PUBLISHES.labels(held.platform).inc()


def record_failed(ctx: WorkerContext, held: Claim, error: str, *, permanent: bool, correlation_id: str | None) -> None:
    with unit_of_work(ctx.sessions) as session:
        posting = _held_posting(session, held)
        if posting is None:
            return
        posting.status = PostingStatus.FAILED
        posting.last_error = error
        _release(posting)
        event = JobPublishFailed(**_event_fields(held), attempt=held.attempt, error=error, permanent=permanent)
        record(session, event, correlation_id=correlation_id)
        after_publish_outcome(session, posting, correlation_id)  # a close asked for meanwhile closes it here
        data = dict(job_id=held.job_id, platform=held.platform, error=error, permanent=permanent)
        notify(session, held.organization_id, JOB_PUBLISH_FAILED, data)
    metrics.PUBLISH_FAILURES.labels(held.platform, str(permanent).lower()).inc()


def record_transient(
    ctx: WorkerContext, held: Claim, error: str, retry_after: float | None, correlation_id: str | None
) -> None:
    """Schedule the next attempt in the outbox, or fail the posting when attempts are used up."""
    settings = ctx.settings
    if held.attempt >= held.max_attempts:
        message = f"gave up after {held.attempt} attempts; last error: {error}"
        record_failed(ctx, held, message, permanent=False, correlation_id=correlation_id)
        return
    retry_at = utcnow() + timedelta(seconds=retry_delay(settings, held.attempt, retry_after))
    with unit_of_work(ctx.sessions) as session:
        posting = _held_posting(session, held)
        if posting is None:
            return
        posting.status = PostingStatus.PENDING
        posting.last_error = error
        posting.next_attempt_at = retry_at
        _release(posting)
        event = JobPublishRetryScheduled(**_event_fields(held), attempt=held.attempt, error=error, retry_at=retry_at)
        record(session, event, dispatch=publish_dispatch(held.platform, retry_at), correlation_id=correlation_id)
    metrics.PUBLISH_RETRIES.labels(held.platform).inc()


def record_still_processing(ctx: WorkerContext, held: Claim, message: str, correlation_id: str | None) -> None:
    """The platform accepted the posting and is still settling it: look again soon.

    That is no failure (LinkedIn takes up to minutes), so it uses up no attempt, unless the
    posting has been settling for longer than JOBPUB_TASK_SETTLE_TIMEOUT_SECONDS.
    """
    settings = ctx.settings
    if utcnow() - held.requested_at > timedelta(seconds=settings.task_settle_timeout_seconds):
        record_transient(ctx, held, message, None, correlation_id)
        return
    record_deferred(ctx, held, message, settings.retry_backoff_seconds, correlation_id)


def record_deferred(
    ctx: WorkerContext, held: Claim, message: str, seconds: float, correlation_id: str | None, *, sent: bool = True
) -> None:
    """Try again in `seconds` without counting this claim as an attempt (nothing failed: the
    platform is still settling the posting, or our quota pace had no turn free soon enough).

    `sent=False` says no request left for the platform in this claim, so the next one need not
    look the posting up first (a look-up would spend the quota this deferral saved).
    """
    check_at = utcnow() + timedelta(seconds=seconds)
    with unit_of_work(ctx.sessions) as session:
        posting = _held_posting(session, held)
        if posting is None:
            return
        posting.status = PostingStatus.PENDING
        posting.attempts = held.attempt - 1  # give back the attempt this claim took
        if not sent:
            posting.total_attempts -= 1  # we hold the lease: no other claim counted meanwhile
        posting.next_attempt_at = check_at
        _release(posting)
        event = JobPublishRetryScheduled(**_event_fields(held), attempt=held.attempt, error=message, retry_at=check_at)
        record(session, event, dispatch=publish_dispatch(held.platform, check_at), correlation_id=correlation_id)


# Its own generator: jitter needs no shared seed, and leaves the global one to whoever else uses it.
_jitter = random.Random()


def retry_delay(settings, attempt: int, retry_after: float | None) -> float:
    """Exponential backoff with jitter, never shorter than the platform's own Retry-After."""
    backoff = min(settings.retry_backoff_seconds * 2 ** (attempt - 1), settings.retry_backoff_max_seconds)
    backoff *= 1 + _jitter.uniform(-BACKOFF_JITTER, BACKOFF_JITTER)
    return max(backoff, retry_after or 0.0)


def _release(posting: Posting) -> None:
    """The attempt ended with a recorded outcome (every outcome passes here)."""
    posting.lease_token = None
    posting.lease_expires_at = None
    posting.unfinished_claims = 0
