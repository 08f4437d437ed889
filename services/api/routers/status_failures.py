"""Application statuses whose forwarding to the board failed, for an operator key: list them, and
forward them again (each replay an `ApplicationStatusReplayed` naming the key and the reason)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.api.deps import OperatorOrg, SessionDep
from services.api.job_publishing import FieldProblem
from services.api.schemas.common import PlatformName
from services.api.schemas.errors import error_answers
from services.api.schemas.failures import StatusFailureOut, StatusFailurePageOut, StatusReplayOut, StatusReplayRequest
from shared.application_status import failed_updates, replay_update
from shared.models import Application, ApplicationStatusUpdate

router = APIRouter(
    prefix="/jobs/publishing/failures/status-updates", tags=["operations"], responses=error_answers(401, 403, 429)
)

MAX_PAGE = 200


@router.get("/", response_model=StatusFailurePageOut, responses=error_answers(422))
def list_status_failures(
    organization_id: OperatorOrg,
    session: SessionDep,
    platform: PlatformName | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    cursor: Annotated[str | None, Query(pattern=r"^\d{1,18}$", description="next_cursor of the previous page.")] = None,
):
    """The organization's application statuses a board refused (or that ran out of attempts), oldest first."""
    rows = failed_updates(
        session, organization_id, platform=platform, limit=limit + 1, after_id=int(cursor) if cursor else None
    )
    page = rows[:limit]
    jobs = _jobs_of(session, [u.application_id for u in page])
    items = [
        StatusFailureOut(
            status_update_id=u.id,
            application_id=u.application_id,
            job_id=jobs[u.application_id],
            platform=u.platform,
            status=u.status,
            failed_at=u.updated_at,
            attempts=u.attempts,
            error=u.last_error,
        )
        for u in page
    ]
    return {"items": items, "next_cursor": str(page[-1].id) if len(rows) > limit else None}


@router.post("/replay/", response_model=StatusReplayOut, responses=error_answers(400, 413, 422))
def replay_status_failures(
    body: StatusReplayRequest, request: Request, organization_id: OperatorOrg, session: SessionDep
):
    """Forward these failed statuses again; one no longer failed (replayed already) is skipped."""
    chosen = _own_updates(session, organization_id, body.status_update_ids)
    api_key = request.state.api_key
    by = f"api key {api_key.key_id}" + (f" ({api_key.label})" if api_key.label else "")
    replayed = sum(replay_update(session, update_id, by=by, why=body.why) for update_id in chosen)
    session.commit()
    return StatusReplayOut(matched=len(chosen), replayed=replayed, skipped=len(chosen) - replayed)


def _own_updates(session: Session, organization_id: int, update_ids: list[int]) -> list[int]:
    """The ids, all the organization's; another organization's is as unknown as a missing one."""
    query = select(ApplicationStatusUpdate.id).where(
        ApplicationStatusUpdate.id.in_(update_ids), ApplicationStatusUpdate.organization_id == organization_id
    )
    known = set(session.scalars(query))
    for index, update_id in enumerate(update_ids):
        if update_id not in known:
            raise FieldProblem(
                ("body", "status_update_ids", index),
                f"no status update {update_id} in your organization",
                "unknown_status_update",
            )
    return list(dict.fromkeys(update_ids))


def _jobs_of(session: Session, application_ids: list[int]) -> dict[int, int]:
    query = select(Application.id, Application.job_id).where(Application.id.in_(application_ids))
    return {row.id: row.job_id for row in session.execute(query)}
