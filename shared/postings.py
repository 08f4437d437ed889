"""Asking for a posting to be published: the state change and its event, in the caller's transaction."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Literal

from sqlalchemy.orm import Session

from shared.events import JobPublishRequested
from shared.models import Posting, PostingStatus, utcnow
from shared.outbox import publish_dispatch, record


def new_external_id(job_id: int) -> str:
    """Our id for a posting on its platform, made once and stored on the posting row.

    It must stay the same for every attempt (a replayed create is recognised by it), and be
    unique on the platform beyond this database: two installations (staging and production)
    may share one platform account, and their job ids repeat. Hence the random part.
    """
    return f"jobpub-{job_id}-{secrets.token_hex(8)}"


def request_publish(
    session: Session,
    posting: Posting,
    *,
    reason: Literal["publish", "retry", "recovered", "replay"],
    correlation_id: str | None = None,
    not_before: datetime | None = None,
) -> None:
    """Put the posting back to pending and record a `JobPublishRequested` for its platform's queue,
    sent to the workers at `not_before` (now if None)."""
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
    # After the fields are set, so a new posting is one INSERT; the event needs its id.
    session.flush()
    event = JobPublishRequested(
        organization_id=posting.organization_id,
        job_id=posting.job_id,
        posting_id=posting.id,
        platform=posting.platform,
        reason=reason,
    )
    record(session, event, dispatch=publish_dispatch(posting.platform, not_before), correlation_id=correlation_id)
