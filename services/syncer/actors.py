"""The sync actor: pulls one organization's applications from one platform (queue `sync.applications`).

A message is a turn: it runs the fairest pending pull, not necessarily the one it names
(services/syncer/turns.py says why).

Declared onto a broker given to it, like the publish actors, so the broker is always built
first and in one place (shared/broker.py).
"""

from __future__ import annotations

from typing import Any

import dramatiq
import structlog

from services.syncer.syncing import run_sync
from shared.context import WorkerContext
from shared.outbox import sync_dispatch


def declare_sync_actor(broker: dramatiq.Broker, ctx: WorkerContext) -> dramatiq.Actor:
    route = sync_dispatch()

    def sync_applications(event: dict[str, Any], correlation_id: str | None = None) -> None:
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(
            correlation_id=correlation_id,
            event_id=event.get("event_id"),
            turn_of=event["sync_id"],
            platform=event["platform"],
        )
        run_sync(ctx, event["sync_id"], correlation_id, turn=event["event_id"])

    return dramatiq.actor(actor_name=route.actor, queue_name=route.queue, broker=broker)(sync_applications)
