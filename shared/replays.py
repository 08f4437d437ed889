"""Failed postings (a failed publish, or a failed update, close or renew of a live posting), and
doing them again on an operator's word.

A replay of a publish is a new `JobPublishRequested` (reason "replay") with a `JobPublishReplayed`
event naming who and why, written in one transaction with the posting locked: a posting that is
no longer failed (replayed already, by this run or a colleague's) is left alone, so a replay run
twice replays once. A failed operation is replayed the same way, as a `JobOperationRequested`
(reason "replay") with a `JobOperationReplayed` event.

A bulk replay is paced where it matters, at the platforms: the n-th replayed posting's request
is sent to the workers n / `per_second` seconds after the first, through the outbox's
`not_before`, so neither the CLI nor an API request has to wait for the pace.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from shared.db import unit_of_work
from shared.events import JobOperationReplayed, JobPublishReplayed
from shared.models import Operation, OperationStatus, Posting, PostingStatus, utcnow
from shared.operations import request_operation
from shared.outbox import record
from shared.postings import request_publish


@dataclass(frozen=True)
class FailureFilter:
    platform: str | None = None
    organization_id: int | None = None
    error_contains: str | None = None
    since: datetime | None = None


def failed_postings(
    session: Session, which: FailureFilter, limit: int | None = None, after_id: int | None = None
) -> list[Posting]:
    """Failed postings matching `which`, oldest first (by id, so `after_id` pages through them)."""
    query = select(Posting).where(
        or_(Posting.status == PostingStatus.FAILED, Posting.operation_status == OperationStatus.FAILED)
    )
    if after_id is not None:
        query = query.where(Posting.id > after_id)
    if which.platform:
        query = query.where(Posting.platform == which.platform)
    if which.organization_id is not None:
        query = query.where(Posting.organization_id == which.organization_id)
    if which.error_contains:
        query = query.where(Posting.last_error.ilike(f"%{which.error_contains}%"))
    if which.since is not None:
        query = query.where(Posting.updated_at >= which.since)
    return list(session.scalars(query.order_by(Posting.id).limit(limit)))


def what_failed(posting: Posting) -> str:
    """ "publish", or the operation (update, close, renew) that failed on a live posting."""
    if posting.status == PostingStatus.FAILED:
        return "publish"
    assert posting.operation is not None  # listed for a failed operation: `operation` is set with its status
    return posting.operation


def replay_postings(
    sessions: sessionmaker[Session], posting_ids: Iterable[int], *, by: str, why: str, per_second: float
) -> int:
    """Replay each posting that is still failed, paced at `per_second`; returns how many were replayed."""
    started = utcnow()
    replayed = 0
    for posting_id in posting_ids:
        not_before = started + timedelta(seconds=replayed / per_second)
        replayed += replay_posting(sessions, posting_id, by=by, why=why, not_before=not_before)
    return replayed


def replay_posting(
    sessions: sessionmaker[Session], posting_id: int, *, by: str, why: str, not_before: datetime | None = None
) -> bool:
    """Do the posting's failed publish or operation again; False if nothing is failed any more."""
    with unit_of_work(sessions) as session:
        posting = session.scalar(select(Posting).where(Posting.id == posting_id).with_for_update())
        if posting is None:
            return False
        if posting.status != PostingStatus.FAILED:
            return _replay_operation(session, posting, by=by, why=why, not_before=not_before)
        failed_with = posting.last_error
        request_publish(session, posting, reason="replay", not_before=not_before)
        event = JobPublishReplayed(
            organization_id=posting.organization_id,
            job_id=posting.job_id,
            posting_id=posting.id,
            platform=posting.platform,
            by=by,
            why=why,
            failed_with=failed_with,
        )
        record(session, event)
        return True


def _replay_operation(session: Session, posting: Posting, *, by: str, why: str, not_before: datetime | None) -> bool:
    if posting.operation_status != OperationStatus.FAILED or posting.status == PostingStatus.CLOSED:
        return False
    assert posting.operation is not None  # its operation failed: `operation` is set with its status
    failed_with = posting.last_error
    request_operation(session, posting, Operation(posting.operation), reason="replay", not_before=not_before)
    event = JobOperationReplayed(
        organization_id=posting.organization_id,
        job_id=posting.job_id,
        posting_id=posting.id,
        platform=posting.platform,
        operation=posting.operation,
        by=by,
        why=why,
        failed_with=failed_with,
    )
    record(session, event)
    return True
