"""What each connected platform needs of a job, for a frontend to build its form from.

Declared by the adapters (shared/platforms/: `display_name`, `renews`, `min_description`,
`board_fields`), so a platform's new field or a new version of a code list shows up here with no
frontend change. Registered before the connections router, whose `/{platform}/` would otherwise
take `fields` for a platform's name.
"""

from __future__ import annotations

from fastapi import APIRouter

from services.api.deps import CurrentOrg, SessionDep
from services.api.schemas.errors import error_answers
from services.api.schemas.platforms import PlatformsFieldsOut
from shared.connections import connected_platforms
from shared.platforms import PLATFORM_NAMES, adapter_class

router = APIRouter(prefix="/jobs/publishing/platforms", tags=["platforms"], responses=error_answers(401, 429))


@router.get("/fields/", response_model=PlatformsFieldsOut)
def platform_fields(organization_id: CurrentOrg, session: SessionDep):
    """Per connected platform: its display name, whether it renews, the shortest description it
    takes, and its own fields (type, required, choices from its code list and the list's version,
    limits), which a job carries under `board_fields.<platform>`."""
    connected = connected_platforms(session, organization_id)
    return {"items": [_described(name) for name in PLATFORM_NAMES if name in connected]}


def _described(name: str) -> dict:
    adapter = adapter_class(name)
    return {
        "platform": name,
        "display_name": adapter.display_name,
        "renews": adapter.renews,
        "min_description": adapter.min_description,
        "fields": [field.describe() for field in adapter.board_fields],
    }
