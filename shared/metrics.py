"""Every Prometheus metric jobpub exports, in one place.

Labels carry only low-cardinality values an operator groups by: platform, outcome, queue,
route template, method, status. Never an organization, a job or anything else of a tenant's,
so a scrape carries no tenant data and the number of series stays bounded.

The counters are incremented where an outcome is committed (the publisher, the syncer, the
notifier); the API serves them at `/metrics`, and a `jobpub worker` group through the
exposition server in shared/broker.py. `BacklogCollector` reads the outbox and the broker's
queues at scrape time.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime

import redis
import structlog
from prometheus_client import Counter, Histogram, disable_created_metrics, values
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from shared.connections import PLATFORMS
from shared.models import PublishingLog, utcnow
from shared.notifications import NOTIFY_QUEUE
from shared.outbox import SYNC_QUEUE, publish_dispatch

log = structlog.get_logger(__name__)
# No `_created` twin for every counter series: half the series, nothing lost we use.
# (The ignore: prometheus_client ships its types but leaves this function unannotated.)
disable_created_metrics()  # type: ignore[no-untyped-call]

# Queues always reported (at 0 when empty), so a series never vanishes while a queue is idle.
KNOWN_QUEUES = (*(publish_dispatch(platform).queue for platform in PLATFORMS), SYNC_QUEUE, NOTIFY_QUEUE)
# A scrape must answer even when Redis hangs; Prometheus' own scrape timeout is 10 s by default.
BROKER_TIMEOUT_SECONDS = 1.0
UNMATCHED_ROUTE = "unmatched"  # every path no route serves: a scanner cannot mint new series

PUBLISHES = Counter("jobpub_publishes", "Postings published (JobPublished recorded).", ["platform"])
PUBLISH_FAILURES = Counter(
    "jobpub_publish_failures",
    "Postings failed (JobPublishFailed recorded); permanent: the platform refused it, else attempts ran out.",
    ["platform", "permanent"],
)
PUBLISH_RETRIES = Counter(
    "jobpub_publish_retries_scheduled", "Publish retries scheduled after a transient error.", ["platform"]
)
OPERATIONS = Counter(
    "jobpub_posting_operations",
    "Updates, closes and renews of live postings finished, by outcome (succeeded, failed).",
    ["platform", "operation", "outcome"],
)
STATUS_FORWARDS = Counter(
    "jobpub_application_status_forwards",
    "Application statuses forwarded to their board, by outcome (sent, retried, failed, not_supported).",
    ["platform", "outcome"],
)
SYNCS = Counter("jobpub_syncs", "Application pulls finished, by outcome (succeeded, failed).", ["platform", "outcome"])
APPLICATIONS_PULLED = Counter(
    "jobpub_applications_pulled", "New applications a pull stored (duplicates are not counted).", ["platform"]
)
NOTIFICATION_DELIVERIES = Counter(
    "jobpub_notification_deliveries",
    "Notification delivery attempts, by the delivery's state after it (delivered, pending: retry queued, failed).",
    ["outcome"],
)
HTTP_REQUESTS = Counter("jobpub_http_requests", "API requests answered.", ["method", "route", "status"])
HTTP_DURATION = Histogram(
    "jobpub_http_request_duration_seconds",
    "API request latency, until the response is sent.",
    ["method", "route", "status"],
)


def use_multiprocess_storage(directory: str) -> None:
    """Keep this process's metric values in `directory`, where a multiprocess exposition server reads them.

    prometheus_client picks its storage when first imported, from PROMETHEUS_MULTIPROC_DIR; a
    `jobpub worker` process is forked from a parent that had imported it already, so the
    choice is made again here. Call it before any labelled value is created in this process.
    """
    os.makedirs(directory, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory  # where MultiProcessValue opens its files
    if not getattr(values.ValueClass, "_multiprocess", False):
        # The ignore: prometheus_client ships its types but leaves MultiProcessValue unannotated.
        values.ValueClass = values.MultiProcessValue()  # type: ignore[no-untyped-call]


def start_at_zero() -> None:
    """Make the series whose label values are known, at 0, so that rate() and increase() see the first event."""
    for platform in PLATFORMS:
        PUBLISHES.labels(platform)
        PUBLISH_RETRIES.labels(platform)
        APPLICATIONS_PULLED.labels(platform)
        for permanent in ("true", "false"):
            PUBLISH_FAILURES.labels(platform, permanent)
        for outcome in ("succeeded", "failed"):
            SYNCS.labels(platform, outcome)
            for operation in ("update", "close", "renew"):
                OPERATIONS.labels(platform, operation, outcome)
    for outcome in ("delivered", "pending", "failed"):
        NOTIFICATION_DELIVERIES.labels(outcome)


class BacklogCollector(Collector):
    """What waits, read when Prometheus scrapes: the outbox in the database and the broker's queues.

    A source that cannot be read is left out of that scrape (and `jobpub_metrics_source_up`
    says so); the scrape itself still answers.
    """

    def __init__(self, engine: Engine, broker_url: str | None, namespace: str):
        self.engine = engine
        self.namespace = namespace
        self.redis: redis.Redis | None = None
        if broker_url:
            self.redis = redis.Redis.from_url(
                broker_url, socket_connect_timeout=BROKER_TIMEOUT_SECONDS, socket_timeout=BROKER_TIMEOUT_SECONDS
            )

    def collect(self) -> Iterable[Metric]:
        up = GaugeMetricFamily("jobpub_metrics_source_up", "1 if this scrape could read the source.", labels=["source"])
        outbox = self._outbox_metrics()
        up.add_metric(["database"], 0 if outbox is None else 1)
        yield from outbox or ()
        if self.redis is not None:
            queues = self._broker_metrics(self.redis)
            up.add_metric(["broker"], 0 if queues is None else 1)
            yield from queues or ()
        yield up

    def _outbox_metrics(self) -> list[Metric] | None:
        now = utcnow()
        # The WHERE clause is the predicate of the partial index ix_publishing_log_undispatched.
        query = (
            select(
                PublishingLog.dispatch_queue,
                func.count(),
                func.min(PublishingLog.dispatch_after).filter(PublishingLog.dispatch_after <= now),
            )
            .where(PublishingLog.dispatch_queue.is_not(None), PublishingLog.dispatched_at.is_(None))
            .group_by(PublishingLog.dispatch_queue)
        )
        try:
            with self.engine.connect() as connection:
                rows = connection.execute(query).all()
        except SQLAlchemyError as error:
            log.warning("metrics.database_unavailable", error=type(error).__name__)
            return None
        waiting = GaugeMetricFamily(
            "jobpub_outbox_events_waiting",
            "Outbox events not yet sent to the broker (due now or scheduled for later).",
            labels=["queue"],
        )
        oldest = GaugeMetricFamily(
            "jobpub_outbox_oldest_due_event_age_seconds",
            "Seconds since the oldest unsent event of the queue became due (0: none due).",
            labels=["queue"],
        )
        found: dict[str, tuple[int, datetime | None]] = {}
        for queue, count, oldest_due in rows:
            assert queue is not None  # the WHERE clause keeps only events with a queue
            found[queue] = (count, oldest_due)
        for queue in sorted(set(KNOWN_QUEUES) | set(found)):
            count, oldest_due = found.get(queue, (0, None))
            waiting.add_metric([queue], count)
            oldest.add_metric([queue], _seconds_since(oldest_due, now))
        return [waiting, oldest]

    def _broker_metrics(self, client: redis.Redis) -> list[Metric] | None:
        """Messages waiting in Redis (not yet fetched by a worker), keyed as dramatiq's RedisBroker keys them:
        `<namespace>:<queue>` and `<namespace>:<queue>.DQ` are lists, `<namespace>:<queue>.XQ` a sorted set."""
        pipe = client.pipeline(transaction=False)
        for queue in KNOWN_QUEUES:
            key = f"{self.namespace}:{queue}"
            pipe.llen(key)
            pipe.llen(f"{key}.DQ")
            pipe.zcard(f"{key}.XQ")
        try:
            sizes = pipe.execute()
        except redis.RedisError as error:
            log.warning("metrics.broker_unavailable", error=type(error).__name__)
            return None
        messages = GaugeMetricFamily(
            "jobpub_broker_queue_messages",
            "Messages in the broker's queue: ready (waiting for a worker), delayed (a dramatiq retry),"
            " dead (dead-lettered).",
            labels=["queue", "state"],
        )
        for index, queue in enumerate(KNOWN_QUEUES):
            for state, size in zip(("ready", "delayed", "dead"), sizes[index * 3 : index * 3 + 3], strict=True):
                messages.add_metric([queue, state], size)
        return [messages]


def _seconds_since(moment: datetime | None, now: datetime) -> float:
    if moment is None:
        return 0.0
    if moment.tzinfo is None:  # func.min() on SQLite comes back as naive text: it is UTC
        moment = moment.replace(tzinfo=now.tzinfo)
    return max((now - moment).total_seconds(), 0.0)
