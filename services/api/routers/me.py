"""Who is calling: the organization and key behind `X-API-Key`, so a client need not probe the routes."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from services.api.deps import CurrentOrg, SessionDep
from services.api.schemas.errors import error_answers
from services.api.schemas.me import KeyOut, MeOut, OrganizationOut
from shared.models import Organization

router = APIRouter(prefix="/jobs/publishing", tags=["organization"], responses=error_answers(401, 429))


@router.get("/me/", response_model=MeOut)
def who_am_i(request: Request, organization_id: CurrentOrg, session: SessionDep):
    """The calling key's organization and the key itself: `key_id`, `scope` and `label` (never the secret)."""
    organization = session.get(Organization, organization_id)
    if organization is None:  # removed since the key was checked a moment ago
        raise HTTPException(401, "invalid or revoked API key")
    api_key = request.state.api_key
    return MeOut(
        organization=OrganizationOut(id=organization.id, name=organization.name),
        key=KeyOut(key_id=api_key.key_id, scope=api_key.scope, label=api_key.label),
    )
