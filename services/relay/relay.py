"""The relay: the only code that sends messages to the broker.

It reads committed outbox rows (publishing_log rows with a dispatch queue and no
dispatched_at) whose time has come, sends each to its queue, and marks them sent in the same
transaction that locked them. If the broker is down the transaction rolls back and the rows
wait; if the relay dies after sending but before committing, the rows are sent again, which
the actors tolerate (they are idempotent). Several relays can run: `SKIP LOCKED` gives each
its own rows.
"""

from __future__ import annotations

import threading
import time

import dramatiq
import structlog
from dramatiq import Message
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from services.relay.recovery import recover_stalled
from shared.config import Settings
from shared.db import unit_of_work
from shared.models import PublishingLog, utcnow

log = structlog.get_logger(__name__)

MAX_BACKOFF_SECONDS = 5.0  # while the broker or database is down, try again at least this often


class Relay:
    def __init__(self, settings: Settings, sessions: sessionmaker[Session], broker: dramatiq.Broker):
        self.settings = settings
        self.sessions = sessions
        self.broker = broker
        self._declared: set[str] = set()

    def relay_once(self) -> int:
        """Send every due message (one batch); returns how many were sent."""
        with unit_of_work(self.sessions) as session:
            # One statement locks the batch and marks it sent; the mark commits only once every
            # message of it reached the broker (a failed send rolls the whole batch back).
            due = (
                select(PublishingLog.id)
                .where(
                    PublishingLog.dispatch_queue.is_not(None),
                    PublishingLog.dispatched_at.is_(None),
                    PublishingLog.dispatch_after <= utcnow(),
                )
                .order_by(PublishingLog.dispatch_after, PublishingLog.id)
                .limit(self.settings.relay_batch_size)
                .with_for_update(skip_locked=True)
            )
            rows = session.scalars(
                update(PublishingLog)
                .where(PublishingLog.id.in_(due.scalar_subquery()))
                .values(dispatched_at=utcnow())
                .returning(PublishingLog)
            ).all()
            for row in sorted(rows, key=lambda row: (row.dispatch_after, row.id)):  # RETURNING keeps no order
                self._send(row)
            return len(rows)

    def _send(self, row: PublishingLog) -> None:
        queue, actor = row.dispatch_queue, row.dispatch_actor
        # relay_once reads only rows with a queue, and shared/outbox.py sets the queue and the actor together.
        assert queue is not None and actor is not None
        if queue not in self._declared:
            self.broker.declare_queue(queue)
            self._declared.add(queue)
        message: Message[None] = Message(  # every actor returns None
            queue_name=queue,
            actor_name=actor,
            args=(),
            kwargs={"event": row.payload, "correlation_id": row.correlation_id},
            options={},
            message_id=row.event_id,
        )
        self.broker.enqueue(message)

    def recover_once(self) -> int:
        with unit_of_work(self.sessions) as session:
            return recover_stalled(session, self.settings.recovery_stalled_after_seconds)

    def run(self, stop: threading.Event) -> None:
        """Relay until `stop` is set, backing off while the broker or the database is unreachable."""
        failures = 0
        recovery_every = min(60.0, self.settings.recovery_stalled_after_seconds / 2)
        next_recovery = time.monotonic() + recovery_every
        while not stop.is_set():
            try:
                if time.monotonic() >= next_recovery:
                    self.recover_once()
                    next_recovery = time.monotonic() + recovery_every
                sent = self.relay_once()
                failures = 0
            except Exception as error:  # the broker or database is down: keep the rows, try again
                failures += 1
                log.warning("relay.unavailable", error=str(error), failures=failures)
                stop.wait(min(self.settings.relay_poll_interval_seconds * 2**failures, MAX_BACKOFF_SECONDS))
                continue
            if sent:
                log.debug("relay.sent", count=sent)
            if sent < self.settings.relay_batch_size:
                stop.wait(self.settings.relay_poll_interval_seconds)
