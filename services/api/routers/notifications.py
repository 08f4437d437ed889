"""A tenant's notification webhooks: register an endpoint (its signing secret is shown once),
list and remove endpoints, and see how deliveries went.

Our servers fetch these URLs on the tenant's say-so, so they pass the URL guard
(shared/url_guard.py) here, and again at every delivery.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.api.deps import CurrentOrg, SessionDep
from services.api.job_publishing import FieldProblem
from services.api.schemas.common import IdInPath
from services.api.schemas.errors import error_answers
from services.api.schemas.notifications import DeliveriesOut, EndpointIn, EndpointOut, EndpointsOut, NewEndpointOut
from shared.models import NotificationDelivery, NotificationEndpoint, Organization
from shared.notifications import new_signing_secret, seal_signing_secret
from shared.url_guard import UnsafeUrl, check_on_save, parse_networks

router = APIRouter(prefix="/jobs/publishing/notifications", tags=["notifications"], responses=error_answers(401, 429))

NOT_FOUND = "no notification endpoint with this id in your organization"


def _endpoint(session: Session, organization_id: int, endpoint_id: int) -> NotificationEndpoint:
    endpoint = session.scalar(
        select(NotificationEndpoint).where(
            NotificationEndpoint.id == endpoint_id, NotificationEndpoint.organization_id == organization_id
        )
    )
    if endpoint is None:
        raise HTTPException(404, NOT_FOUND)
    return endpoint


def _refuse_past_the_limit(session: Session, organization_id: int, limit: int) -> None:
    """Every endpoint costs a delivery per notification: an organization's count is capped."""
    # Lock the organization's row so two registrations at once cannot both pass the count.
    session.execute(select(Organization.id).where(Organization.id == organization_id).with_for_update())
    count = session.execute(
        select(func.count())
        .select_from(NotificationEndpoint)
        .where(NotificationEndpoint.organization_id == organization_id)
    ).scalar_one()
    if count >= limit:
        raise HTTPException(
            409,
            f"an organization may have at most {limit} notification endpoints and yours has {count}: remove one first",
        )


@router.post("/", status_code=201, response_model=NewEndpointOut, responses=error_answers(409, 400, 413, 422, 503))
def create_endpoint(body: EndpointIn, request: Request, organization_id: CurrentOrg, session: SessionDep):
    """Register a URL for publish outcomes and new applications; answers its signing secret once.

    409 when the organization already has as many endpoints as the server allows."""
    try:
        check_on_save(body.url, parse_networks(request.app.state.settings.webhook_allowed_networks))
    except UnsafeUrl as error:
        raise FieldProblem(("body", "url"), f"refused: {error}", "unsafe_url") from None
    if request.app.state.cipher is None:
        raise HTTPException(503, "JOBPUB_ENCRYPTION_KEYS is not set on the server: secrets cannot be stored")
    _refuse_past_the_limit(session, organization_id, request.app.state.settings.notify_max_endpoints_per_organization)
    secret = new_signing_secret()
    endpoint = NotificationEndpoint(
        organization_id=organization_id,
        url=body.url,
        description=body.description,
        secret_encrypted=seal_signing_secret(request.app.state.cipher, organization_id, secret),
        enabled=True,
    )
    session.add(endpoint)
    session.commit()
    return {**EndpointOut.model_validate(endpoint).model_dump(), "secret": secret}


@router.get("/", response_model=EndpointsOut)
def list_endpoints(organization_id: CurrentOrg, session: SessionDep):
    """The organization's endpoints, oldest first (at most the server's limit, so one page)."""
    endpoints = session.scalars(
        select(NotificationEndpoint)
        .where(NotificationEndpoint.organization_id == organization_id)
        .order_by(NotificationEndpoint.id)
    ).all()
    return {"items": endpoints, "next_cursor": None}


@router.delete("/{endpoint_id}/", status_code=204, responses=error_answers(404, 422))
def delete_endpoint(endpoint_id: IdInPath, organization_id: CurrentOrg, session: SessionDep):
    """Stop notifying this URL; deliveries not yet sent are dropped."""
    session.delete(_endpoint(session, organization_id, endpoint_id))
    session.commit()
    return Response(status_code=204)


@router.get("/{endpoint_id}/deliveries/", response_model=DeliveriesOut, responses=error_answers(404, 422))
def list_deliveries(
    endpoint_id: IdInPath,
    organization_id: CurrentOrg,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
):
    """The endpoint's latest deliveries, newest first: status, attempts, last answer or error."""
    _endpoint(session, organization_id, endpoint_id)
    deliveries = session.scalars(
        select(NotificationDelivery)
        .where(NotificationDelivery.endpoint_id == endpoint_id)
        .order_by(NotificationDelivery.id.desc())
        .limit(limit)
    ).all()
    return {"items": deliveries, "next_cursor": None}
