"""Forwarding one application status to its board: claim, call the board with no transaction
open, record the outcome (services/publisher/status_attempts.py).

Rides the board's publish queue beside its publishes (actor `status.<platform>`), so it shares
the worker group, the platform's request quota, the backoff and the attempt limit of a publish.
A copy of the message that finds another worker mid-call waits for its lease (as a publish
does): if that worker died, this copy takes over once the lease lapses.
"""

from __future__ import annotations

import time

import structlog

from services.publisher import status_attempts as attempts
from shared.context import WorkerContext
from shared.models import utcnow
from shared.platforms.base import OperationNotSupported, PermanentPlatformError, QuotaWait, TransientPlatformError

log = structlog.get_logger(__name__)


def forward_status(ctx: WorkerContext, update_id: int) -> None:
    held = _claim_when_free(ctx, update_id)
    if held is None:
        return
    structlog.contextvars.bind_contextvars(platform=held.platform, attempt=held.attempt, status=held.status)
    if held.unusable or held.credentials is None:
        attempts.record_failed(ctx, held, held.unusable or "no credentials", permanent=True)
        return
    platform = ctx.platforms[held.platform]
    try:
        platform.send_application_status(
            held.application_external_id, held.job_external_id, held.status, held.at, held.credentials
        )
    except OperationNotSupported as error:
        log.info("status.not_supported", error=str(error))
        attempts.record_not_supported(ctx, held)
    except PermanentPlatformError as error:
        log.info("status.failed", error=str(error))
        attempts.record_failed(ctx, held, str(error), permanent=True)
    except TransientPlatformError as error:  # QuotaWait among them: our own pace said not yet
        held_back = isinstance(error, QuotaWait)
        log.info("status.retry", error=str(error), retry_after=error.retry_after, quota=held_back)
        attempts.record_transient(ctx, held, str(error), error.retry_after, sent=not held_back)
    else:
        log.info("status.sent")
        attempts.record_sent(ctx, held)


def _claim_when_free(ctx: WorkerContext, update_id: int) -> attempts.StatusClaim | None:
    while True:
        outcome = attempts.claim_update(ctx, update_id)
        if not isinstance(outcome, attempts.LeaseHeld):
            return outcome
        remaining = (outcome.until - utcnow()).total_seconds()
        time.sleep(min(max(remaining, 0.05), ctx.settings.task_poll_interval_seconds))
