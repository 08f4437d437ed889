"""A published job's lifecycle: edit it, close it, renew it, on every platform where it is live,
and repost it where it was closed.

Each answers 202 at once with the status per platform (and the platforms skipped, with why);
the publisher's workers carry the operations out, retried like a publish. A request that
could act on no platform is a 409 (with `skipped`) and changes nothing (services/api/app.py).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, HTTPException, Response
from sqlalchemy.orm import Session

from services.api import job_lifecycle as lifecycle
from services.api import job_publishing as jobs
from services.api.deps import CorrelationId, CurrentOrg, SessionDep
from services.api.schemas.common import IdInPath, expand_platforms
from services.api.schemas.errors import error_answers
from services.api.schemas.jobs import JobOperationOut, JobPatch, LifecycleRequest, RepostRequest
from shared.models import Job, Operation

router = APIRouter(
    prefix="/jobs/publishing", tags=["lifecycle"], responses=error_answers(401, 404, 409, 400, 413, 422, 429)
)

NOT_FOUND = "no job with this id in your organization"


def _job(session: Session, organization_id: int, job_id: int) -> Job:
    job = jobs.find_job(session, organization_id, job_id)
    if job is None:
        raise HTTPException(404, NOT_FOUND)
    return job


def _answer(session: Session, job: Job, skipped: dict[str, str]) -> JobOperationOut:
    session.commit()
    session.refresh(job)
    return JobOperationOut(**jobs.job_status(job).model_dump(), skipped=skipped)


# `:int`: this path's one segment would otherwise take /me/, /jobs/ … for a job id, and a PATCH
# there would be a 422 about the id instead of the 405 naming the methods those paths take.
@router.patch(
    "/{job_id:int}/",
    status_code=202,
    response_model=JobOperationOut,
    responses={200: {"model": JobOperationOut, "description": "Stored for the retry; nothing was queued."}},
)
def edit(
    job_id: IdInPath,
    body: JobPatch,
    response: Response,
    organization_id: CurrentOrg,
    session: SessionDep,
    correlation_id: CorrelationId,
):
    """Change some of the job's fields; every platform where it is live (or on its way) gets an update.

    409, storing nothing, when no platform is live (all closed or being closed), and while a
    renew is in flight (the edit would overtake it). A job whose platforms only failed keeps the
    edit for its retry: 200, nothing queued.
    """
    job = _job(session, organization_id, job_id)
    skipped = lifecycle.edit_job(session, job, body, correlation_id)
    answer = _answer(session, job, skipped)
    if set(answer.platforms) <= set(skipped):
        response.status_code = 200  # stored for the retry; no update was queued
    return answer


def _change(
    session: Session,
    organization_id: int,
    job_id: int,
    operation: Operation,
    body: LifecycleRequest | None,
    correlation_id: str,
) -> JobOperationOut:
    job = _job(session, organization_id, job_id)
    named = expand_platforms(body.platforms) if body and body.platforms else None
    skipped = lifecycle.change_postings(session, job, operation, named, correlation_id)
    return _answer(session, job, skipped)


@router.post("/{job_id}/close/", status_code=202, response_model=JobOperationOut)
def close(
    job_id: IdInPath,
    organization_id: CurrentOrg,
    session: SessionDep,
    correlation_id: CorrelationId,
    body: Annotated[LifecycleRequest | None, Body()] = None,
):
    """Close the job on every platform (or those named); a publish still under way is closed once it lands."""
    return _change(session, organization_id, job_id, Operation.CLOSE, body, correlation_id)


@router.post("/{job_id}/renew/", status_code=202, response_model=JobOperationOut)
def renew(
    job_id: IdInPath,
    organization_id: CurrentOrg,
    session: SessionDep,
    correlation_id: CorrelationId,
    body: Annotated[LifecycleRequest | None, Body()] = None,
):
    """Extend the listing 30 days where the platform renews (LinkedIn RENEW, Naukri's refresh); Indeed is skipped."""
    return _change(session, organization_id, job_id, Operation.RENEW, body, correlation_id)


@router.post("/{job_id}/repost/", status_code=202, response_model=JobOperationOut)
def repost(
    job_id: IdInPath,
    organization_id: CurrentOrg,
    session: SessionDep,
    correlation_id: CorrelationId,
    body: Annotated[RepostRequest | None, Body()] = None,
):
    """Publish the job anew where its posting is closed (or on the closed platforms named): a new
    posting with its own id and link; the closed one's stay in the job's events. 409 if none is closed."""
    job = _job(session, organization_id, job_id)
    named = expand_platforms(body.platforms) if body and body.platforms else None
    skipped = lifecycle.repost_postings(session, job, named, correlation_id)
    return _answer(session, job, skipped)
