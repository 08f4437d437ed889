"""Applications: list them and read one (only the caller's organization), tell jobpub what happened
to one (its status, forwarded to the board it came from), and ask for a pull now."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, HTTPException, Query, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.api import job_publishing as jobs
from services.api.deps import CorrelationId, CurrentOrg, SessionDep, SettingsDep
from services.api.job_publishing import Conflict
from services.api.schemas.applications import (
    MAX_PAGE_SIZE,
    ApplicationOut,
    ApplicationPageOut,
    StatusUpdateIn,
    StatusUpdateOut,
    SyncOut,
    SyncRequest,
    SyncsOut,
)
from services.api.schemas.common import ALL_PLATFORMS, IdInPath, IdInQuery, PlatformName, UtcDatetime
from services.api.schemas.errors import error_answers
from shared.application_status import StatusConflict, locked_application, record_status, updates_of
from shared.connections import connected_platforms
from shared.models import Application, SyncRun
from shared.syncs import request_sync

router = APIRouter(prefix="/jobs/publishing", tags=["applications"], responses=error_answers(401, 429))


@router.get("/applications/", response_model=ApplicationPageOut, responses=error_answers(422))
def list_applications(
    organization_id: CurrentOrg,
    session: SessionDep,
    job_id: IdInQuery | None = None,
    platform: PlatformName | None = None,
    applied_from: Annotated[UtcDatetime | None, Query(description="Applied at or after (ISO 8601).")] = None,
    applied_to: Annotated[UtcDatetime | None, Query(description="Applied before (ISO 8601).")] = None,
    knocked_out: Annotated[
        bool | None, Query(description="true: only those that failed a knock-out question; false: only the others.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    cursor: Annotated[str | None, Query(pattern=r"^\d{1,18}$", description="next_cursor of the previous page.")] = None,
):
    """Applications, oldest first. Pages are stable: new applications never shift a page already read."""
    query = select(Application).where(Application.organization_id == organization_id)
    if job_id is not None:
        query = query.where(Application.job_id == job_id)
    if platform is not None:
        query = query.where(Application.platform == platform)
    if applied_from is not None:
        query = query.where(Application.applied_at >= applied_from)
    if applied_to is not None:
        query = query.where(Application.applied_at < applied_to)
    if knocked_out is not None:
        query = query.where(Application.knocked_out.is_(knocked_out))
    if cursor is not None:
        query = query.where(Application.id > int(cursor))
    rows = session.scalars(query.order_by(Application.id).limit(limit + 1)).all()
    page = rows[:limit]
    return {"items": _with_updates(session, page), "next_cursor": str(page[-1].id) if len(rows) > limit else None}


@router.get("/applications/{application_id}/", response_model=ApplicationOut, responses=error_answers(404, 422))
def read_application(application_id: IdInPath, organization_id: CurrentOrg, session: SessionDep):
    """One application, with the statuses your ATS reported and how forwarding each went."""
    query = select(Application).where(Application.id == application_id, Application.organization_id == organization_id)
    application = session.scalar(query)
    if application is None:
        raise HTTPException(404, NO_APPLICATION)
    return _with_updates(session, [application])[0]


@router.post(
    "/applications/{application_id}/status/",
    status_code=202,
    response_model=StatusUpdateOut,
    responses={
        200: {"model": StatusUpdateOut, "description": "This status was recorded before; nothing changed."},
        **error_answers(404, 409, 400, 413, 422),
    },
)
def record_application_status(
    application_id: IdInPath,
    body: StatusUpdateIn,
    request: Request,
    response: Response,
    organization_id: CurrentOrg,
    session: SessionDep,
    correlation_id: CorrelationId,
):
    """Tell jobpub what happened to an application in your ATS; it is forwarded to the board the
    application came from (LinkedIn, Indeed) with a publish's retries. 202 when recorded, 200 when
    this status was recorded before (nothing is sent again); 409 when it contradicts the record."""
    application = locked_application(session, organization_id, application_id)
    if application is None:
        raise HTTPException(404, NO_APPLICATION)
    api_key = request.state.api_key
    try:
        recorded = record_status(
            session, application, body.status, body.at, by=f"api key {api_key.key_id}", correlation_id=correlation_id
        )
    except StatusConflict as conflict:
        raise Conflict(str(conflict)) from None
    answer = StatusUpdateOut.of(recorded.update)
    session.commit()
    if not recorded.created:
        response.status_code = 200
    return answer


NO_APPLICATION = "no application with this id in your organization"


def _with_updates(session: Session, applications) -> list[ApplicationOut]:
    updates = updates_of(session, [a.id for a in applications])
    return [
        ApplicationOut.model_validate(a).model_copy(
            update={"status_updates": [StatusUpdateOut.of(u) for u in updates[a.id]]}
        )
        for a in applications
    ]


@router.post(
    "/sync-applications/", status_code=202, response_model=SyncsOut, responses=error_answers(404, 400, 413, 422)
)
def sync_applications(
    organization_id: CurrentOrg,
    session: SessionDep,
    correlation_id: CorrelationId,
    settings: SettingsDep,
    body: Annotated[SyncRequest | None, Body()] = None,
):
    """Pull applications now: one sync per platform, each readable afterwards by its id.

    A platform whose identical pull (same job, or none) is still pending or running answers
    with that pull instead of queuing another.
    """
    body = body or SyncRequest()
    if body.job_id is not None and jobs.find_job(session, organization_id, body.job_id) is None:
        raise HTTPException(404, "no job with this id in your organization")
    connected = connected_platforms(session, organization_id)
    wanted = [body.platform] if body.platform else [p for p in ALL_PLATFORMS if p in connected]
    missing = [p for p in wanted if p not in connected]
    if missing or not wanted:
        message = f"{missing[0]} is not connected for this organization" if missing else "no platform is connected"
        raise jobs.FieldProblem(("body", "platform"), message, "platform_not_connected")
    stalled_after = settings.recovery_stalled_after_seconds
    ids = [
        request_sync(
            session,
            organization_id,
            platform,
            trigger="api",
            job_id=body.job_id,
            correlation_id=correlation_id,
            stalled_after=stalled_after,
        )
        for platform in wanted
    ]
    session.commit()
    return {"items": session.scalars(select(SyncRun).where(SyncRun.id.in_(ids)).order_by(SyncRun.id)).all()}


@router.get("/sync-applications/{sync_id}/", response_model=SyncOut, responses=error_answers(404, 422))
def sync_status(sync_id: IdInPath, organization_id: CurrentOrg, session: SessionDep):
    """A sync's progress and result: counts so far, status, and the reason if it failed."""
    run = session.scalar(select(SyncRun).where(SyncRun.id == sync_id, SyncRun.organization_id == organization_id))
    if run is None:
        raise HTTPException(404, "no sync with this id in your organization")
    return run
