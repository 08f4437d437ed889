"""The notify actor: sends one notification to a tenant's webhook endpoint (queue `notify.webhooks`)."""

from __future__ import annotations

from typing import Any

import dramatiq
import structlog

from services.notifier.delivering import build_notify_client, deliver
from shared.context import WorkerContext
from shared.notifications import notify_dispatch


def declare_notify_actor(broker: dramatiq.Broker, ctx: WorkerContext) -> dramatiq.Actor:
    route = notify_dispatch()
    sender = build_notify_client(ctx)

    def notify_webhook(event: dict[str, Any], correlation_id: str | None = None) -> None:
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(correlation_id=correlation_id, delivery_id=event["delivery_id"])
        deliver(ctx, sender, event["delivery_id"])

    return dramatiq.actor(actor_name=route.actor, queue_name=route.queue, broker=broker)(notify_webhook)
