"""Lifecycle operations on a posting (update, close, renew): what a request may do, and asking for one.

A posting holds one operation slot beside its publish `status`: `operation` (the latest asked
for) and `operation_status` (pending, running, succeeded, failed). The rules that keep the slot
honest live here, so the API, replays and recovery apply the same ones:

- an update coalesces with an update still waiting (the attempt sends the job as it is then);
  one asked for while an update runs is sent again after it;
- a close supersedes a waiting update or renew, and nothing but a publish reopens a closed
  posting: an update or renew asked for after a close is refused;
- an operation asked for while the publish is still under way waits for it: the publisher
  dispatches it when the posting is published (a close of a posting whose publish then fails
  just closes it here: nothing is live to close);
- a renew is only for a published posting with nothing else in flight, and only where the
  platform has renewals (its adapter's `renews`: LinkedIn, Naukri's refresh, the feed).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy.orm import Session

from shared.events import JobClosed, JobOperationRequested
from shared.models import Operation, OperationStatus, Posting, PostingStatus, utcnow
from shared.outbox import publish_dispatch, record
from shared.platforms import adapter_class

IN_FLIGHT = (OperationStatus.PENDING, OperationStatus.RUNNING)
ON_ITS_WAY = (PostingStatus.PENDING, PostingStatus.PUBLISHING)


class RenewInFlight(Exception):
    """An edit must wait: a renew of the posting is still under way (it would be lost otherwise)."""


def in_flight(posting: Posting) -> str | None:
    return posting.operation if posting.operation_status in IN_FLIGHT else None


def why_not(posting: Posting, operation: Operation) -> str | None:
    """Why `operation` cannot be asked for on this posting now; None when it can.

    Raises RenewInFlight for an update while a renew is under way.
    """
    platform, flying = posting.platform, in_flight(posting)
    if operation == Operation.RENEW and not adapter_class(platform).renews:
        return f"{platform} does not support renewing a posting"
    if posting.status == PostingStatus.CLOSED:
        return f"{platform} is closed"
    if flying == Operation.CLOSE:
        return f"{platform} is being closed"
    if operation == Operation.CLOSE:
        return None  # a close supersedes whatever else waits; a failed posting is closed here
    if posting.status == PostingStatus.FAILED:
        return f"{platform} failed to publish; a retry publishes the job as it is now"
    if operation == Operation.UPDATE:
        if flying == Operation.RENEW:
            raise RenewInFlight(f"a renew is in flight on {platform}; edit the job once it is done")
        return None
    if posting.status != PostingStatus.PUBLISHED:
        return f"{platform} is {posting.status}; only a published posting can be renewed"
    if flying:
        return f"an {flying} is in flight on {platform}; renew once it is done"
    return None


def request_operation(
    session: Session,
    posting: Posting,
    operation: Operation,
    *,
    reason: Literal["request", "recovered", "replay"] = "request",
    correlation_id: str | None = None,
    not_before: datetime | None = None,
) -> None:
    """Fill the posting's operation slot and record a `JobOperationRequested` for its platform's queue.

    The caller holds the posting locked (SELECT … FOR UPDATE), so a worker finishing the publish
    or a running operation sees the request before or after, never half of it.
    """
    if operation == Operation.CLOSE and posting.status == PostingStatus.FAILED:
        close_here(session, posting, correlation_id)
        return
    if posting.status == PostingStatus.PUBLISHED:
        posting.task_id = None  # an earlier operation's task must not answer for this one
    posting.operation = operation
    posting.operation_status = OperationStatus.PENDING
    if reason != "recovered":
        posting.attempts = 0
        posting.last_error = None
        posting.next_attempt_at = None
    posting.updated_at = utcnow()
    dispatch_operation(session, posting, reason, correlation_id, not_before)


def dispatch_operation(
    session: Session, posting: Posting, reason: str, correlation_id: str | None, not_before: datetime | None = None
) -> None:
    """Send the posting's waiting operation to its platform's publish queue (its workers), at `not_before`."""
    event = JobOperationRequested(
        organization_id=posting.organization_id,
        job_id=posting.job_id,
        posting_id=posting.id,
        platform=posting.platform,
        operation=posting.operation,
        reason=reason,
    )
    record(session, event, dispatch=publish_dispatch(posting.platform, not_before), correlation_id=correlation_id)


def close_here(session: Session, posting: Posting, correlation_id: str | None) -> None:
    """Close a posting that nothing on the platform shows (its publish failed): no platform call."""
    posting.status = PostingStatus.CLOSED
    posting.operation = Operation.CLOSE
    posting.operation_status = OperationStatus.SUCCEEDED
    posting.next_attempt_at = None
    posting.updated_at = utcnow()
    event = JobClosed(
        organization_id=posting.organization_id,
        job_id=posting.job_id,
        posting_id=posting.id,
        platform=posting.platform,
        attempt=0,
    )
    record(session, event, correlation_id=correlation_id)


def after_publish_outcome(session: Session, posting: Posting, correlation_id: str | None) -> None:
    """An operation asked for while the publish was under way: send it now the posting is live,
    or settle it now that the publish failed (the publisher calls this with the posting locked)."""
    if posting.operation_status != OperationStatus.PENDING:
        return
    if posting.status == PostingStatus.PUBLISHED:
        dispatch_operation(session, posting, "published", correlation_id)
    elif posting.operation == Operation.CLOSE:
        close_here(session, posting, correlation_id)
    else:  # an update of a job that failed to publish: a retry sends the job as it is now anyway
        posting.operation = posting.operation_status = None
