"""Sending one notification to a tenant's endpoint, and recording how it went.

The order keeps the database out of the tenant's hands: claim the delivery and commit
(attempts.py), then sign and send with no transaction open, bounded by a deadline and never
reading the answer's body (sending.py), then record the outcome in a short transaction of its
own. A 2xx answer delivers it; anything else (another status, a redirect, no answer in time, an
address the URL guard refuses, a secret no key opens) is an attempt that failed, retried with
backoff through the outbox. Receivers deduplicate on `webhook-id`, the same on every attempt.
"""

from __future__ import annotations

import json

from services.notifier.attempts import Claim, claim_delivery, record_outcome
from services.notifier.sending import WebhookSender
from shared.context import WorkerContext
from shared.crypto import CredentialDecryptError
from shared.models import utcnow
from shared.notifications import open_signing_secret, sign
from shared.url_guard import UnsafeUrl, check_on_fetch, parse_networks


def deliver(ctx: WorkerContext, sender: WebhookSender, delivery_id: int) -> None:
    claim = claim_delivery(ctx, delivery_id)
    if claim is None:
        return  # done already, not due yet, or another copy is sending it right now
    error, status_code = _send(ctx, sender, claim)  # no transaction is open while the tenant answers
    record_outcome(ctx, claim, error, status_code)


def _send(ctx: WorkerContext, sender: WebhookSender, claim: Claim) -> tuple[str | None, int | None]:
    """None and the status on success; otherwise what went wrong (never the secret)."""
    try:
        secret = open_signing_secret(ctx.cipher, claim.organization_id, claim.secret_encrypted)
        target = check_on_fetch(claim.url, parse_networks(ctx.settings.webhook_allowed_networks))
    except (UnsafeUrl, CredentialDecryptError) as error:
        return str(error), None
    body = json.dumps(claim.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = int(utcnow().timestamp())
    headers = {
        "content-type": "application/json",
        "webhook-id": claim.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, claim.message_id, timestamp, body),
    }
    return sender.post(target, body, headers)


def build_notify_client(ctx: WorkerContext) -> WebhookSender:
    return WebhookSender(ctx.settings)
