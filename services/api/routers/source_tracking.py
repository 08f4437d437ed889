"""The organization's choice of where-candidates-came-from parameters on every board's apply URL.

Applied when a posting is next sent (a publish, an update, a renew) and at once in the job feed.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from services.api.deps import CurrentOrg, SessionDep
from services.api.schemas.errors import error_answers
from services.api.schemas.source_tracking import SourceTrackingIn, SourceTrackingOut, tracking_out
from shared.models import Organization

router = APIRouter(prefix="/jobs/publishing/settings", tags=["organization"], responses=error_answers(401, 429))


def _organization(session, organization_id: int) -> Organization:
    organization = session.get(Organization, organization_id)
    if organization is None:  # removed since the key was checked a moment ago
        raise HTTPException(401, "invalid or revoked API key")
    return organization


@router.get("/source-tracking/", response_model=SourceTrackingOut)
def show_source_tracking(organization_id: CurrentOrg, session: SessionDep):
    """The parameters each board's apply URL carries.

    Default: `utm_source=<platform>&utm_medium=job_board&utm_campaign=<job id>`."""
    return tracking_out(_organization(session, organization_id).source_tracking)


@router.put("/source-tracking/", response_model=SourceTrackingOut, responses=error_answers(400, 413, 422))
def set_source_tracking(body: SourceTrackingIn, organization_id: CurrentOrg, session: SessionDep):
    """Turn it off, set your own parameters, or go back to the default (`{"enabled": true}`)."""
    organization = _organization(session, organization_id)
    organization.source_tracking = None if body.enabled and body.parameters is None else body.model_dump()
    session.commit()
    return tracking_out(organization.source_tracking)
