"""Asking for a pull of applications: the `sync_runs` row and its event, in the caller's transaction.

The scheduler, the API and the command line all ask here. A scheduled request names its
schedule window; the unique key on (organization, platform, window) makes a second request
for the same window do nothing, so two schedulers never fire one window twice.

An API request joins the organization's pending or running API pull of the same platform and
job if there is one (a partial unique index makes that hold under concurrent requests), so a
tenant cannot queue pull after pull. A run quiet for `recovery_stalled_after_seconds` (its
worker died and its message was lost) is ended as failed when asked again, so a dead run never
blocks a tenant's pulls for good.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal, TypedDict

from sqlalchemy import CursorResult, func, select, text, update
from sqlalchemy.orm import Session

from shared.db import upsert_insert
from shared.events import ApplicationSyncFailed, ApplicationSyncRequested
from shared.models import ACTIVE_API_PULL, SyncRun, SyncStatus, utcnow
from shared.outbox import record, sync_dispatch

Trigger = Literal["schedule", "api", "cli"]

ACTIVE = (SyncStatus.PENDING, SyncStatus.RUNNING)
JOIN_ATTEMPTS = 3  # the run joined can finish between our insert and our read: then insert again
STALLED = "stalled: nothing moved for {seconds:.0f}s (its worker stopped); a new pull was asked for"


class _RunKey(TypedDict):
    """What identifies a requested pull: the columns of its `sync_runs` row and the fields of its event."""

    organization_id: int
    platform: str
    job_id: int | None
    trigger: Trigger


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
    stalled_after: float | None = None,
) -> int | None:
    """Record a sync run and its `ApplicationSyncRequested`; returns the run's id.

    Returns None when the schedule window was requested already; for an API request, the id
    of the active identical pull when there is one (`stalled_after` seconds without progress
    ends that pull instead). With `dispatch=False` the event is recorded but not queued: the
    caller runs the sync itself (the command line).
    """
    values = _RunKey(organization_id=organization_id, platform=platform, job_id=job_id, trigger=trigger)
    # The keyword arguments of `on_conflict_do_nothing`: which unique index a duplicate meets.
    conflict: dict[str, Any]
    if trigger != "api":
        conflict = dict(index_elements=["organization_id", "platform", "schedule_window"])
        return _insert(session, values, conflict, schedule_window, dispatch, correlation_id)
    conflict = dict(
        index_elements=[SyncRun.organization_id, SyncRun.platform, text("coalesce(job_id, 0)")],
        index_where=text(ACTIVE_API_PULL),
    )
    for _ in range(JOIN_ATTEMPTS):
        if stalled_after is not None:
            _end_if_stalled(session, values, stalled_after, correlation_id)
        sync_id = _insert(session, values, conflict, None, dispatch, correlation_id)
        if sync_id is None:
            sync_id = _active_api_run(session, values)
        if sync_id is not None:
            return sync_id
    raise RuntimeError("the active pull kept changing while a request tried to join it")


def _insert(
    session: Session,
    values: _RunKey,
    conflict: dict[str, Any],
    window: int | None,
    dispatch: bool,
    correlation_id: str | None,
) -> int | None:
    now = utcnow()
    # SQLAlchemy 2.1 types Session.scalar() of even a typed statement as Any | None; the id column is an int.
    sync_id: int | None = session.scalar(
        upsert_insert(session, SyncRun)
        .values(
            **values,
            schedule_window=window,
            status=SyncStatus.PENDING,
            fetched=0,
            new=0,
            duplicates=0,
            unmatched=0,
            created_at=now,
            updated_at=now,
            correlation_id=correlation_id,
        )
        .on_conflict_do_nothing(**conflict)
        .returning(SyncRun.id)
    )
    if sync_id is None:
        return None
    event = ApplicationSyncRequested(sync_id=sync_id, **values)
    record(session, event, dispatch=sync_dispatch() if dispatch else None, correlation_id=correlation_id)
    return sync_id


def _active_api_run(session: Session, values: _RunKey) -> int | None:
    return session.scalar(
        select(SyncRun.id).where(
            SyncRun.organization_id == values["organization_id"],
            SyncRun.platform == values["platform"],
            func.coalesce(SyncRun.job_id, 0) == (values["job_id"] or 0),
            SyncRun.trigger == "api",
            SyncRun.status.in_(ACTIVE),
        )
    )


def _end_if_stalled(session: Session, values: _RunKey, stalled_after: float, correlation_id: str | None) -> None:
    """End the active identical pull if nothing has moved it for `stalled_after` seconds."""
    sync_id = _active_api_run(session, values)
    if sync_id is None:
        return
    now = utcnow()
    error = STALLED.format(seconds=stalled_after)
    result = session.execute(
        update(SyncRun)
        .where(
            SyncRun.id == sync_id,
            SyncRun.status.in_(ACTIVE),
            SyncRun.updated_at < now - timedelta(seconds=stalled_after),
        )
        .values(status=SyncStatus.FAILED, error=error, finished_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)  # an UPDATE without RETURNING: the cursor's result, with rowcount
    if result.rowcount:
        run = session.get(SyncRun, sync_id, populate_existing=True)
        assert run is not None  # this transaction has just updated it
        fields = dict(organization_id=run.organization_id, platform=run.platform, job_id=run.job_id)
        counts = dict(fetched=run.fetched, new=run.new, duplicates=run.duplicates)
        event = ApplicationSyncFailed(sync_id=sync_id, **fields, **counts, error=error)
        record(session, event, correlation_id=correlation_id)
