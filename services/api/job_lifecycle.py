"""What the lifecycle endpoints (edit, close, renew, repost) do to the database, apart from HTTP.

Each works inside the caller's transaction with the job's postings locked; the route commits
once, so the change, the postings' operation slots and their `JobOperationRequested` events are
stored together or not at all. Which postings a request may act on is decided by
shared/operations.py (a repost, which publishes anew, by shared/postings.py). A request that
could act on no platform raises NothingToDo before it changes anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from services.api.board_checks import check_job
from services.api.job_publishing import Conflict, NothingToDo, job_core, locked_postings, stored_questions
from services.api.schemas.jobs import JobPatch
from shared.models import Job, Operation, PostingStatus
from shared.operations import RenewInFlight, request_operation, why_not
from shared.postings import request_repost, why_not_repost

# The request's field name → the job column it changes, where they differ.
COLUMNS = {"company": "company_name"}
VERBS = {Operation.UPDATE: "update", Operation.CLOSE: "close", Operation.RENEW: "renew"}


def edit_job(session: Session, job: Job, patch: JobPatch, correlation_id: str | None) -> dict[str, str]:
    """Store the changed fields and ask each live platform for an update. Returns the platforms skipped, and why.

    Raises NothingToDo, storing nothing, when no platform is live and none failed (a failed one
    keeps the edit: its retry publishes the job as it is then).
    """
    postings = locked_postings(session, job)
    try:
        skipped = {platform: why_not(posting, Operation.UPDATE) for platform, posting in postings.items()}
    except RenewInFlight as conflict:
        raise Conflict(str(conflict)) from None
    if all(skipped.values()) and not any(p.status == PostingStatus.FAILED for p in postings.values()):
        raise NothingToDo(VERBS[Operation.UPDATE], {platform: why for platform, why in skipped.items() if why})
    changed = {
        name: _stored(getattr(patch, name)) for name in patch.model_fields_set - {"board_fields", "screening_questions"}
    }
    board_fields = _merged_board_fields(job.board_fields or {}, patch.board_fields)
    # The job as it would be, checked for every platform it is not closed on (as a publish is).
    core = {
        **job_core(job),
        **{name: value for name, value in changed.items() if name in ("title", "description", "location")},
    }
    live = [platform for platform, posting in postings.items() if posting.status != PostingStatus.CLOSED]
    check_job(core, board_fields, live, ("body",))
    for name, value in changed.items():
        setattr(job, COLUMNS.get(name, name), value)
    job.board_fields = board_fields
    if "screening_questions" in patch.model_fields_set:
        job.screening_questions = stored_questions(patch.screening_questions, job.screening_questions)
    session.flush()
    for platform, reason in skipped.items():
        if reason is None:
            request_operation(session, postings[platform], Operation.UPDATE, correlation_id=correlation_id)
    return {platform: reason for platform, reason in skipped.items() if reason}


def _merged_board_fields(stored: dict[str, Any], patched: dict[str, Any] | None) -> dict[str, Any]:
    """The stored blocks with the patch's in place of theirs; a block patched to null is removed."""
    merged = {**stored, **(patched or {})}
    return {platform: block for platform, block in merged.items() if block is not None}


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

    Returns the platforms skipped and why; raises NothingToDo when no platform could be acted on.
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
        raise NothingToDo(VERBS[operation], skipped)
    return skipped


def repost_postings(
    session: Session, job: Job, platforms: Sequence[str] | None, correlation_id: str | None
) -> dict[str, str]:
    """Publish the job anew where its posting is closed (all its platforms, or those named).

    Returns the platforms skipped and why; raises NothingToDo when none is closed.
    """
    postings = locked_postings(session, job)
    skipped: dict[str, str] = {}
    for platform in platforms or list(postings):
        posting = postings.get(platform)
        if posting is None:
            skipped[platform] = f"the job was never published to {platform}; publish it there"
        elif reason := why_not_repost(posting):
            skipped[platform] = reason
        else:
            request_repost(session, posting, correlation_id=correlation_id)
    if len(skipped) == len(platforms or postings):
        raise NothingToDo("repost", skipped)
    return skipped
