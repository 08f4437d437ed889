"""Recovery: postings the database says are on their way, whose message has vanished.

A message can be lost outside our code: Redis restarted without persistence, or dramatiq
dead-lettered it after its retries while PostgreSQL was down. The database still says the
posting is pending (or publishing, with a lapsed lease) and nothing has moved for a while;
this requests the publish again. The publisher's claim makes a surplus copy harmless. An
application status whose forwarding message vanished is sent again the same way.
"""

from __future__ import annotations

from datetime import timedelta

import structlog
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from shared.application_status import recover_stalled_updates
from shared.models import OperationStatus, Posting, PostingStatus, PublishingLog, utcnow
from shared.operations import dispatch_operation
from shared.postings import request_publish

log = structlog.get_logger(__name__)

RECOVERY_BATCH = 500


def recover_stalled(session: Session, stalled_after: float) -> int:
    """Request the publish (or operation) again for every stalled posting, and forward every
    stalled application status again; returns how many."""
    statuses = recover_stalled_updates(session, stalled_after, RECOVERY_BATCH)
    if statuses:
        log.warning("recovery.statuses_requeued", count=statuses)
    return _recover_publishes(session, stalled_after) + _recover_operations(session, stalled_after) + statuses


def _quiet(now, stalled_after: float):
    """A posting nothing has moved for a while: no live lease, no retry due soon, no message waiting to be sent."""
    quiet_since = now - timedelta(seconds=stalled_after)
    waiting_in_outbox = exists().where(
        PublishingLog.job_id == Posting.job_id,
        PublishingLog.platform == Posting.platform,
        PublishingLog.dispatch_queue.is_not(None),
        PublishingLog.dispatched_at.is_(None),
    )
    return (
        Posting.updated_at < quiet_since,
        or_(Posting.lease_expires_at.is_(None), Posting.lease_expires_at < now),
        or_(Posting.next_attempt_at.is_(None), Posting.next_attempt_at < quiet_since),
        ~waiting_in_outbox,
    )


def _recover_publishes(session: Session, stalled_after: float) -> int:
    stalled = session.scalars(
        select(Posting)
        .where(Posting.status.in_([PostingStatus.PENDING, PostingStatus.PUBLISHING]), *_quiet(utcnow(), stalled_after))
        .limit(RECOVERY_BATCH)
        .with_for_update(skip_locked=True)
    ).all()
    for posting in stalled:
        log.warning("recovery.requeued", posting_id=posting.id, status=posting.status, job_id=posting.job_id)
        request_publish(session, posting, reason="recovered")
    return len(stalled)


def _recover_operations(session: Session, stalled_after: float) -> int:
    """A live posting's update, close or renew whose message vanished: send it again, as it stands."""
    stalled = session.scalars(
        select(Posting)
        .where(
            Posting.status == PostingStatus.PUBLISHED,
            Posting.operation_status.in_([OperationStatus.PENDING, OperationStatus.RUNNING]),
            *_quiet(utcnow(), stalled_after),
        )
        .limit(RECOVERY_BATCH)
        .with_for_update(skip_locked=True)
    ).all()
    for posting in stalled:
        log.warning(
            "recovery.operation_requeued", posting_id=posting.id, operation=posting.operation, job_id=posting.job_id
        )
        posting.updated_at = utcnow()
        dispatch_operation(session, posting, "recovered", None)
    return len(stalled)
