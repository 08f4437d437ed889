"""A notification delivery's life in the database: claimed before it is sent, its outcome recorded after.

No transaction is open while a tenant's endpoint is called (it may be slow on purpose, and on
SQLite an open write transaction stalls every tenant). The claim commits first: the row becomes
`sending`, `attempts` counts the attempt, and `next_attempt_at` holds the claim's lease. A copy
of the message arriving meanwhile finds the claim and sends nothing; if the claim's worker died
mid-send, that copy (dramatiq redelivers an unacknowledged message) queues another look for
when the lease ends, and that look claims the delivery again: at least once, never lost.

The outcome is written only by the claim still current (`attempts` is its token): a 2xx answer
delivers; anything else queues the next attempt through the outbox with backoff until
JOBPUB_NOTIFY_MAX_ATTEMPTS, then fails the delivery.

    pending --claim--> sending --2xx--> delivered
                          |----other--> pending (retry queued) | failed (attempts used up)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared import metrics
from shared.context import WorkerContext
from shared.db import unit_of_work
from shared.models import NotificationDelivery, NotificationEndpoint, utcnow
from shared.notifications import queue_delivery

log = structlog.get_logger(__name__)

ERROR_TEXT_MAX = 500
EARLY_COPY_TOLERANCE = timedelta(seconds=1)
# A claim outlives the send's deadline by this much: the address lookup before it (the system
# resolver's own timeouts) and recording the outcome after it must fit in.
CLAIM_MARGIN = timedelta(seconds=30)
ENDPOINT_GONE = "the endpoint was removed or disabled"


@dataclass(frozen=True)
class Claim:
    """What sending needs, read while the delivery was claimed; `attempt` is the claim's token."""

    delivery_id: int
    attempt: int
    organization_id: int
    message_id: str
    payload: dict
    url: str
    secret_encrypted: str


def claim_delivery(ctx: WorkerContext, delivery_id: int) -> Claim | None:
    """Claim the delivery for one attempt and commit; None when this message has nothing to send."""
    now = utcnow()
    with unit_of_work(ctx.sessions) as session:
        delivery = _locked(session, delivery_id)
        if delivery is None or not _due(session, delivery, now):
            return None
        endpoint = session.get(NotificationEndpoint, delivery.endpoint_id)
        delivery.attempts += 1
        if endpoint is not None and endpoint.enabled:
            delivery.status = "sending"
            delivery.next_attempt_at = now + timedelta(seconds=ctx.settings.notify_deadline_seconds) + CLAIM_MARGIN
            return Claim(
                delivery.id,
                delivery.attempts,
                delivery.organization_id,
                delivery.message_id,
                delivery.payload,
                endpoint.url,
                endpoint.secret_encrypted,
            )
        _finish(delivery, "failed", ENDPOINT_GONE, None)
    metrics.NOTIFICATION_DELIVERIES.labels("failed").inc()
    return None


def record_outcome(ctx: WorkerContext, claim: Claim, error: str | None, status_code: int | None) -> None:
    """Write how the attempt went, if its claim is still the current one; queue the retry."""
    with unit_of_work(ctx.sessions) as session:
        delivery = _locked(session, claim.delivery_id)
        if delivery is None or (delivery.status, delivery.attempts) != ("sending", claim.attempt):
            # Our lease ran out and another claim took over; it records its own outcome.
            log.warning("notify.claim_lapsed", delivery_id=claim.delivery_id, attempt=claim.attempt)
            return
        _apply_outcome(ctx, session, delivery, error, status_code)
        status = delivery.status
    metrics.NOTIFICATION_DELIVERIES.labels(status).inc()


def _apply_outcome(
    ctx: WorkerContext, session: Session, delivery: NotificationDelivery, error: str | None, status_code: int | None
) -> None:
    error = error[:ERROR_TEXT_MAX] if error else None
    if error is None:
        _finish(delivery, "delivered", None, status_code)
    elif delivery.attempts >= ctx.settings.notify_max_attempts or not _endpoint_enabled(session, delivery):
        _finish(delivery, "failed", error, status_code)
    else:
        delivery.status, delivery.last_error, delivery.last_status_code = "pending", error, status_code
        delivery.next_attempt_at = utcnow() + timedelta(seconds=_backoff(ctx, delivery.attempts))
        queue_delivery(session, delivery, not_before=delivery.next_attempt_at)
    log.info("notify.attempted", delivery_id=delivery.id, status=delivery.status, http_status=status_code, error=error)


def _locked(session: Session, delivery_id: int) -> NotificationDelivery | None:
    # Held for a few statements only (never across the send), so waiting for it is brief.
    return session.scalar(select(NotificationDelivery).where(NotificationDelivery.id == delivery_id).with_for_update())


def _due(session: Session, delivery: NotificationDelivery, now: datetime) -> bool:
    if delivery.status == "pending":
        # A copy of an earlier message finds a retry not yet due: that retry's own message comes when it is.
        return delivery.next_attempt_at is None or delivery.next_attempt_at <= now + EARLY_COPY_TOLERANCE
    if delivery.status == "sending":
        if delivery.next_attempt_at is None or delivery.next_attempt_at <= now:
            return True  # the claim's worker died mid-send: its lease has run out
        # Sending now, or its worker died: look again when the lease ends, so the second case is retried.
        queue_delivery(session, delivery, not_before=delivery.next_attempt_at)
        return False
    return False  # delivered or failed already


def _finish(delivery: NotificationDelivery, status: str, error: str | None, status_code: int | None) -> None:
    delivery.status, delivery.last_error, delivery.last_status_code = status, error, status_code
    delivery.next_attempt_at = None
    if status == "delivered":
        delivery.delivered_at = utcnow()


def _endpoint_enabled(session: Session, delivery: NotificationDelivery) -> bool:
    endpoint = session.get(NotificationEndpoint, delivery.endpoint_id)
    return endpoint is not None and endpoint.enabled


def _backoff(ctx: WorkerContext, attempt: int) -> float:
    settings = ctx.settings
    return min(settings.notify_backoff_seconds * 2 ** (attempt - 1), settings.notify_backoff_max_seconds)
