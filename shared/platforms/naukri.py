"""Naukri, over our documented HTTP API ("simulation mode").

Naukri has no public posting API (see ../shared/PLATFORMS.md), so jobpub defines the one it
speaks, and ships an emulator of it (services/emulators/naukri.py):

    Auth on every call:  X-Client-Id: <client id>   Authorization: Bearer <API key>
    POST /v1/jobs                    create; 201 {"jobId", "reference", "status", "url", "createdAt"}
    GET  /v1/jobs?reference=<ours>   {"jobs": [...]}: the caller's postings with that reference
    GET  /v1/jobs/<jobId>            one posting, or 404
    PUT  /v1/jobs/<jobId>            update: the whole job again (same body and checks as a create,
                                     same reference); 200 with the posting; 409 if it is closed
    POST /v1/jobs/<jobId>/close      stop listing it; 200 with the posting ("status": "closed");
                                     closing a closed posting answers the same
    POST /v1/jobs/<jobId>/refresh    Naukri's refresh, our renew: listed 30 more days from its
                                     expiry (or from now, if that has passed); 200 with the
                                     posting and its new "expiresAt"; 409 if it is closed
    GET  /v1/applications?cursor=&limit=[&reference=]
                                     {"applications": [...], "nextCursor", "hasMore", "resumeCursor"}:
                                     oldest first, after the cursor; resumeCursor is after the last one read
    Errors: 401 bad credentials, 422 {"errors": [{"field", "message"}]}, 429 with Retry-After, 5xx.
    Quota: requests are metered per client id; beyond it a 429 with Retry-After.

A posting stays listed until its `expiresAt` (30 days after the create when none is given) or a
close; a refresh adds 30 days. The job's Naukri fields (naukri_fields.py) go as `experienceYears`
{min, max}, `ctcLakhs` {min, max} or "not_disclosed", `industry`, `functionalArea`, `role`,
`educationUg`, `educationPg` and `listingType` ("hot_vacancy" | "classified").
A create, update or close is synchronous: it answers with the posting. Naukri does not refuse a second create
with the same reference, so after an unclear failure the publisher's look-up is what prevents
a duplicate.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from shared.config import Settings
from shared.locations import NAUKRI_MAX_LOCATIONS, LocationRule
from shared.platforms.base import (
    ApplicationPage,
    AuthenticationFailed,
    OperationNotSupported,
    PermanentPlatformError,
    PlatformApplication,
    PlatformCredentials,
    PostingContent,
    PostingState,
)
from shared.platforms.fields import BoardField, Problem
from shared.platforms.http import json_or_empty, send
from shared.platforms.naukri_fields import NAUKRI_FIELDS, classified_problems, document_fields
from shared.platforms.quota import PlatformQuota, quota_key

JOBS_PATH = "/v1/jobs"
CONNECTION_TEST_REFERENCE = "jobpub-connection-test"
APPLICATIONS_PATH = "/v1/applications"


class NaukriPlatform:
    name = "naukri"
    application_source = "Naukri"
    display_name = "Naukri"
    min_description = 50  # our Naukri API's own minimum
    renews = True  # a refresh: 30 more days
    location_rule = LocationRule(per_posting=NAUKRI_MAX_LOCATIONS, splits=False)  # more than nine: a 422
    takes_application_status = False  # no status API that we know of
    board_fields: tuple[BoardField, ...] = NAUKRI_FIELDS

    @staticmethod
    def listing_problems(core: Mapping[str, Any], values: Mapping[str, Any]) -> list[Problem]:
        return classified_problems(core, values)

    def __init__(self, http: httpx.Client, *, api_url: str, quota: PlatformQuota | None = None):
        self._http = http
        self._quota = quota
        self._api_url = api_url.rstrip("/")

    @classmethod
    def from_settings(cls, settings: Settings, http: httpx.Client, quota: PlatformQuota | None) -> NaukriPlatform:
        return cls(http, api_url=settings.naukri_api_url, quota=quota)

    def check_credentials(self, credentials: PlatformCredentials) -> str:
        # A look-up of a reference nobody uses: harmless, and it needs valid credentials.
        self._call("GET", JOBS_PATH, credentials, params={"reference": CONNECTION_TEST_REFERENCE})
        return "credentials accepted"

    def create_posting(self, content: PostingContent, credentials: PlatformCredentials) -> PostingState:
        body = self._call("POST", JOBS_PATH, credentials, json=job_document(content))
        return _state(body)

    def update_posting(
        self, platform_job_id: str, content: PostingContent, credentials: PlatformCredentials
    ) -> PostingState:
        return _state(self._call("PUT", f"{JOBS_PATH}/{platform_job_id}", credentials, json=job_document(content)))

    def close_posting(
        self, platform_job_id: str, content: PostingContent, credentials: PlatformCredentials
    ) -> PostingState:
        return _state(self._call("POST", f"{JOBS_PATH}/{platform_job_id}/close", credentials))

    def renew_posting(
        self, platform_job_id: str, content: PostingContent, credentials: PlatformCredentials
    ) -> PostingState:
        # Naukri's renew is its refresh: the posting stays listed 30 more days.
        return _state(self._call("POST", f"{JOBS_PATH}/{platform_job_id}/refresh", credentials))

    def unlisted_postings(self, external_ids: list[str], credentials: PlatformCredentials) -> dict[str, str]:
        return {}  # our Naukri API has no batch look-up; a closure there is not followed (yet)

    def check_task(self, task_id: str, credentials: PlatformCredentials) -> PostingState:
        raise PermanentPlatformError("Naukri publishes synchronously; it has no tasks to poll")

    def find_posting(self, external_id: str, credentials: PlatformCredentials) -> PostingState | None:
        jobs = self._call("GET", JOBS_PATH, credentials, params={"reference": external_id}).get("jobs") or []
        # Should an old duplicate exist, the first posting is the one we keep pointing at.
        return _state(jobs[0]) if jobs else None

    def send_application_status(
        self,
        application_external_id: str,
        job_external_id: str,
        status: str,
        at: datetime,
        credentials: PlatformCredentials,
    ) -> None:
        raise OperationNotSupported("naukri takes no application status")

    def fetch_applications(
        self,
        credentials: PlatformCredentials,
        cursor: str | None,
        *,
        page_size: int,
        job_external_id: str | None = None,
    ) -> ApplicationPage:
        params: dict[str, Any] = {"limit": page_size}
        if cursor:
            params["cursor"] = cursor
        if job_external_id:
            params["reference"] = job_external_id
        body = self._call("GET", APPLICATIONS_PATH, credentials, params=params)
        applications = [parse_application(item) for item in body.get("applications") or []]
        # resumeCursor is where the next pull starts even after the last page (nextCursor is null there).
        return ApplicationPage(applications, body.get("resumeCursor") or cursor, bool(body.get("hasMore")))

    def _call(self, method: str, path: str, credentials: PlatformCredentials, **kwargs: Any) -> dict[str, Any]:
        headers = {"X-Client-Id": credentials.client_id, "Authorization": f"Bearer {credentials.client_secret}"}
        response = send(
            self._http,
            "Naukri",
            method,
            self._api_url + path,
            quota=self._quota,
            quota_key=quota_key(credentials),
            headers=headers,
            **kwargs,
        )
        body = json_or_empty(response)
        if response.status_code == 401:
            raise AuthenticationFailed(
                f"Naukri refused the client id or API key: {body.get('message', 'unauthorized')}"
            )
        if response.status_code == 422:
            raise PermanentPlatformError(_problems(body))
        if response.status_code >= 400:
            raise PermanentPlatformError(
                f"Naukri refused the request ({response.status_code}): {body.get('message', '')}"
            )
        return body


def job_document(content: PostingContent) -> dict[str, Any]:
    document: dict[str, Any] = {
        "reference": content.external_id,
        "title": content.title,
        "description": content.description,
        "location": content.location,
        "locations": [content.location, *content.alternate_locations],
        "employmentType": content.employment_type.value,
        "workMode": content.workplace_type.value,
        "applyUrl": content.apply_url,
        "companyName": content.company_name,
        "skills": list(content.skills),
        **document_fields(content.board_fields),
    }
    if content.salary:
        salary = content.salary
        document["salary"] = {
            "min": salary.minimum,
            "max": salary.maximum,
            "currency": salary.currency,
            "period": salary.period,
        }
    if content.expires_at:
        document["expiresAt"] = content.expires_at.isoformat()
    return document


def _state(posting: dict[str, Any]) -> PostingState:
    return PostingState(published=True, platform_job_id=str(posting["jobId"]), url=posting.get("url"))


def _problems(body: dict[str, Any]) -> str:
    problems = [
        f"{problem['field']}: {problem['message']}" if problem.get("field") else problem.get("message", "")
        for problem in body.get("errors") or []
    ]
    return "; ".join(p for p in problems if p) or "Naukri refused the job as invalid"


def parse_application(payload: dict[str, Any]) -> PlatformApplication:
    """A Naukri application in our terms; ValueError if it is not one."""
    try:
        candidate = payload.get("candidate") or {}
        return PlatformApplication(
            external_id=str(payload["applicationId"]),
            job_external_id=str(payload["reference"]),
            candidate_name=candidate.get("name") or "(no name given)",
            candidate_email=candidate.get("email"),
            candidate_phone=candidate.get("phone"),
            resume_url=payload.get("resumeUrl"),
            cover_letter=payload.get("coverLetter"),
            answers=payload.get("answers"),
            applied_at=_utc(datetime.fromisoformat(payload["appliedAt"])),
            raw=payload,
        )
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as error:
        # OverflowError: a date whose zone moves it past year 9999 (or before year 1) in UTC.
        raise ValueError(f"not a Naukri application: {type(error).__name__} {error}") from None


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
