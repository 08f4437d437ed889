"""Fair turns on the `sync.applications` queue: which pending pull a sync message runs.

The queue is one FIFO list in Redis for every tenant, so a tenant that asks for forty pulls
(one per job) would put forty messages ahead of the next tenant's one. Fairness therefore
comes from here: a message is a *turn*, not an order to run the run it names. Each turn claims
the fairest pending run: the oldest pending run of the organization with the fewest running
runs, ties going to the organization whose last pull started longest ago. Every run has its
message, so N runs and N messages still run every run; a newcomer's run is simply the next
one claimed. A turn that finds nothing pending (a second copy of a message, or a run another
turn already took) does nothing.

A run remembers the message that claimed it (`claimed_by`): when a worker dies mid-pull its
message is delivered again, and that delivery resumes the run it had claimed rather than
starting another. Runs of the command line are never dispatched, so turns never take them.

The claim locks the chosen row with `FOR UPDATE SKIP LOCKED` (PostgreSQL) and moves it only if
it is still pending, so concurrent turns on PostgreSQL or SQLite never claim one run twice.

Measured with tests/test_sync_fairness.py (8 worker threads, pulls made 0.5 s slow): one
tenant asks for 40 pulls, one per job, then another tenant asks for one; 16 of the 40 were still
waiting when it asked. In FIFO order (before) the newcomer's pull finished after all 40; with
turns it finished after 24, the ones already started when it asked, and before all 16 waiting.
The cost is two small queries per message (organizations waiting, then one row locked), served
by the indexes of migration 0009.

Publishes (`publish.<platform>`) are still FIFO per platform queue: a tenant's flood of
publishes is paced by its own platform quota (shared/platforms/quota.py), which defers its
surplus as scheduled retries, but the messages already queued still run first.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session, aliased

from shared.models import SyncRun, SyncStatus, utcnow

QUEUED_TRIGGERS = ("api", "schedule")  # the runs that have a message of their own


def claim_turn(session: Session, turn: str) -> SyncRun | None:
    """The run this message's turn runs, now marked running; None if nothing is pending."""
    resumed = session.scalar(select(SyncRun).where(SyncRun.claimed_by == turn, SyncRun.status == SyncStatus.RUNNING))
    if resumed is not None:  # this message was delivered again after its worker died
        return resumed
    for organization_id in _organizations_fairest_first(session):
        candidate = session.scalar(
            _pending()
            .where(SyncRun.organization_id == organization_id)
            .order_by(SyncRun.created_at, SyncRun.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if candidate is not None and claim(session, candidate.id, turn):
            return session.get(SyncRun, candidate.id, populate_existing=True)
    return None


def claim(session: Session, sync_id: int, turn: str | None, *, also_running: bool = False) -> bool:
    """Mark the run running for `turn`, if it is still pending (or running, with `also_running`)."""
    statuses = [SyncStatus.PENDING, SyncStatus.RUNNING] if also_running else [SyncStatus.PENDING]
    now = utcnow()
    result = session.execute(
        update(SyncRun)
        .where(SyncRun.id == sync_id, SyncRun.status.in_(statuses))
        .values(status=SyncStatus.RUNNING, started_at=now, updated_at=now, claimed_by=turn)
        .execution_options(synchronize_session=False)
    )
    # An UPDATE's result is a CursorResult (which has the rowcount); Session.execute is typed as any Result.
    return bool(cast("CursorResult[Any]", result).rowcount)


def _pending():
    return select(SyncRun).where(SyncRun.status == SyncStatus.PENDING, SyncRun.trigger.in_(QUEUED_TRIGGERS))


def _organizations_fairest_first(session: Session) -> list[int]:
    """Organizations with a pending run: fewest running first, then the longest since a pull started."""
    waiting = _pending().with_only_columns(SyncRun.organization_id).distinct().subquery()
    other = aliased(SyncRun)
    running = (
        select(func.count())
        .where(other.organization_id == waiting.c.organization_id, other.status == SyncStatus.RUNNING)
        .scalar_subquery()
    )
    last_started = (
        select(func.max(other.started_at)).where(other.organization_id == waiting.c.organization_id).scalar_subquery()
    )
    return list(
        session.scalars(
            select(waiting.c.organization_id).order_by(running, last_started.nulls_first(), waiting.c.organization_id)
        )
    )
