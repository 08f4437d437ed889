"""Claiming a posting for one attempt, and holding it: the lease every publish and operation takes.

A claim is a compare-and-set on the posting row, so of any number of copies of a message only
one works at a time. The claim carries a lease; a worker that dies leaves an expired lease,
and the next copy of the message takes over and looks the posting up on the platform before
creating it again. Only the holder of the lease records an outcome (services/publisher/attempts.py).
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import BindParameter, ColumnElement, and_, bindparam, or_
from sqlalchemy.orm import Session

from services.publisher.content import posting_content
from services.publisher.taking import ClaimRule, Taken, posting_as_it_is, take
from shared.connections import PlatformNotConnected, credentials_of
from shared.context import WorkerContext
from shared.crypto import CredentialDecryptError
from shared.db import unit_of_work
from shared.models import Posting, PostingStatus, utcnow
from shared.platforms.base import PlatformCredentials, PostingContent

log = structlog.get_logger(__name__)

# A message that arrives this much before the scheduled retry is an early duplicate: ignore it.
EARLY_DUPLICATE_TOLERANCE = timedelta(seconds=1)


@dataclass(frozen=True)
class Claim:
    posting_id: int
    organization_id: int
    job_id: int
    platform: str
    lease_token: str
    attempt: int
    total_attempts: int
    look_up_first: bool
    task_id: str | None
    requested_at: datetime
    max_attempts: int
    content: PostingContent | None  # None when the job can no longer be sent (see `unusable`)
    credentials: PlatformCredentials | None
    unusable: str | None = None
    operation: str | None = None  # set for an update, close or renew (services/publisher/operations.py)
    platform_job_id: str | None = None

    def sendable(self) -> tuple[PostingContent, PlatformCredentials]:
        """What an attempt sends; only a usable claim is sent, and `_build_claim` sets both for it."""
        if self.content is None or self.credentials is None:
            raise RuntimeError(f"posting {self.posting_id}: an unusable claim cannot be sent ({self.unusable})")
        return self.content, self.credentials


@dataclass(frozen=True)
class LeaseHeld:
    """Another worker holds the posting until `until`."""

    until: datetime


# The times a claim compares with, bound at each claim: its statement is built once per rule.
NOW: BindParameter[datetime] = bindparam("now")
DUE_BY: BindParameter[datetime] = bindparam("due_by")  # now + EARLY_DUPLICATE_TOLERANCE


def claim_rule(claimable: ColumnElement[bool], taking: dict[str, Any]) -> ClaimRule:
    """A kind of claim: which postings it may take (an expression of NOW and DUE_BY), and what it
    sets on the posting besides taking the lease."""
    lease = dict(
        lease_token=bindparam("token"),
        lease_expires_at=bindparam("lease_until"),
        attempts=Posting.attempts + 1,
        unfinished_claims=Posting.unfinished_claims + 1,
        next_attempt_at=None,
    )
    return ClaimRule(claimable, {**taking, **lease})


def _claimable() -> ColumnElement[bool]:
    due = or_(Posting.next_attempt_at.is_(None), Posting.next_attempt_at <= DUE_BY)
    abandoned = and_(Posting.status == PostingStatus.PUBLISHING, Posting.lease_expires_at < NOW)
    return or_(and_(Posting.status == PostingStatus.PENDING, due), abandoned)


PUBLISH_CLAIM = claim_rule(
    _claimable(), dict(status=PostingStatus.PUBLISHING, total_attempts=Posting.total_attempts + 1)
)


def claim(ctx: WorkerContext, posting_id: int) -> Claim | LeaseHeld | None:
    """Take the posting for one attempt; None when there is nothing to do."""
    return take_posting(ctx, posting_id, PUBLISH_CLAIM, utcnow(), not_taken=_why_not_claimed)


def take_posting(
    ctx: WorkerContext,
    posting_id: int,
    rule: ClaimRule,
    now: datetime,
    *,
    not_taken,
    for_operation: bool = False,
) -> Claim | LeaseHeld | None:
    """Lease the posting if `rule` lets us: the one claim step of a publish and of an operation
    (services/publisher/operation_attempts.py), whose claim names the operation.
    When the posting is not claimable, `not_taken(posting, now)` says whether to wait for a lease."""
    token = str(uuid.uuid4())
    times = dict(
        now=now,
        due_by=now + EARLY_DUPLICATE_TOLERANCE,
        token=token,
        lease_until=now + timedelta(seconds=ctx.settings.lease_seconds),
    )
    taken = take(ctx.sessions, ctx.settings.is_sqlite, posting_id, rule, times)
    if taken is None:
        posting = posting_as_it_is(ctx.sessions, posting_id)
        return None if posting is None else not_taken(posting, now)
    held = _build_claim(ctx, taken, token)
    if for_operation:
        held = dataclasses.replace(
            held, operation=taken.posting.operation, platform_job_id=taken.posting.platform_job_id
        )
    return held


def _why_not_claimed(posting: Posting, now: datetime) -> LeaseHeld | None:
    if posting.status == PostingStatus.PUBLISHING and posting.lease_expires_at and posting.lease_expires_at >= now:
        return LeaseHeld(until=posting.lease_expires_at)
    log.info("publish.skipped", posting_id=posting.id, status=posting.status)
    return None


def _build_claim(ctx: WorkerContext, taken: Taken, token: str) -> Claim:
    posting, connection = taken.posting, taken.connection
    unusable = None
    content = credentials = None
    try:
        if connection is None or not connection.enabled:
            raise PlatformNotConnected(f"{posting.platform} is not connected for this organization")
        credentials = credentials_of(ctx.cipher, connection)
        content = posting_content(posting, ctx.settings, taken.source_tracking)
    except (PlatformNotConnected, CredentialDecryptError, ValueError) as error:
        unusable = str(error)
    if posting.unfinished_claims > ctx.settings.quarantine_after_deliveries:
        # dramatiq redelivers a message whose worker dies for ever; count those deaths here instead.
        unusable = (
            f"quarantined: {posting.unfinished_claims - 1} deliveries of this publish ended without an outcome "
            "(the worker died each time); replay it once the cause is found"
        )
    # The organization's own retry limit for the platform, if it set one.
    max_attempts = (connection and connection.publish_max_attempts) or ctx.settings.publish_max_attempts
    return Claim(
        posting_id=posting.id,
        organization_id=posting.organization_id,
        job_id=posting.job_id,
        platform=posting.platform,
        lease_token=token,
        attempt=posting.attempts,
        total_attempts=posting.total_attempts,
        look_up_first=posting.total_attempts > 1,
        task_id=posting.task_id,
        requested_at=posting.requested_at,
        max_attempts=max_attempts,
        content=content,
        credentials=credentials,
        unusable=unusable,
    )


def held_posting(session: Session, held: Claim) -> Posting | None:
    """The posting, locked, if this claim still holds its lease."""
    posting = session.get(Posting, held.posting_id, with_for_update=True, populate_existing=True)
    if posting is None or posting.lease_token != held.lease_token:
        log.warning("publish.lease_lost", posting_id=held.posting_id)
        return None
    return posting


def keep_lease(ctx: WorkerContext, held: Claim, task_id: str | None = None) -> bool:
    """Extend the lease while a long attempt goes on; remember the platform's task id."""
    with unit_of_work(ctx.sessions) as session:
        posting = held_posting(session, held)
        if posting is None:
            return False
        posting.lease_expires_at = utcnow() + timedelta(seconds=ctx.settings.lease_seconds)
        if task_id:
            posting.task_id = task_id
        return True


# What every recorded outcome sets: the lease is free, and no claim is left unfinished.
RELEASED = dict(lease_token=None, lease_expires_at=None, unfinished_claims=0)


def release(posting: Posting) -> None:
    """The attempt ended with a recorded outcome (every outcome passes here)."""
    for name, value in RELEASED.items():
        setattr(posting, name, value)
