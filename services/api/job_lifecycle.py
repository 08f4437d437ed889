"""What the lifecycle endpoints (edit, close, renew) do to the database, apart from HTTP.

Each works inside the caller's transaction with the job's postings locked; the route commits
once, so the change, the postings' operation slots and their `JobOperationRequested` events are
stored together or not at all. Which postings a request may act on is decided by
shared/operations.py.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.api.job_publishing import Conflict, FieldProblem
from services.api.schemas.common import MIN_DESCRIPTION
from services.api.schemas.jobs import JobPatch
from shared.models import Job, Operation, Posting, PostingStatus
from shared.operations import RenewInFlight, request_operation, why_not

# The request's field name → the job column it changes, where they differ.
COLUMNS = {"company": "company_name"}
VERBS = {Operation.UPDATE: "update", Operation.CLOSE: "close", Operation.RENEW: "renew"}


def locked_postings(session: Session, job: Job) -> dict[str, Posting]:
    query = select(Posting).where(Posting.job_id == job.id).order_by(Posting.platform).with_for_update()
    return {posting.platform: posting for posting in session.scalars(query.execution_options(populate_existing=True))}


def edit_job(session: Session, job: Job, patch: JobPatch, correlation_id: str | None) -> dict[str, str]:
    """Store the changed fields and ask each live platform for an update. Returns the platforms skipped, and why."""
    postings = locked_postings(session, job)
    try:
        skipped = {platform: why_not(posting, Operation.UPDATE) for platform, posting in postings.items()}
    except RenewInFlight as conflict:
        raise Conflict(str(conflict)) from None
    _check_description(patch, postings)
    for name in patch.model_fields_set:
        setattr(job, COLUMNS.get(name, name), _stored(getattr(patch, name)))
    session.flush()
    for platform, reason in skipped.items():
        if reason is None:
            request_operation(session, postings[platform], Operation.UPDATE, correlation_id=correlation_id)
    return {platform: reason for platform, reason in skipped.items() if reason}


def _check_description(patch: JobPatch, postings: dict[str, Posting]) -> None:
    if patch.description is None:
        return
    for platform, posting in postings.items():
        needed = MIN_DESCRIPTION[platform]
        if posting.status != PostingStatus.CLOSED and len(patch.description) < needed:
            raise FieldProblem(
                ("body", "description"),
                f"{platform} needs a description of at least {needed} characters;"
                f" this one has {len(patch.description)}",
                "string_too_short",
            )


def _stored(value):
    """A request value as its column holds it: enums by value, the salary as a dict."""
    if hasattr(value, "model_dump"):
        return value.model_dump()
    if isinstance(value, list):
        return list(value)
    return getattr(value, "value", value)


def change_postings(
    session: Session, job: Job, operation: Operation, platforms: Sequence[str] | None, correlation_id: str | None
) -> dict[str, str]:
    """Close or renew the job where it can be (all its platforms, or those named).

    Returns the platforms skipped and why; raises Conflict when no platform could be acted on.
    """
    postings = locked_postings(session, job)
    skipped: dict[str, str] = {}
    for platform in platforms or list(postings):
        posting = postings.get(platform)
        if posting is None:
            skipped[platform] = f"the job was never published to {platform}"
            continue
        reason = why_not(posting, operation)
        if reason:
            skipped[platform] = reason
        else:
            request_operation(session, posting, operation, correlation_id=correlation_id)
    if len(skipped) == len(platforms or postings):
        reasons = "; ".join(skipped.values()) or "the job was never published"
        raise Conflict(f"nothing to {VERBS[operation]}: {reasons}")
    return skipped
