"""The organization's jobs, newest first, each with where it stands on every platform.

What a console lists before any job id is known; each item is the same shape as a job's status.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from services.api import job_publishing as jobs
from services.api.deps import CurrentOrg, SessionDep
from services.api.schemas.errors import error_answers
from services.api.schemas.jobs import JobListItemOut, JobPageOut
from shared.models import Job

router = APIRouter(prefix="/jobs/publishing", tags=["publishing"], responses=error_answers(401, 429))

MAX_PAGE_SIZE = 200


@router.get("/jobs/", response_model=JobPageOut, responses=error_answers(422))
def list_jobs(
    organization_id: CurrentOrg,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    cursor: Annotated[str | None, Query(pattern=r"^\d{1,18}$", description="next_cursor of the previous page.")] = None,
):
    """Jobs, newest first, with each platform's status and link. Pages are keyed on the job id, so a
    job created while paging shows up on the first page, never shifting a later one."""
    query = select(Job).where(Job.organization_id == organization_id).options(selectinload(Job.postings))
    if cursor is not None:
        query = query.where(Job.id < int(cursor))
    rows = session.scalars(query.order_by(Job.id.desc()).limit(limit + 1)).all()
    page = rows[:limit]
    items = [
        JobListItemOut(
            **jobs.job_status(job).model_dump(),
            company=job.company_name,
            location=job.location,
            board_fields=job.board_fields or {},
            locations=job.all_locations,
            created_at=job.created_at,
        )
        for job in page
    ]
    return {"items": items, "next_cursor": str(page[-1].id) if len(rows) > limit else None}
