"""The publish actors: one per platform, each on its own queue (`publish.<platform>`).

Actors are declared onto a broker given to them rather than bound at import, so the broker is
always built first, in one place (shared/broker.py), and tests can run them on their own one.
"""

from __future__ import annotations

from typing import Any

import dramatiq
import structlog

from services.publisher.operations import run_operation
from services.publisher.publishing import publish_posting
from services.publisher.status_forwarding import forward_status
from shared.context import WorkerContext
from shared.outbox import publish_dispatch, status_dispatch


def declare_publish_actors(broker: dramatiq.Broker, ctx: WorkerContext) -> dict[str, dramatiq.Actor]:
    """The publish actor of every platform, and beside each on its queue the one that forwards
    application statuses to that platform (`status.<platform>`)."""
    actors = {name: _declare(broker, ctx, name) for name in ctx.platforms}
    actors.update({f"status.{name}": _declare_status(broker, ctx, name) for name in ctx.platforms})
    return actors


def _declare(broker: dramatiq.Broker, ctx: WorkerContext, platform: str) -> dramatiq.Actor:
    route = publish_dispatch(platform)

    def publish(event: dict[str, Any], correlation_id: str | None = None) -> None:
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(
            correlation_id=correlation_id, event_id=event.get("event_id"), posting_id=event["posting_id"]
        )
        # One queue per platform carries its publishes and its lifecycle operations alike.
        if event.get("operation"):
            run_operation(ctx, event["posting_id"], correlation_id)
        else:
            publish_posting(ctx, event["posting_id"], correlation_id)

    publish.__name__ = publish.__qualname__ = f"publish_{platform}"
    return dramatiq.actor(actor_name=route.actor, queue_name=route.queue, broker=broker)(publish)


def _declare_status(broker: dramatiq.Broker, ctx: WorkerContext, platform: str) -> dramatiq.Actor:
    route = status_dispatch(platform)

    def forward(event: dict[str, Any], correlation_id: str | None = None) -> None:
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(
            correlation_id=correlation_id,
            event_id=event.get("event_id"),
            application_id=event["application_id"],
            status_update_id=event["status_update_id"],
        )
        forward_status(ctx, event["status_update_id"])

    forward.__name__ = forward.__qualname__ = f"forward_status_{platform}"
    return dramatiq.actor(actor_name=route.actor, queue_name=route.queue, broker=broker)(forward)
