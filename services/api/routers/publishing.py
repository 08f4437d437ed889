"""The publishing endpoints the frontend calls: publish, status, retry."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, HTTPException, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from services.api import job_publishing as jobs
from services.api.board_checks import check_job
from services.api.deps import CorrelationId, CurrentOrg, SessionDep
from services.api.idempotency import IdempotencyGuard, fingerprint
from services.api.publish_at_once import write_new_job
from services.api.schemas.common import IdInPath, NoNul, expand_platforms
from services.api.schemas.errors import error_answers
from services.api.schemas.jobs import JobOperationOut, JobPublishingOut, PublishRequest, RetryRequest
from shared.connections import connected_platforms
from shared.db import autocommitting
from shared.models import Job
from shared.postings import external_id_tail

router = APIRouter(prefix="/jobs/publishing", tags=["publishing"], responses=error_answers(401, 429))

NOT_FOUND = "no job with this id in your organization"
IdempotencyKeyHeader = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=255, description="Same key and body: the first answer again."),
    NoNul,
]


@router.post(
    "/publish/", status_code=202, response_model=JobOperationOut, responses=error_answers(404, 409, 400, 413, 422)
)
def publish(
    body: PublishRequest,
    request: Request,
    organization_id: CurrentOrg,
    idempotency_key: IdempotencyKeyHeader = None,
):
    """Publish a new or stored job to LinkedIn, Naukri or both. Answers at once; workers do the rest.

    A stored job's platforms where it is live, on its way or closed are `skipped` (a closed one is
    reposted instead); a failed one is published again. 409 when every platform was skipped."""
    # The session, settings and correlation id are taken here rather than as dependencies: the
    # busiest route then costs one thread-pool hop (this function) and no dependency bookkeeping.
    guard = None
    if idempotency_key:
        guard = IdempotencyGuard(
            request.app.state.sessions,
            organization_id,
            idempotency_key,
            fingerprint(request.url.path, body.model_dump(mode="json", exclude_unset=True)),
        )
        stored = guard.begin(request.app.state.settings.idempotency_in_flight_seconds)
        if stored is not None:
            return JSONResponse(stored.body, status_code=stored.status)
    try:
        answer = _publish_new_job_at_once(request, organization_id, body, guard)
        if answer is None:
            with request.app.state.sessions() as session:  # closing it rolls back what was not committed
                answer = _publish(session, organization_id, body, request.state.correlation_id)
                if guard:
                    guard.complete(session, 202, answer)
                session.commit()
    except BaseException:
        if guard:  # after the session is closed: SQLite allows one writer at a time
            guard.release()
        raise
    return JSONResponse(answer, status_code=202)


def _publish_new_job_at_once(
    request: Request, organization_id: int, body: PublishRequest, guard: IdempotencyGuard | None
) -> dict[str, Any] | None:
    """A new job to named platforms, on PostgreSQL, in one statement (services/api/publish_at_once.py);
    None, having written nothing, where the request needs `_publish`: a stored job, "all", SQLite,
    a platform not connected or a job a platform refuses (`_publish` answers those in its order)."""
    if body.job is None or "all" in body.platforms or request.app.state.settings.is_sqlite:
        return None
    platforms = expand_platforms(body.platforms)
    try:
        check_job(jobs.job_core(body.job), body.job.board_fields, platforms, ("body", "job"))
        jobs.check_locations(platforms, body.job.all_locations, ("body", "job"))
    except (jobs.FieldProblem, jobs.FieldProblems):
        return None
    job = jobs.job_row(organization_id, body.job)
    postings = jobs.requested_parts(job, platforms)
    tails = [external_id_tail(posting.part) for posting in postings]
    correlation_id = request.state.correlation_id
    if guard is None:  # one statement is atomic by itself: no BEGIN and COMMIT round trips, no session
        with autocommitting(request.app.state.sessions) as connection:
            if not write_new_job(connection, job, postings, tails, platforms, correlation_id):
                return None
        return _new_job_answer(job)
    with request.app.state.sessions() as session:  # the answer is stored in the same transaction
        if not write_new_job(session.connection(), job, postings, tails, platforms, correlation_id):
            return None
        answer = _new_job_answer(job)
        guard.complete(session, 202, answer)
        session.commit()
    return answer


def _new_job_answer(job: Job) -> dict[str, Any]:
    return {**jobs.job_status(job, new_job=True).model_dump(mode="json"), "skipped": {}}


def _publish(session: Session, organization_id: int, body: PublishRequest, correlation_id: str) -> dict[str, Any]:
    connected = connected_platforms(session, organization_id)
    platforms = expand_platforms(body.platforms, connected)
    if not platforms:  # "all" with nothing connected
        raise jobs.FieldProblem(
            ("body", "platforms"), "no platform is connected for this organization", "platform_not_connected"
        )
    if body.job is not None:
        jobs.check_connected(connected, platforms)
        check_job(jobs.job_core(body.job), body.job.board_fields, platforms, ("body", "job"))
        loc = ("body", "job", "locations" if body.job.locations else "location")
        jobs.check_locations(platforms, body.job.all_locations, loc)
        job = jobs.create_job(session, organization_id, body.job)
    else:
        assert body.job_id is not None  # PublishRequest._one_job: a job or a job_id, always one of them
        found = jobs.find_job(session, organization_id, body.job_id)
        if found is None:
            raise HTTPException(404, NOT_FOUND)
        jobs.check_connected(connected, platforms)
        # The stored job's problems are named under job_id: the fix is an edit (PATCH) of that job.
        check_job(jobs.job_core(found), found.board_fields or {}, platforms, ("body", "job_id"))
        jobs.check_locations(platforms, found.all_locations, ("body", "job_id"))
        job = found
    new_job = body.job is not None
    skipped = jobs.publish_job(session, job, platforms, correlation_id, new_job=new_job)
    # JobOperationOut's fields: the status (validated as it was built) and `skipped`, a dict of strings.
    return {**jobs.job_status(job, new_job=new_job).model_dump(mode="json"), "skipped": skipped}


@router.get("/{job_id}/status/", response_model=JobPublishingOut, responses=error_answers(404, 422))
def status(job_id: IdInPath, organization_id: CurrentOrg, session: SessionDep):
    """Where the job stands on each platform: status, the platform's id and link, attempts, last error."""
    job = jobs.find_job(session, organization_id, job_id)
    if job is None:
        raise HTTPException(404, NOT_FOUND)
    return jobs.job_status(job)


@router.post(
    "/{job_id}/retry/",
    status_code=202,
    response_model=JobPublishingOut,
    responses=error_answers(404, 409, 400, 413, 422),
)
def retry(
    job_id: IdInPath,
    organization_id: CurrentOrg,
    session: SessionDep,
    correlation_id: CorrelationId,
    body: Annotated[RetryRequest | None, Body()] = None,
):
    """Publish again where the job failed (or on the failed platforms named)."""
    job = jobs.find_job(session, organization_id, job_id)
    if job is None:
        raise HTTPException(404, NOT_FOUND)
    named = expand_platforms(body.platforms) if body and body.platforms else None
    jobs.retry_job(session, job, named, correlation_id)  # a Conflict is a 409 (services/api/app.py)
    session.commit()
    session.refresh(job)
    return jobs.job_status(job)
