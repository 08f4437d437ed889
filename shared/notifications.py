"""Notifications to a tenant's own webhook endpoints: what is sent, and how it is signed.

`notify` writes one delivery per enabled endpoint of the organization, with the event that
queues it, in the caller's transaction: a publish outcome and its notifications commit together
or not at all. The notifier (services/notifier) sends them, at least once, retried with backoff.

Signed the Standard Webhooks way: `webhook-id` (the receiver's dedup key), `webhook-timestamp`
(unix seconds) and `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed
with the endpoint's secret (`whsec_` + base64), which is shown once when the endpoint is made.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.crypto import CredentialCipher
from shared.events import WebhookDeliveryQueued
from shared.models import NotificationDelivery, NotificationEndpoint, utcnow
from shared.outbox import Dispatch, record

NOTIFY_QUEUE = "notify.webhooks"
SECRET_PREFIX = "whsec_"
SECRET_BYTES = 24

# The notification types a tenant receives, and the events that cause them.
JOB_PUBLISHED = "job.published"
JOB_PUBLISH_FAILED = "job.publish_failed"
APPLICATION_RECEIVED = "application.received"  # one pushed application (LinkedIn's webhook)
APPLICATIONS_RECEIVED = "applications.received"  # the new applications of one page of a pull


def notify_dispatch(not_before: datetime | None = None) -> Dispatch:
    return Dispatch(queue=NOTIFY_QUEUE, actor=NOTIFY_QUEUE, not_before=not_before)


def new_signing_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(os.urandom(SECRET_BYTES)).decode()


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(signed).decode()


def secret_binding(organization_id: int) -> str:
    """What an endpoint's signing secret is bound to when encrypted (see shared/crypto.py)."""
    return f"organization:{organization_id}/notifications"


def seal_signing_secret(cipher: CredentialCipher, organization_id: int, secret: str) -> str:
    return cipher.encrypt(secret, bound_to=secret_binding(organization_id))


def open_signing_secret(cipher: CredentialCipher, organization_id: int, sealed: str) -> str:
    return cipher.decrypt(sealed, bound_to=secret_binding(organization_id))


def notify(session: Session, organization_id: int, notification_type: str, data: dict[str, Any]) -> int:
    """Queue the notification to every enabled endpoint of the organization; returns how many."""
    endpoint_ids = session.scalars(
        select(NotificationEndpoint.id).where(
            NotificationEndpoint.organization_id == organization_id, NotificationEndpoint.enabled.is_(True)
        )
    ).all()
    for endpoint_id in endpoint_ids:
        message_id = f"msg_{uuid.uuid4().hex}"
        delivery = NotificationDelivery(
            endpoint_id=endpoint_id,
            organization_id=organization_id,
            message_id=message_id,
            event_type=notification_type,
            payload={"type": notification_type, "timestamp": utcnow().isoformat(), "data": data},
            status="pending",
            attempts=0,
        )
        session.add(delivery)
        session.flush()
        queue_delivery(session, delivery)
    return len(endpoint_ids)


def queue_delivery(session: Session, delivery: NotificationDelivery, not_before: datetime | None = None) -> None:
    event = WebhookDeliveryQueued(
        organization_id=delivery.organization_id,
        delivery_id=delivery.id,
        endpoint_id=delivery.endpoint_id,
        notification_type=delivery.event_type,
        attempt=delivery.attempts + 1,
    )
    record(session, event, dispatch=notify_dispatch(not_before))
