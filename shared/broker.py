"""The one place that builds the dramatiq broker and its middleware.

Actors are declared onto the broker this returns (see services/publisher/actors.py), never
bound at import time, so nothing can silently attach to a default broker.
"""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import (
    AgeLimit,
    Callbacks,
    CurrentMessage,
    Middleware,
    Pipelines,
    Retries,
    ShutdownNotifications,
    TimeLimit,
)

from shared.config import Settings

# Unexpected errors (a bug, the database gone) are retried by dramatiq a few times, quickly.
# Platform errors never reach dramatiq: their retries are scheduled in the database.
UNEXPECTED_ERROR_RETRIES = 3
UNEXPECTED_ERROR_MIN_BACKOFF_MS = 1_000
UNEXPECTED_ERROR_MAX_BACKOFF_MS = 30_000


def _middleware(settings: Settings) -> list[Middleware]:
    return [
        AgeLimit(),
        TimeLimit(time_limit=settings.worker_time_limit_ms),
        ShutdownNotifications(),
        Callbacks(),
        Pipelines(),
        Retries(
            max_retries=UNEXPECTED_ERROR_RETRIES,
            min_backoff=UNEXPECTED_ERROR_MIN_BACKOFF_MS,
            max_backoff=UNEXPECTED_ERROR_MAX_BACKOFF_MS,
        ),
        CurrentMessage(),
    ]


def build_broker(settings: Settings, *, worker_process: bool = False) -> dramatiq.Broker:
    """Redis when `JOBPUB_BROKER_URL` is set; otherwise the in-process broker of `jobpub dev`.

    `worker_process` is set only by a `jobpub worker` process (services/workers.py): there, and
    only when JOBPUB_WORKER_METRICS_ENABLED says so, the group serves Prometheus metrics. The
    relay, the tests and `jobpub dev` (whose counters the API's /metrics shows) never do.
    """
    broker: dramatiq.Broker
    if settings.broker_url:
        middleware = _middleware(settings)
        if worker_process and settings.worker_metrics_enabled:
            from shared.worker_metrics import worker_metrics_middleware  # imports dramatiq's, which reads env vars

            middleware.append(worker_metrics_middleware(settings))
        # The ignore: dramatiq ships its types but leaves RedisBroker.__init__ unannotated.
        broker = RedisBroker(  # type: ignore[no-untyped-call]
            url=settings.broker_url,
            namespace=settings.broker_namespace,
            middleware=middleware,
            heartbeat_timeout=settings.worker_heartbeat_timeout_ms,
            maintenance_chance=settings.worker_maintenance_chance,
        )
    else:
        broker = StubBroker(middleware=_middleware(settings))
    dramatiq.set_broker(broker)
    return broker
