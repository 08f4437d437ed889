"""What the lifecycle endpoints (edit, close, renew, repost) do to the database, apart from HTTP.

Each works inside the caller's transaction with the job's postings locked; the route commits
once, so the change, the postings' operation slots and their `JobOperationRequested` events are
stored together or not at all. Which postings a request may act on is decided by
shared/operations.py (a repost, which publishes anew, by shared/postings.py). A request that
could act on no platform raises NothingToDo before it changes anything.

A platform may hold several postings of one job (parts, one per group of locations:
shared/locations.py); a request naming a platform acts on every part of it, and a platform is
`skipped` only when none of its parts could be acted on (the reason given is its first part's).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from services.api.board_checks import check_job
from services.api.job_locations import check_new_locations, reshape_parts
from services.api.job_publishing import Conflict, NothingToDo, job_core, locked_postings, new_part, stored_questions
from services.api.schemas.jobs import JobPatch
from shared.locations import split_locations
from shared.models import Job, Operation, Posting, PostingStatus
from shared.operations import RenewInFlight, request_operation, why_not
from shared.postings import request_publish, request_repost, why_not_repost

# The request's field name → the job column it changes, where they differ.
COLUMNS = {"company": "company_name"}
VERBS = {Operation.UPDATE: "update", Operation.CLOSE: "close", Operation.RENEW: "renew"}


def edit_job(session: Session, job: Job, patch: JobPatch, correlation_id: str | None) -> dict[str, str]:
    """Store the changed fields and ask each live posting for an update; new locations also add
    or close postings (services/api/job_locations.py). Returns the platforms skipped, and why.

    Raises NothingToDo, storing nothing, when no platform is live and none failed (a failed one
    keeps the edit: its retry publishes the job as it is then).
    """
    by_platform = locked_postings(session, job)
    postings = [posting for parts in by_platform.values() for posting in parts]
    try:
        reasons = {posting.id: why_not(posting, Operation.UPDATE) for posting in postings}
    except RenewInFlight as conflict:
        raise Conflict(str(conflict)) from None
    if all(reasons.values()) and not any(p.status == PostingStatus.FAILED for p in postings):
        raise NothingToDo(VERBS[Operation.UPDATE], _first_reasons(by_platform, reasons, set()))
    own = {"board_fields", "screening_questions", "location", "locations"}
    changed = {name: _stored(getattr(patch, name)) for name in patch.model_fields_set - own}
    locations = patch.new_locations
    board_fields = _merged_board_fields(job.board_fields or {}, patch.board_fields)
    # The job as it would be, checked for every platform it is not closed on (as a publish is).
    core = {**job_core(job), **{name: value for name, value in changed.items() if name in ("title", "description")}}
    if locations is not None:
        core["location"] = locations[0]
        core.pop("locations", None)
        if patch.locations is not None:
            core["locations"] = list(locations)
    live = sorted({posting.platform for posting in postings if posting.status != PostingStatus.CLOSED})
    check_job(core, board_fields, live, ("body",))
    if locations is not None:
        check_new_locations(by_platform, locations)
    for name, value in changed.items():
        setattr(job, COLUMNS.get(name, name), value)
    job.board_fields = board_fields
    if "screening_questions" in patch.model_fields_set:
        job.screening_questions = stored_questions(patch.screening_questions, job.screening_questions)
    if locations is not None:
        job.location, job.locations = locations[0], locations
    session.flush()
    reshaped = reshape_parts(session, job, by_platform, correlation_id) if locations is not None else None
    acted = reshaped.platforms if reshaped else set()
    for posting in postings:
        if reasons[posting.id] is None and not (reshaped and posting.id in reshaped.handled):
            request_operation(session, posting, Operation.UPDATE, correlation_id=correlation_id)
            acted.add(posting.platform)
    return _first_reasons(by_platform, reasons, acted)


def _merged_board_fields(stored: dict[str, Any], patched: dict[str, Any] | None) -> dict[str, Any]:
    """The stored blocks with the patch's in place of theirs; a block patched to null is removed."""
    merged = {**stored, **(patched or {})}
    return {platform: block for platform, block in merged.items() if block is not None}


def _first_reasons(
    by_platform: dict[str, list[Posting]], reasons: dict[int, str | None], acted: set[str]
) -> dict[str, str]:
    """Each platform nothing was asked of, with its first part's reason."""
    skipped: dict[str, str] = {}
    for platform, parts in by_platform.items():
        found = [why for why in (reasons[p.id] for p in parts) if why]
        if platform not in acted and found:
            skipped[platform] = found[0]
    return skipped


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
    """Close or renew the job where it can be (every part on all its platforms, or on those named).

    Returns the platforms skipped and why; raises NothingToDo when no platform could be acted on.
    """
    by_platform = locked_postings(session, job)
    skipped: dict[str, str] = {}
    for platform in platforms or list(by_platform):
        parts = by_platform.get(platform)
        if not parts:
            skipped[platform] = f"the job was never published to {platform}"
            continue
        reasons = [why_not(posting, operation) for posting in parts]
        for posting, reason in zip(parts, reasons, strict=True):
            if reason is None:
                request_operation(session, posting, operation, correlation_id=correlation_id)
        if all(reasons):
            skipped[platform] = reasons[0] or ""
    if len(skipped) == len(platforms or by_platform):
        raise NothingToDo(VERBS[operation], skipped)
    return skipped


def repost_postings(
    session: Session, job: Job, platforms: Sequence[str] | None, correlation_id: str | None
) -> dict[str, str]:
    """Publish the job anew where its postings are closed (all its platforms, or those named):
    as many parts as its locations need there now; a part closed because the job lost locations
    stays closed.

    Returns the platforms skipped and why; raises NothingToDo when none is closed.
    """
    by_platform = locked_postings(session, job)
    skipped: dict[str, str] = {}
    for platform in platforms or list(by_platform):
        parts = by_platform.get(platform)
        if not parts:
            skipped[platform] = f"the job was never published to {platform}; publish it there"
            continue
        reason = _repost_parts(session, job, platform, parts, correlation_id)
        if reason:
            skipped[platform] = reason
    if len(skipped) == len(platforms or by_platform):
        raise NothingToDo("repost", skipped)
    return skipped


def _repost_parts(
    session: Session, job: Job, platform: str, parts: list[Posting], correlation_id: str | None
) -> str | None:
    """Repost the platform's closed parts the job's locations still need; None if any was, else why not."""
    chunks = split_locations(platform, job.all_locations)
    numbered = {posting.part: posting for posting in parts}
    first_reason = why_not_repost(parts[0])
    if first_reason:
        return first_reason  # part 1 says whether the job is closed on this platform
    for number, chunk in enumerate(chunks, 1):
        posting = numbered.get(number)
        if posting is None:
            posting = new_part(session, job, platform, number, chunk)
            request_publish(session, posting, reason="publish", correlation_id=correlation_id)
        elif why_not_repost(posting) is None:
            posting.locations = chunk
            request_repost(session, posting, correlation_id=correlation_id)
    return None
