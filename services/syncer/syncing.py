"""One pull of applications from a platform, page by page.

A page's applications, the cursor that follows them and the run's counts are committed in one
transaction: a pull that stops anywhere (a 429, a crash) leaves the cursor after the last page
it stored, and the next pull reads on from there. Nothing is lost, and a page read twice
stores nothing twice. The cursor row is locked while a page is stored, so two pulls of one
organization and platform take turns instead of racing the cursor backwards. The next page is
read while the last one is stored (page_reader.py), and stored only if the stored cursor is
still the one it was read from.

A pull for one job moves no stored cursor: it reads every posting ("part") of the job on the
platform from its start, one after the other, with its cursor in memory, into one run's counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import structlog
from sqlalchemy import CursorResult, select
from sqlalchemy.orm import Session

from services.syncer.page_reader import PageReader
from services.syncer.page_statements import COUNTING, MOVING_THE_CURSOR
from services.syncer.platform_closures import close_what_the_platform_closed
from services.syncer.turns import claim, claim_turn
from shared import metrics
from shared.applications import store_applications
from shared.connections import PlatformNotConnected, load_credentials
from shared.context import WorkerContext
from shared.crypto import CredentialDecryptError
from shared.db import unit_of_work, upsert_insert
from shared.events import ApplicationsSynced, ApplicationSyncFailed, SyncEvent
from shared.models import Posting, SyncCursor, SyncRun, SyncStatus, utcnow
from shared.notifications import APPLICATIONS_RECEIVED, notify
from shared.outbox import record
from shared.platforms.base import ApplicationPage, Platform, PlatformCredentials, PlatformError

log = structlog.get_logger(__name__)


@dataclass
class SyncOutcome:
    fetched: int = 0
    new: int = 0
    duplicates: int = 0
    unmatched: int = 0
    error: str | None = None


@dataclass(frozen=True)
class _Run:
    id: int
    organization_id: int
    platform: str
    job_id: int | None
    # A pull for one job: the external ids of the job's postings on the platform, part 1 first (none
    # when it was never published there); None for the organization's pull.
    job_parts: tuple[str, ...] | None
    correlation_id: str | None  # of the request that asked for the run


Progress = Callable[[SyncOutcome], None]


def run_sync(
    ctx: WorkerContext,
    sync_id: int,
    correlation_id: str | None = None,
    progress: Progress | None = None,
    *,
    turn: str | None = None,
) -> SyncOutcome | None:
    """Run the sync; None if it had already finished (a second copy of its message).

    With `turn` (a queue message's id) the fairest pending run is pulled, which may not be
    `sync_id` (see turns.py); None then means nothing was left to pull.
    """
    run = _start(ctx, sync_id, turn)
    if run is None:
        return None
    structlog.contextvars.bind_contextvars(sync_id=run.id, organization_id=run.organization_id)
    correlation_id = run.correlation_id or correlation_id
    outcome = SyncOutcome()
    try:
        credentials = _credentials(ctx, run)
        platform = ctx.platforms[run.platform]
        # None reads the organization's applications at its stored cursor; a part's external id, that posting's.
        targets: tuple[str | None, ...] = (None,) if run.job_parts is None else run.job_parts
        for job_part in targets:
            reader = PageReader(platform, credentials, ctx.settings.sync_page_size, job_part)
            _pull_pages(ctx, run, platform, reader, outcome, progress)
    except (PlatformError, PlatformNotConnected, CredentialDecryptError) as error:
        outcome.error = str(error)
        log.warning("sync.failed", sync_id=run.id, platform=run.platform, error=outcome.error)
    else:
        _notice_closures(ctx, run, platform, credentials, correlation_id)
    _finish(ctx, run, outcome, correlation_id)
    return outcome


def _pull_pages(
    ctx, run: _Run, platform: Platform, reader: PageReader, outcome: SyncOutcome, progress: Progress | None
) -> None:
    """Every page the reader reads (the organization's, or one part's), each stored as it comes."""
    try:
        cursor, has_more = None, True
        while has_more:
            cursor, has_more = _pull_page(ctx, run, platform, reader, outcome, cursor)
            if progress:
                progress(outcome)
    finally:
        reader.close()


def _notice_closures(ctx, run: _Run, platform: Platform, credentials, correlation_id: str | None) -> None:
    """Postings the platform closed on its own; a failed look-up leaves them for the next pull."""
    try:
        close_what_the_platform_closed(
            ctx.sessions, platform, credentials, run.organization_id, run.job_id, correlation_id
        )
    except PlatformError as error:
        log.warning("sync.closures_unchecked", sync_id=run.id, platform=run.platform, error=str(error))


def _start(ctx: WorkerContext, sync_id: int, turn: str | None) -> _Run | None:
    """Claim the run to pull: the fairest pending one for a queue message's turn (turns.py), else `sync_id`."""
    with unit_of_work(ctx.sessions) as session:
        if turn is not None:
            row = claim_turn(session, turn)
        elif claim(session, sync_id, None, also_running=True):
            row = session.get(SyncRun, sync_id, populate_existing=True)
        else:
            row = None
        if row is None:
            return None
        job_parts = None
        if row.job_id is not None:
            parts = select(Posting.external_id).where(Posting.job_id == row.job_id, Posting.platform == row.platform)
            job_parts = tuple(session.scalars(parts.order_by(Posting.part)))
        return _Run(row.id, row.organization_id, row.platform, row.job_id, job_parts, row.correlation_id)


def _credentials(ctx: WorkerContext, run: _Run) -> PlatformCredentials:
    with ctx.sessions() as session:
        return load_credentials(session, ctx.cipher, run.organization_id, run.platform)


def _pull_page(ctx, run: _Run, platform: Platform, reader: PageReader, outcome: SyncOutcome, cursor: str | None):
    """Read and store one page; returns the next cursor and whether the platform has more.

    A pull for one job keeps its cursor in memory (`cursor`, within the part it reads); every other
    pull reads and advances the organization's stored cursor. The next page is read while this one
    is stored (page_reader.py).
    """
    with unit_of_work(ctx.sessions) as session:
        if run.job_parts is not None:
            page = reader.read(cursor)
        else:
            page = _page_at_stored_cursor(session, run, reader)
        has_more = page.has_more and bool(page.applications)
        if has_more:
            reader.read_ahead(page.next_cursor)
        stored = store_applications(
            session,
            run.organization_id,
            run.platform,
            platform.application_source,
            page.applications,
            correlation_id=run.correlation_id,
        )
        counts = dict(
            fetched=len(page.applications), new=stored.new, duplicates=stored.duplicates, unmatched=stored.unmatched
        )
        added = {f"add_{name}": value for name, value in counts.items()}
        counting = dict(of_run=run.id, notified_organization=run.organization_id, counted_at=utcnow(), **added)
        notifying = session.execute(COUNTING, counting).scalar()
        if stored.new_ids and notifying:
            notify(
                session,
                run.organization_id,
                APPLICATIONS_RECEIVED,
                dict(platform=run.platform, application_ids=stored.new_ids),
            )
    metrics.APPLICATIONS_PULLED.labels(run.platform).inc(stored.new)
    for name, value in counts.items():
        setattr(outcome, name, getattr(outcome, name) + value)
    return page.next_cursor, has_more


def _page_at_stored_cursor(session: Session, run: _Run, reader: PageReader) -> ApplicationPage:
    """The page at the organization's stored cursor, with the cursor locked and already moved past it
    (this transaction's commit makes the move, with the page's rows).

    The page read ahead is taken with one compare-and-set UPDATE: it moves the cursor only if it
    still stands where that page was read from, and holds the row's lock from then on, as locking
    it first would. Otherwise (the first page, or another pull moved the cursor meanwhile) the
    cursor is locked, read, and the page read from it now.
    """
    ahead = reader.take_ahead()
    if ahead is not None:
        where = dict(of_organization=run.organization_id, of_platform=run.platform, read_from=ahead.read_from)
        moved = session.execute(MOVING_THE_CURSOR, where | dict(next_cursor=ahead.page.next_cursor, moved_at=utcnow()))
        assert isinstance(moved, CursorResult)  # an UPDATE without RETURNING: the cursor's result, with rowcount
        if moved.rowcount:
            return ahead.page
    cursor_row = locked_cursor(session, run.organization_id, run.platform)
    page = reader.read(cursor_row.cursor)
    cursor_row.cursor = page.next_cursor
    return page


def preview_sync(
    ctx: WorkerContext, organization_id: int, platform_name: str, progress: Progress | None = None
) -> SyncOutcome:
    """What a pull would store now, from the stored cursor on; stores nothing and moves no cursor."""
    platform = ctx.platforms[platform_name]
    outcome = SyncOutcome()
    with ctx.sessions() as session:  # never committed
        credentials = load_credentials(session, ctx.cipher, organization_id, platform_name)
        cursor = session.scalar(
            select(SyncCursor.cursor).where(
                SyncCursor.organization_id == organization_id, SyncCursor.platform == platform_name
            )
        )
        has_more = True
        while has_more:
            page = platform.fetch_applications(credentials, cursor, page_size=ctx.settings.sync_page_size)
            would = store_applications(
                session, organization_id, platform_name, platform.application_source, page.applications, dry_run=True
            )
            outcome.fetched += len(page.applications)
            outcome.new += would.new
            outcome.duplicates += would.duplicates
            outcome.unmatched += would.unmatched
            cursor, has_more = page.next_cursor, page.has_more and bool(page.applications)
            if progress:
                progress(outcome)
    return outcome


def locked_cursor(session: Session, organization_id: int, platform: str) -> SyncCursor:
    """The organization's cursor on the platform, made if missing, locked until the transaction ends."""
    locking = (
        select(SyncCursor)
        .where(SyncCursor.organization_id == organization_id, SyncCursor.platform == platform)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    # Every page but an organization's very first locks a cursor that exists: one statement, not two.
    found = session.scalars(locking).one_or_none()
    if found is not None:
        return found
    session.execute(
        upsert_insert(session, SyncCursor)
        .values(organization_id=organization_id, platform=platform, cursor=None, updated_at=utcnow())
        .on_conflict_do_nothing(index_elements=["organization_id", "platform"])
    )
    return session.scalars(locking).one()  # made just above, or by a concurrent pull whose row we now wait for


def _finish(ctx: WorkerContext, run: _Run, outcome: SyncOutcome, correlation_id: str | None) -> None:
    with unit_of_work(ctx.sessions) as session:
        row = session.get(SyncRun, run.id, with_for_update=True, populate_existing=True)
        # Ended as stalled while this worker was away: that stands (and a run no longer stored has nothing to end).
        if row is None or row.status != SyncStatus.RUNNING:
            return
        row.updated_at = utcnow()
        row.status = SyncStatus.FAILED if outcome.error else SyncStatus.SUCCEEDED
        row.error = outcome.error
        row.finished_at = utcnow()
        fields = dict(organization_id=run.organization_id, sync_id=run.id, platform=run.platform, job_id=run.job_id)
        counts = dict(fetched=outcome.fetched, new=outcome.new, duplicates=outcome.duplicates)
        event: SyncEvent
        if outcome.error:
            event = ApplicationSyncFailed(**fields, **counts, error=outcome.error)
        else:
            event = ApplicationsSynced(**fields, **counts, unmatched=outcome.unmatched)
        record(session, event, correlation_id=correlation_id)
    metrics.SYNCS.labels(run.platform, "failed" if outcome.error else "succeeded").inc()
