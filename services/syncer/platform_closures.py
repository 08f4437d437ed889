"""Postings a platform stopped listing on its own (expired, or closed by the platform), noticed
while pulling applications.

One status look-up per 100 published postings of the organization on the platform (LinkedIn's
`jobPostingStatus` batch), once per pull, so the extra calls grow with the postings, not with
the pulls' pages. A posting with an operation of ours in flight is left for the next pull: our
own close (or an update racing the platform's) decides it first.
"""

from __future__ import annotations

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from shared.db import unit_of_work
from shared.events import JobClosedByPlatform
from shared.models import Posting, PostingStatus, utcnow
from shared.operations import in_flight
from shared.outbox import record
from shared.platforms.base import Platform, PlatformCredentials

log = structlog.get_logger(__name__)


def close_what_the_platform_closed(
    sessions: sessionmaker[Session],
    platform: Platform,
    credentials: PlatformCredentials,
    organization_id: int,
    job_id: int | None,
    correlation_id: str | None = None,
) -> int:
    """Mark closed the organization's published postings the platform no longer lists; returns how many."""
    with sessions() as session:
        query = select(Posting.id, Posting.external_id).where(
            Posting.organization_id == organization_id,
            Posting.platform == platform.name,
            Posting.status == PostingStatus.PUBLISHED,
        )
        if job_id is not None:
            query = query.where(Posting.job_id == job_id)
        published = {posting_id: external_id for posting_id, external_id in session.execute(query.order_by(Posting.id))}
    if not published:
        return 0
    unlisted = platform.unlisted_postings(list(published.values()), credentials)
    closed = 0
    for posting_id, external_id in published.items():
        if external_id in unlisted:
            closed += _mark_closed(sessions, posting_id, unlisted[external_id], correlation_id)
    return closed


def _mark_closed(
    sessions: sessionmaker[Session], posting_id: int, listing_status: str, correlation_id: str | None
) -> bool:
    with unit_of_work(sessions) as session:
        posting = session.get(Posting, posting_id, with_for_update=True, populate_existing=True)
        if posting is None:  # gone since it was read: nothing left to close
            return False
        leased = posting.lease_expires_at is not None and posting.lease_expires_at >= utcnow()
        if posting.status != PostingStatus.PUBLISHED or in_flight(posting) or leased:
            return False
        posting.status = PostingStatus.CLOSED
        posting.updated_at = utcnow()
        event = JobClosedByPlatform(
            organization_id=posting.organization_id,
            job_id=posting.job_id,
            posting_id=posting.id,
            platform=posting.platform,
            listing_status=listing_status,
        )
        record(session, event, correlation_id=correlation_id)
    log.info("sync.closed_by_platform", posting_id=posting_id, listing_status=listing_status)
    return True
