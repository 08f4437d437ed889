"""Asking for a posting to be published, or a closed one published anew (a repost): the state
change and its event, in the caller's transaction."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from shared.events import JobPublishRequested, PreviousPosting, PublishReason
from shared.locations import part_suffix
from shared.models import OperationStatus, Posting, PostingStatus, utcnow
from shared.outbox import publish_dispatch, record


def new_external_id(job_id: int, part: int = 1) -> str:
    """Our id for a posting on its platform, made once and stored on the posting row.

    It must stay the same for every attempt (a replayed create is recognised by it), and be
    unique on the platform beyond this database: two installations (staging and production)
    may share one platform account, and their job ids repeat. Hence the random part. A job's
    further postings on one platform (part 2, 3…) end in `-p<part>`; at most 47 characters,
    within LinkedIn's 75.
    """
    return f"jobpub-{job_id}-{external_id_tail(part)}"


def external_id_tail(part: int = 1) -> str:
    """What follows `jobpub-<job id>-` in `new_external_id`: for a statement that learns the job's id
    only as it inserts the posting (services/api/publish_at_once.py)."""
    return f"{secrets.token_hex(8)}{part_suffix(part)}"


def request_publish(
    session: Session,
    posting: Posting,
    *,
    reason: PublishReason,
    correlation_id: str | None = None,
    not_before: datetime | None = None,
    repost_of: PreviousPosting | None = None,
) -> None:
    """Put the posting back to pending and record a `JobPublishRequested` for its platform's queue,
    sent to the workers at `not_before` (now if None). `repost_of`: the ids it was published under."""
    request_publish_all(
        session, [posting], reason=reason, correlation_id=correlation_id, not_before=not_before, repost_of=repost_of
    )


def request_publish_all(
    session: Session,
    postings: Sequence[Posting],
    *,
    reason: PublishReason,
    correlation_id: str | None = None,
    not_before: datetime | None = None,
    repost_of: PreviousPosting | None = None,
) -> None:
    """`request_publish` for several postings at once: new ones are written in one INSERT, and
    their events in one more when the transaction is flushed."""
    for posting in postings:
        mark_requested(posting, reason)
    # After the fields are set, so a new posting is one INSERT; the events need their ids.
    session.flush()
    for posting in postings:
        event = JobPublishRequested(
            organization_id=posting.organization_id,
            job_id=posting.job_id,
            posting_id=posting.id,
            platform=posting.platform,
            reason=reason,
            repost_of=repost_of,
        )
        dispatch = publish_dispatch(posting.platform, not_before)
        record(session, event, dispatch=dispatch, correlation_id=correlation_id)


def mark_requested(posting: Posting, reason: PublishReason) -> None:
    posting.status = PostingStatus.PENDING
    posting.next_attempt_at = None
    posting.lease_token = None
    posting.lease_expires_at = None
    posting.updated_at = utcnow()
    if reason != "recovered":
        # A new request starts its attempts afresh and is a new create: an old task's
        # FAILED verdict must not decide it. Recovery only resends what was under way.
        posting.attempts = 0
        posting.last_error = None
        posting.task_id = None
        posting.requested_at = utcnow()


def why_not_repost(posting: Posting) -> str | None:
    """Why the posting cannot be reposted now; None when it can (it is closed, nothing in flight)."""
    platform = posting.platform
    if posting.status != PostingStatus.CLOSED:
        hint = (
            f"; retry it with POST /jobs/publishing/{posting.job_id}/retry/"
            if posting.status == PostingStatus.FAILED
            else ""
        )
        return f"{platform} is {posting.status}; only a closed posting can be reposted{hint}"
    if posting.operation_status in (OperationStatus.PENDING, OperationStatus.RUNNING):
        return f"an {posting.operation} is in flight on {platform}; repost once it is done"
    return None


def request_repost(session: Session, posting: Posting, *, correlation_id: str | None = None) -> None:
    """Publish a closed posting anew: a new posting on the platform, through the normal publish.

    It gets a new external id, because the platform keeps the closed posting under the old one
    (a create with it would find that one). The old ids and link stay in the publishing log
    (`repost_of`, and the earlier `JobPublished` and `JobClosed`).
    """
    previous = PreviousPosting(
        external_id=posting.external_id, platform_job_id=posting.platform_job_id, url=posting.url
    )
    posting.external_id = new_external_id(posting.job_id, posting.part)
    posting.platform_job_id = posting.url = posting.published_at = None
    posting.total_attempts = 0  # nothing was ever sent under the new id: the first create needs no look-up
    posting.unfinished_claims = 0
    posting.operation = posting.operation_status = None  # the close was the old posting's
    request_publish(session, posting, reason="repost", correlation_id=correlation_id, repost_of=previous)
