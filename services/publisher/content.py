"""How a stored job becomes what a platform is asked to show."""

from __future__ import annotations

from typing import Any

from shared.config import Settings
from shared.models import Posting, utcnow
from shared.platforms import adapter_class
from shared.platforms.base import EmploymentType, PostingContent, Salary, WorkplaceType
from shared.platforms.fields import with_defaults
from shared.screening import from_stored
from shared.source_tracking import parameters_of, tagged_url

LINKEDIN_WEBHOOK_PATH = "/jobs/publishing/webhooks/linkedin/applications/"
INDEED_APPLY_PATH = "/jobs/publishing/webhooks/indeed/applications/"
# Where each platform that pushes applications delivers them; the others ignore the address.
WEBHOOK_PATHS = {"indeed": INDEED_APPLY_PATH}


def posting_content(posting: Posting, settings: Settings, source_tracking: dict[str, Any] | None) -> PostingContent:
    """What the platform is asked to show; `source_tracking` is the organization's choice of
    apply-URL parameters (None: the default UTM ones), read with the claim."""
    job = posting.job
    locations = posting.all_locations
    path = WEBHOOK_PATHS.get(posting.platform, LINKEDIN_WEBHOOK_PATH)
    webhook = settings.public_base_url.rstrip("/") + path if settings.public_base_url else None
    return PostingContent(
        external_id=posting.external_id,
        title=job.title,
        description=job.description,
        location=locations[0],
        alternate_locations=tuple(locations[1:]),
        employment_type=EmploymentType(job.employment_type),
        workplace_type=WorkplaceType(job.workplace_type),
        apply_url=tagged_url(
            job.apply_url,
            parameters_of(source_tracking),
            platform=posting.platform,
            job_id=job.id,
            external_id=posting.external_id,
        ),
        company_name=job.company_name,
        # LinkedIn refuses a listedAt in the future; "now" at the attempt is always safe.
        listed_at=utcnow(),
        salary=Salary(**job.salary) if job.salary else None,
        skills=tuple(job.skills or ()),
        expires_at=job.expires_at,
        application_webhook_url=webhook,
        # Only this platform's own block: LinkedIn never sees the Naukri CTC.
        board_fields=with_defaults(
            adapter_class(posting.platform).board_fields, (job.board_fields or {}).get(posting.platform)
        ),
        screening_questions=from_stored(job.screening_questions),
    )
