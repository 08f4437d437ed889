"""How a publish attempt ended, recorded: published, failed, retried later, or still processing.

Every outcome is written with its event in one transaction, and only by the holder of the
posting's lease (services/publisher/claims.py), which the outcome then releases
(services/publisher/outcomes.py writes it).
"""

from __future__ import annotations

import random
from datetime import timedelta

import structlog

from services.publisher.claims import Claim
from services.publisher.outcomes import Outcome, write_outcome
from shared import metrics
from shared.context import WorkerContext
from shared.events import JobPublished, JobPublishFailed, JobPublishRetryScheduled
from shared.models import PostingStatus, utcnow
from shared.notifications import JOB_PUBLISH_FAILED, JOB_PUBLISHED
from shared.outbox import publish_dispatch
from shared.platforms.base import PostingState

log = structlog.get_logger(__name__)

BACKOFF_JITTER = 0.1  # ±10%, so postings that failed together do not retry in lockstep


def _event_fields(held: Claim) -> dict:
    return dict(
        organization_id=held.organization_id, job_id=held.job_id, posting_id=held.posting_id, platform=held.platform
    )


def record_published(ctx: WorkerContext, held: Claim, state: PostingState, correlation_id: str | None) -> None:
    changes = dict(
        status=PostingStatus.PUBLISHED,
        platform_job_id=state.platform_job_id,
        url=state.url,
        last_error=None,
        published_at=utcnow(),
        task_id=None,  # the create's task is done; an operation later must not poll it
    )
    event = JobPublished(
        **_event_fields(held), attempt=held.attempt, platform_job_id=state.platform_job_id or "", url=state.url
    )
    data = dict(job_id=held.job_id, platform=held.platform, platform_job_id=state.platform_job_id, url=state.url)
    # settles_publish: an update or close asked for meanwhile is sent now.
    outcome = Outcome(changes, event, notification=(JOB_PUBLISHED, data), settles_publish=True)
    if write_outcome(ctx, held, outcome, correlation_id):
        metrics.PUBLISHES.labels(held.platform).inc()


def record_failed(ctx: WorkerContext, held: Claim, error: str, *, permanent: bool, correlation_id: str | None) -> None:
    changes = dict(status=PostingStatus.FAILED, last_error=error)
    event = JobPublishFailed(**_event_fields(held), attempt=held.attempt, error=error, permanent=permanent)
    data = dict(job_id=held.job_id, platform=held.platform, error=error, permanent=permanent)
    # settles_publish: a close asked for meanwhile closes the posting here.
    outcome = Outcome(changes, event, notification=(JOB_PUBLISH_FAILED, data), settles_publish=True)
    if write_outcome(ctx, held, outcome, correlation_id):
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
    changes = dict(status=PostingStatus.PENDING, last_error=error, next_attempt_at=retry_at)
    event = JobPublishRetryScheduled(**_event_fields(held), attempt=held.attempt, error=error, retry_at=retry_at)
    outcome = Outcome(changes, event, dispatch=publish_dispatch(held.platform, retry_at))
    if write_outcome(ctx, held, outcome, correlation_id):
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
    # Give back the attempt this claim took; we hold the lease, so no other claim counted meanwhile.
    changes: dict = dict(status=PostingStatus.PENDING, attempts=held.attempt - 1, next_attempt_at=check_at)
    if not sent:
        changes["total_attempts"] = held.total_attempts - 1
    event = JobPublishRetryScheduled(**_event_fields(held), attempt=held.attempt, error=message, retry_at=check_at)
    write_outcome(
        ctx, held, Outcome(changes, event, dispatch=publish_dispatch(held.platform, check_at)), correlation_id
    )


# Its own generator: jitter needs no shared seed, and leaves the global one to whoever else uses it.
_jitter = random.Random()


def retry_delay(settings, attempt: int, retry_after: float | None) -> float:
    """Exponential backoff with jitter, never shorter than the platform's own Retry-After."""
    backoff = min(settings.retry_backoff_seconds * 2 ** (attempt - 1), settings.retry_backoff_max_seconds)
    backoff *= 1 + _jitter.uniform(-BACKOFF_JITTER, BACKOFF_JITTER)
    return max(backoff, retry_after or 0.0)
