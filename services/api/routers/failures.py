"""Failed postings for an operator key: list them, publish them again (as `jobpub failures`, one organization)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.api.deps import OperatorOrg, SessionDep, SettingsDep
from services.api.job_publishing import FieldProblem
from services.api.schemas.common import NoNul, PlatformName, UtcDatetime
from services.api.schemas.errors import error_answers
from services.api.schemas.failures import MAX_REPLAY, FailureOut, FailurePageOut, ReplayOut, ReplayRequest
from shared.models import Posting
from shared.replays import FailureFilter, failed_postings, replay_postings, what_failed

router = APIRouter(prefix="/jobs/publishing/failures", tags=["operations"], responses=error_answers(401, 403, 429))

MAX_PAGE = 200

ErrorContains = Annotated[
    str | None, Query(max_length=200, description="Only failures whose error contains this."), NoNul
]
Since = Annotated[UtcDatetime | None, Query(description="Only failures since (ISO 8601 with a zone).")]


@router.get("/", response_model=FailurePageOut, responses=error_answers(422))
def list_failures(
    organization_id: OperatorOrg,
    session: SessionDep,
    platform: PlatformName | None = None,
    error_contains: ErrorContains = None,
    since: Since = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    cursor: Annotated[str | None, Query(pattern=r"^\d{1,18}$", description="next_cursor of the previous page.")] = None,
):
    """The organization's failed postings, oldest first, with the error of the last attempt."""
    which = FailureFilter(
        platform=platform, organization_id=organization_id, error_contains=error_contains, since=since
    )
    rows = failed_postings(session, which, limit=limit + 1, after_id=int(cursor) if cursor else None)
    page = [_failure(posting) for posting in rows[:limit]]
    return {"items": page, "next_cursor": str(rows[limit - 1].id) if len(rows) > limit else None}


@router.post("/replay/", response_model=ReplayOut, responses=error_answers(400, 413, 422))
def replay_failures(
    body: ReplayRequest, request: Request, organization_id: OperatorOrg, session: SessionDep, settings: SettingsDep
):
    """Publish failed postings again, paced at the deployment's replay rate. Each replay is a
    `JobPublishReplayed` event naming the key and the reason; running it twice replays once."""
    if body.all:
        which = FailureFilter(
            platform=body.platform,
            organization_id=organization_id,
            error_contains=body.error_contains,
            since=body.since,
        )
        chosen = [posting.id for posting in failed_postings(session, which, limit=MAX_REPLAY)]
    else:
        assert body.posting_ids is not None  # ReplayRequest._one_selection: posting_ids when not all
        chosen = _own_postings(session, organization_id, body.posting_ids)
    session.rollback()  # each replay locks and commits its posting on its own
    if body.dry_run:
        return ReplayOut(matched=len(chosen), replayed=0, skipped=0, dry_run=True)
    api_key = request.state.api_key
    by = f"api key {api_key.key_id}" + (f" ({api_key.label})" if api_key.label else "")
    sessions = request.app.state.sessions
    replayed = replay_postings(sessions, chosen, by=by, why=body.why, per_second=settings.replay_per_second)
    return ReplayOut(matched=len(chosen), replayed=replayed, skipped=len(chosen) - replayed, dry_run=False)


def _own_postings(session: Session, organization_id: int, posting_ids: list[int]) -> list[int]:
    """The ids, all of them the organization's; another organization's posting is as unknown as a missing one."""
    query = select(Posting.id).where(Posting.id.in_(posting_ids), Posting.organization_id == organization_id)
    known = set(session.scalars(query))
    for index, posting_id in enumerate(posting_ids):
        if posting_id not in known:
            raise FieldProblem(
                ("body", "posting_ids", index), f"no posting {posting_id} in your organization", "unknown_posting"
            )
    return list(dict.fromkeys(posting_ids))


def _failure(posting: Posting) -> FailureOut:
    return FailureOut(
        posting_id=posting.id,
        job_id=posting.job_id,
        platform=posting.platform,
        part=posting.part,
        locations=posting.all_locations,
        failed=what_failed(posting),
        failed_at=posting.updated_at,
        attempts=posting.attempts,
        error=posting.last_error,
    )
