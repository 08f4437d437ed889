"""One update, close or renew attempt, from claim to recorded outcome.

The same path as a publish (services/publisher/publishing.py): claim with a lease, call the
platform, poll its task while keeping the lease, record the outcome. A redelivered message finds
the operation taken (and waits for the lease) or done (and stops). An attempt that has a task
id from an earlier attempt of the same request (one that died mid-poll) polls that task rather
than sending the operation again, so a renew is not applied twice after a crash.
"""

from __future__ import annotations

import structlog

from services.publisher import operation_attempts as attempts
from services.publisher.attempts import Claim
from services.publisher.publishing import StillInProgress, _claim_when_free, _reach_platform
from shared.context import WorkerContext
from shared.platforms.base import PermanentPlatformError, Platform, PostingState, TransientPlatformError

log = structlog.get_logger(__name__)


def run_operation(ctx: WorkerContext, posting_id: int, correlation_id: str | None = None) -> None:
    held = _claim_when_free(ctx, posting_id, claim=attempts.claim_operation)
    if held is None:
        return
    structlog.contextvars.bind_contextvars(
        job_id=held.job_id, platform=held.platform, attempt=held.attempt, operation=held.operation
    )
    if held.unusable:
        attempts.record_failed(ctx, held, held.unusable, permanent=True, correlation_id=correlation_id)
        return
    try:
        _reach_platform(
            ctx, ctx.platforms[held.platform], held, first_call=_send_operation, keep_lease=attempts.keep_lease
        )
    except StillInProgress as error:
        log.info("operation.still_processing")
        attempts.record_transient(ctx, held, str(error), None, correlation_id, give_back=True)
    except PermanentPlatformError as error:
        log.info("operation.failed", error=str(error))
        attempts.record_failed(ctx, held, str(error), permanent=True, correlation_id=correlation_id)
    except TransientPlatformError as error:
        log.info("operation.retry", error=str(error), retry_after=error.retry_after)
        attempts.record_transient(ctx, held, str(error), error.retry_after, correlation_id)
    else:
        log.info("operation.done")
        attempts.record_done(ctx, held, correlation_id)


def _send_operation(platform: Platform, held: Claim) -> PostingState:
    content, credentials = held.sendable()
    if held.task_id:
        return platform.check_task(held.task_id, credentials)
    # claim_operation takes only a published posting (it has the platform's id) with an operation waiting.
    assert held.operation is not None and held.platform_job_id is not None
    send = {"update": platform.update_posting, "close": platform.close_posting, "renew": platform.renew_posting}
    return send[held.operation](held.platform_job_id, content, credentials)
