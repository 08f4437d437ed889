"""Asking for a pull of applications: the `sync_runs` row and its event, in the caller's transaction.

The scheduler, the API and the command line all ask here. A scheduled request names its
schedule window; the unique key on (organization, platform, window) makes a second request
for the same window do nothing, so two schedulers never fire one window twice.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy.orm import Session

from shared.db import upsert_insert
from shared.events import ApplicationSyncRequested
from shared.models import SyncRun, SyncStatus, utcnow
from shared.outbox import record, sync_dispatch

Trigger = Literal["schedule", "api", "cli"]


def request_sync(
    session: Session,
    organization_id: int,
    platform: str,
    *,
    trigger: Trigger,
    job_id: int | None = None,
    schedule_window: int | None = None,
    dispatch: bool = True,
    correlation_id: str | None = None,
) -> int | None:
    """Record a sync run and its `ApplicationSyncRequested`; returns the run's id.

    Returns None when the schedule window was requested already. With `dispatch=False` the
    event is recorded but not queued: the caller runs the sync itself (the command line).
    """
    values = dict(
        organization_id=organization_id,
        platform=platform,
        job_id=job_id,
        trigger=trigger,
        schedule_window=schedule_window,
        status=SyncStatus.PENDING,
        fetched=0,
        new=0,
        duplicates=0,
        unmatched=0,
        created_at=utcnow(),
    )
    sync_id = session.scalar(
        upsert_insert(session, SyncRun)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["organization_id", "platform", "schedule_window"])
        .returning(SyncRun.id)
    )
    if sync_id is None:
        return None
    event = ApplicationSyncRequested(
        organization_id=organization_id, sync_id=sync_id, platform=platform, job_id=job_id, trigger=trigger
    )
    record(session, event, dispatch=sync_dispatch() if dispatch else None, correlation_id=correlation_id)
    return sync_id
