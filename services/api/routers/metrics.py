"""Prometheus metrics for the operator's scraper."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from sqlalchemy import Engine

from shared.config import Settings
from shared.metrics import BacklogCollector

router = APIRouter(tags=["operations"])


def backlog_registry(settings: Settings, engine: Engine) -> CollectorRegistry:
    """The app's own scrape-time gauges (the outbox and broker queues it reads), kept apart from the
    process-wide registry because tests and `jobpub dev` build several apps in one process."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(BacklogCollector(engine, settings.broker_url, settings.broker_namespace))
    return registry


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """Prometheus text format: this process's request and outcome counters, the outbox and the broker's queues.

    No API key: it is for the operator's scraper, like /livez and /readyz, and it carries no
    tenant data — its labels are platforms, queues, outcomes, route templates, methods and
    statuses, never an organization, a job or an id. Where the API faces the internet, keep
    /metrics to the internal network at the proxy. A source that cannot be read (the database,
    Redis) is left out and flagged in `jobpub_metrics_source_up`; the scrape still answers 200.
    """
    body = generate_latest(REGISTRY) + generate_latest(request.app.state.metrics_registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
