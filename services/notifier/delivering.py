"""Sending one notification to a tenant's endpoint, and recording how it went.

The delivery row is locked while it is sent, so two copies of its message never send it at
once; the lock is skipped by a copy that arrives meanwhile, which then has nothing to do.
A 2xx answer delivers it. Anything else (another status, a redirect, no answer, an address the
URL guard refuses) is an attempt that failed: the next is queued with backoff through the
outbox until JOBPUB_NOTIFY_MAX_ATTEMPTS, then the delivery is failed. Receivers deduplicate on
`webhook-id`, which stays the same across attempts.
"""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

import httpx
import structlog
from sqlalchemy import select

from shared import metrics
from shared.context import WorkerContext
from shared.crypto import CredentialDecryptError
from shared.db import unit_of_work
from shared.models import NotificationDelivery, NotificationEndpoint, utcnow
from shared.notifications import open_signing_secret, queue_delivery, sign
from shared.url_guard import CheckedTarget, UnsafeUrl, check_on_fetch, parse_networks

log = structlog.get_logger(__name__)

ERROR_TEXT_MAX = 500
EARLY_COPY_TOLERANCE = timedelta(seconds=1)


def deliver(ctx: WorkerContext, http: httpx.Client, delivery_id: int) -> None:
    with unit_of_work(ctx.sessions) as session:
        delivery = session.scalar(
            select(NotificationDelivery).where(NotificationDelivery.id == delivery_id).with_for_update(skip_locked=True)
        )
        if delivery is None or delivery.status != "pending":
            return  # done already, or another copy is sending it right now
        if delivery.next_attempt_at and delivery.next_attempt_at > utcnow() + EARLY_COPY_TOLERANCE:
            return  # a copy of an earlier message: the retry's own message comes when it is due
        endpoint = session.get(NotificationEndpoint, delivery.endpoint_id)
        delivery.attempts += 1
        error, status_code = _send(ctx, http, endpoint, delivery)
        delivery.last_status_code = status_code
        delivery.last_error = error
        if error is None:
            delivery.status, delivery.delivered_at = "delivered", utcnow()
        elif delivery.attempts >= ctx.settings.notify_max_attempts or endpoint is None or not endpoint.enabled:
            delivery.status = "failed"
        else:
            delivery.next_attempt_at = utcnow() + timedelta(seconds=_backoff(ctx, delivery.attempts))
            queue_delivery(session, delivery, not_before=delivery.next_attempt_at)
        log.info("notify.attempted", delivery_id=delivery.id, status=delivery.status, http_status=status_code, error=error)
    metrics.NOTIFICATION_DELIVERIES.labels(delivery.status).inc()


def _send(ctx: WorkerContext, http: httpx.Client, endpoint, delivery) -> tuple[str | None, int | None]:
    """None and the status on success; otherwise what went wrong (never the secret)."""
    if endpoint is None or not endpoint.enabled:
        return "the endpoint was removed or disabled", None
    try:
        secret = open_signing_secret(ctx.cipher, endpoint)
        target = check_on_fetch(endpoint.url, parse_networks(ctx.settings.webhook_allowed_networks))
    except (UnsafeUrl, CredentialDecryptError) as error:
        return str(error)[:ERROR_TEXT_MAX], None
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = int(utcnow().timestamp())
    headers = {
        "content-type": "application/json",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, delivery.message_id, timestamp, body),
    }
    try:
        response = _post_to_checked_address(http, target, body, headers)
    except httpx.HTTPError as error:
        return f"no answer: {type(error).__name__}", None
    if 200 <= response.status_code < 300:
        return None, response.status_code
    if response.is_redirect:
        return f"answered {response.status_code}: redirects are not followed", response.status_code
    return f"answered {response.status_code}", response.status_code


def _post_to_checked_address(http: httpx.Client, target: CheckedTarget, body: bytes, headers: dict) -> httpx.Response:
    """Connect to the address the guard checked (no second lookup), naming the host for HTTP and TLS."""
    parts = urlsplit(target.url)
    address = f"[{target.address}]" if ":" in target.address else target.address
    url = urlunsplit((parts.scheme, f"{address}:{target.port}", parts.path or "/", parts.query, ""))
    host_header = target.host if parts.port is None else f"{target.host}:{parts.port}"
    return http.post(url, content=body, headers={**headers, "host": host_header}, extensions={"sni_hostname": target.host})


def _backoff(ctx: WorkerContext, attempt: int) -> float:
    settings = ctx.settings
    return min(settings.notify_backoff_seconds * 2 ** (attempt - 1), settings.notify_backoff_max_seconds)


def build_notify_client(ctx: WorkerContext) -> httpx.Client:
    # No proxies from the environment and no redirects: the guard must see every address we reach.
    return httpx.Client(timeout=ctx.settings.http_timeout_seconds, follow_redirects=False, trust_env=False)
