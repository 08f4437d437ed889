"""One publish attempt, from claim to recorded outcome.

The order of platform calls is what keeps a posting single: a posting that may already exist
(an earlier attempt got that far, or died unclear) is looked up, or its task polled, before
anything is created; a create is only sent when the platform holds nothing for our id.
"""

from __future__ import annotations

import time

import structlog

from services.publisher import attempts
from shared.context import WorkerContext
from shared.models import utcnow
from shared.platforms.base import PermanentPlatformError, Platform, PostingState, QuotaWait, TransientPlatformError

log = structlog.get_logger(__name__)


class StillInProgress(TransientPlatformError):
    """The platform accepted the posting but had not settled it when we stopped polling."""


class CreateNeverSent(QuotaWait):
    """The quota pace held back the first create of a posting: nothing can exist to look up."""


def publish_posting(ctx: WorkerContext, posting_id: int, correlation_id: str | None = None) -> None:
    held = _claim_when_free(ctx, posting_id)
    if held is None:
        return
    structlog.contextvars.bind_contextvars(job_id=held.job_id, platform=held.platform, attempt=held.attempt)
    if held.unusable:
        attempts.record_failed(ctx, held, held.unusable, permanent=True, correlation_id=correlation_id)
        return
    platform = ctx.platforms[held.platform]
    try:
        state = _reach_platform(ctx, platform, held)
    except StillInProgress as error:
        log.info("publish.still_processing", task_id=held.task_id)
        attempts.record_still_processing(ctx, held, str(error), correlation_id)
    except QuotaWait as error:
        log.info("publish.deferred", error=str(error), retry_after=error.retry_after)
        sent = not isinstance(error, CreateNeverSent)
        # A quota wait always says when the next free turn is (shared/platforms/http.py); its type allows None.
        wait = ctx.settings.retry_backoff_seconds if error.retry_after is None else error.retry_after
        attempts.record_deferred(ctx, held, str(error), wait, correlation_id, sent=sent)
    except PermanentPlatformError as error:
        log.info("publish.failed", error=str(error))
        attempts.record_failed(ctx, held, str(error), permanent=True, correlation_id=correlation_id)
    except TransientPlatformError as error:
        log.info("publish.retry", error=str(error), retry_after=error.retry_after)
        attempts.record_transient(ctx, held, str(error), error.retry_after, correlation_id)
    else:
        log.info("publish.published", platform_job_id=state.platform_job_id)
        attempts.record_published(ctx, held, state, correlation_id)


def _claim_when_free(ctx: WorkerContext, posting_id: int, claim=attempts.claim) -> attempts.Claim | None:
    """Claim the posting; if another worker holds it, wait for that worker to finish or die.

    Waiting (instead of dropping the message) matters when the holder was killed: its own
    message may come back before its lease runs out, and must not be thrown away then.
    """
    while True:
        outcome = claim(ctx, posting_id)
        if not isinstance(outcome, attempts.LeaseHeld):
            return outcome
        remaining = (outcome.until - utcnow()).total_seconds()
        time.sleep(min(max(remaining, 0.05), ctx.settings.task_poll_interval_seconds))


def _reach_platform(
    ctx: WorkerContext, platform: Platform, held: attempts.Claim, first_call=None, keep_lease=attempts.keep_lease
) -> PostingState:
    """Make the first call (a publish's, unless given) and poll its task until the platform settles it."""
    state = (first_call or _first_call)(platform, held)
    deadline = time.monotonic() + ctx.settings.task_poll_timeout_seconds
    while not state.published:
        if not keep_lease(ctx, held, state.task_id):
            raise TransientPlatformError("another worker took the posting over")
        if time.monotonic() >= deadline:
            raise StillInProgress(f"{platform.name} is still processing the posting")
        time.sleep(ctx.settings.task_poll_interval_seconds)
        state = _poll(platform, held, state)
    return state


def _first_call(platform: Platform, held: attempts.Claim) -> PostingState:
    content, credentials = held.sendable()
    if held.task_id:
        return platform.check_task(held.task_id, credentials)
    if held.look_up_first:
        found = platform.find_posting(content.external_id, credentials)
        if found is not None:
            log.info("publish.found_existing", published=found.published)
            return found
    try:
        return platform.create_posting(content, credentials)
    except QuotaWait as error:
        if held.look_up_first:
            raise
        raise CreateNeverSent(str(error), retry_after=error.retry_after) from None


def _poll(platform: Platform, held: attempts.Claim, state: PostingState) -> PostingState:
    content, credentials = held.sendable()
    if state.task_id:
        return platform.check_task(state.task_id, credentials)
    found = platform.find_posting(content.external_id, credentials)
    if found is None:
        raise TransientPlatformError(
            f"{platform.name} lost track of the posting while it was in progress", unclear=True
        )
    return found
