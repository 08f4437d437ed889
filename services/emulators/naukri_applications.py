"""Applications on the Naukri emulator: their wire form, and the pull of our simulation-mode API:

    GET /v1/applications?cursor=<opaque>&limit=<1..100, default 50>[&reference=<ref>]
        X-Client-Id and Bearer API key as every /v1 call
        → {"applications": [...], "nextCursor", "hasMore", "resumeCursor"}
        The caller's applications strictly after the cursor, oldest first. `nextCursor` is null
        once this page reached the end; `resumeCursor` is always the position after this page
        (pass it later to read only newer applications). 400 for a malformed cursor or limit.

Naukri pushes nothing: applications reach the caller only through this pull.
"""

# No `from __future__ import annotations` here: FastAPI must see the `Depends(caller)` of the
# route below as an object, and `caller` is local to `pull_router`.
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from services.emulators import base
from services.emulators.applications import Candidate, EmulatorWithApplications, page_query
from services.emulators.faults import APPLICATIONS
from services.emulators.http_edge import ErrorAnswer

FIRST_APPLICATION_NUMBER = 90_000_000  # added to the sequence number, for ids of a realistic size
NOTICE_PERIODS = ("Immediate", "15 days", "30 days", "60 days", "90 days")


class NaukriApplications(EmulatorWithApplications):
    """Applications to Naukri postings, read back by the caller's pull."""

    def _application_wire(self, posting: dict, number: int, candidate: Candidate) -> dict:
        return {
            "applicationId": f"NA{FIRST_APPLICATION_NUMBER + number}",
            "jobId": posting["jobId"],
            "reference": posting["reference"],
            "appliedAt": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "candidate": {
                "name": f"{candidate.first_name} {candidate.last_name}".strip(),
                "email": candidate.email,
                "phone": candidate.phone,
            },
            "resumeUrl": self.resume_url(number),
            "coverLetter": candidate.cover_letter or _cover_letter(posting),
            "answers": {
                "noticePeriod": NOTICE_PERIODS[number % len(NOTICE_PERIODS)],
                "currentCtc": f"{6 + number % 20} LPA",
            },
        }


def _cover_letter(posting: dict) -> str:
    return (
        f"I am interested in the {posting.get('title', 'open')} position at "
        f"{posting.get('companyName', 'your company')}. Please find my resume attached."
    )


def pull_router(caller: Callable[..., Awaitable[str]], faults: Callable[..., Awaitable[None]]) -> APIRouter:
    """The pull endpoint, authenticated by `caller` (the API's key check) and struck by `faults`."""
    router = APIRouter(dependencies=[Depends(base.count_request)])

    @router.get("/v1/applications")
    async def applications(request: Request, client_id: Annotated[str, Depends(caller)]) -> dict:
        emulator: NaukriApplications = request.app.state.emulator
        await faults(emulator, APPLICATIONS)
        try:
            after, size, reference = page_query(request, "limit", "reference")
        except ValueError as error:
            raise ErrorAnswer(400, {"error": "bad_request", "message": str(error)}) from error
        page = emulator.applications_page(client_id, after=after, size=size, external_id=reference)
        return {
            "applications": page.elements,
            "nextCursor": page.next_cursor,
            "hasMore": page.next_cursor is not None,
            "resumeCursor": page.resume_cursor,
        }

    return router
