"""A job's publishing log, as operators and recruiters read it: every event, oldest first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from sqlalchemy import select

from services.api import job_publishing as jobs
from services.api.deps import CurrentOrg, SessionDep
from services.api.schemas.common import MAX_ID, IdInPath
from services.api.schemas.errors import error_answers
from services.api.schemas.events import EventPageOut
from shared.models import PublishingLog

router = APIRouter(prefix="/jobs/publishing", tags=["publishing"], responses=error_answers(401, 429))

MAX_PAGE = 500


@router.get("/{job_id}/events/", response_model=EventPageOut, responses=error_answers(404, 422))
def job_events(
    job_id: IdInPath,
    organization_id: CurrentOrg,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    cursor: Annotated[int | None, Query(ge=0, le=MAX_ID, description="next_cursor of the previous page.")] = None,
):
    """Every event of the job (requested, retry scheduled, published, failed, applications received…)."""
    if jobs.find_job(session, organization_id, job_id) is None:
        raise HTTPException(404, "no job with this id in your organization")
    query = select(PublishingLog).where(
        PublishingLog.job_id == job_id, PublishingLog.organization_id == organization_id
    )
    if cursor is not None:
        query = query.where(PublishingLog.id > cursor)
    rows = session.scalars(query.order_by(PublishingLog.id).limit(limit + 1)).all()
    page = rows[:limit]
    return {"items": page, "next_cursor": str(page[-1].id) if len(rows) > limit else None}
