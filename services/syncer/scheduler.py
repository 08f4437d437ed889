"""The scheduler: once per sync interval, asks for a pull of every connected organization and platform.

Time is cut into windows of `JOBPUB_SYNC_INTERVAL_SECONDS`; each request names its window, and
the database keeps one request per (organization, platform, window). So any number of
schedulers can run, and restarting one mid-window fires nothing twice.
"""

from __future__ import annotations

import threading
from datetime import datetime

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from shared.config import Settings
from shared.db import unit_of_work
from shared.models import PlatformConnection, utcnow
from shared.syncs import request_sync

log = structlog.get_logger(__name__)

RETRY_AFTER_ERROR_SECONDS = 5.0  # the database was unreachable: try the window again soon


def schedule_window(moment: datetime, interval_seconds: float) -> int:
    return int(moment.timestamp() // interval_seconds)


def schedule_due_syncs(sessions: sessionmaker[Session], settings: Settings, now: datetime | None = None) -> int:
    """Request this window's pulls; returns how many were new (0 if another scheduler was first)."""
    window = schedule_window(now or utcnow(), settings.sync_interval_seconds)
    requested = 0
    with unit_of_work(sessions) as session:
        connected = session.execute(
            select(PlatformConnection.organization_id, PlatformConnection.platform).where(PlatformConnection.enabled.is_(True))
        ).all()
        for organization_id, platform in connected:
            if request_sync(session, organization_id, platform, trigger="schedule", schedule_window=window) is not None:
                requested += 1
    return requested


def run_scheduler(sessions: sessionmaker[Session], settings: Settings, stop: threading.Event) -> None:
    """Request each window's pulls as it begins, until `stop` is set."""
    interval = settings.sync_interval_seconds
    while not stop.is_set():
        try:
            requested = schedule_due_syncs(sessions, settings)
            log.info("scheduler.window", requested=requested)
        except Exception as error:  # the database is away: keep going, try again shortly
            log.warning("scheduler.unavailable", error=str(error))
            stop.wait(RETRY_AFTER_ERROR_SECONDS)
            continue
        next_window_starts = (schedule_window(utcnow(), interval) + 1) * interval
        stop.wait(max(next_window_starts - utcnow().timestamp(), 0.0) + 0.01)
