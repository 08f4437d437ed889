"""The scheduler: once per sync interval, asks for a pull of every connected organization and platform.

Time is cut into windows of each connection's sync interval (its own, or
`JOBPUB_SYNC_INTERVAL_SECONDS`); each request names its window, and the database keeps one
request per (organization, platform, window). So any number of schedulers can run, and
restarting one mid-window fires nothing twice. The scheduler looks every few seconds, and a
look in a window already requested changes nothing.

Every `JOBPUB_RETENTION_INTERVAL_SECONDS` (and once at start) it also applies the organizations'
retention rules (services/syncer/retention.py), which is idempotent too.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.syncer.retention import apply_retention
from shared.config import Settings
from shared.db import unit_of_work
from shared.models import PlatformConnection, utcnow
from shared.syncs import request_sync

log = structlog.get_logger(__name__)

RETRY_AFTER_ERROR_SECONDS = 5.0  # the database was unreachable: try the window again soon
TICK_SECONDS = 5.0  # the shortest sync interval a connection may choose


def schedule_window(moment: datetime, interval_seconds: float) -> int:
    return int(moment.timestamp() // interval_seconds)


def schedule_due_syncs(sessions: sessionmaker[Session], settings: Settings, now: datetime | None = None) -> int:
    """Request the pulls whose window has begun; returns how many were new (0 if another scheduler was first)."""
    now = now or utcnow()
    requested = 0
    with unit_of_work(sessions) as session:
        connected = session.execute(
            select(
                PlatformConnection.organization_id,
                PlatformConnection.platform,
                PlatformConnection.sync_interval_seconds,
            ).where(PlatformConnection.enabled.is_(True))
        ).all()
        for organization_id, platform, own_interval in connected:
            window = schedule_window(now, own_interval or settings.sync_interval_seconds)
            if request_sync(session, organization_id, platform, trigger="schedule", schedule_window=window) is not None:
                requested += 1
    return requested


def run_scheduler(sessions: sessionmaker[Session], settings: Settings, stop: threading.Event) -> None:
    """Request each window's pulls as it begins, and apply retention when due, until `stop` is set."""
    retention_due = time.monotonic()
    while not stop.is_set():
        try:
            requested = schedule_due_syncs(sessions, settings)
            if requested:
                log.info("scheduler.requested", requested=requested)
            if time.monotonic() >= retention_due:
                apply_retention(sessions)
                retention_due = time.monotonic() + settings.retention_interval_seconds
        except Exception as error:  # the database is away: keep going, try again shortly
            log.warning("scheduler.unavailable", error=str(error))
            stop.wait(RETRY_AFTER_ERROR_SECONDS)
            continue
        stop.wait(TICK_SECONDS)
