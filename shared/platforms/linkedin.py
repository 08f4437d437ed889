"""LinkedIn's Job Posting API ("simple job postings"), as ../shared/PLATFORMS.md describes it.

A create is a one-element `batch_create`: LinkedIn answers 200 with a task per element (or an
element error), and the outcome comes later from polling the task. Our `external_id` is sent as
`externalJobPostingId`, so a posting can always be found again with `jobPostingStatus`, and a
second CREATE for it ends FAILED with ErrorCode 2009 instead of making a duplicate.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import httpx

from shared.config import Settings
from shared.locations import LINKEDIN_ALTERNATE_LOCATIONS, LocationRule
from shared.platforms.base import (
    ApplicationPage,
    AuthenticationFailed,
    OperationNotSupported,
    PermanentPlatformError,
    PlatformCredentials,
    PostingContent,
    PostingState,
    Salary,
    TransientPlatformError,
)
from shared.platforms.fields import BoardField, Problem
from shared.platforms.http import json_or_empty, send
from shared.platforms.linkedin_applications import parse_application
from shared.platforms.linkedin_auth import TokenCache
from shared.platforms.linkedin_fields import LINKEDIN_FIELDS, element_fields, location_problems
from shared.platforms.linkedin_questions import questions_configuration
from shared.platforms.quota import PlatformQuota, quota_key

POSTINGS_PATH = "/v2/simpleJobPostings"
TASKS_PATH = "/v2/simpleJobPostingTasks"
STATUS_PATH = "/v2/jobPostingStatus"
# LinkedIn pushes applications (Apply Connect); its pull API is closed to new partners, so this
# path is our emulator's stand-in, kept as the reconciliation backstop behind the webhook.
APPLICATIONS_PATH = "/v2/jobApplications"
# Apply Connect's "Sync job application notifications": one create per action on an application
# (learn.microsoft.com/linkedin/talent/apply-connect/sync-job-application-feedback). The first three
# codes are documented there and in LinkedIn's Java SDK (JobApplicationAction); LinkedIn's newer page
# adds "application hired" to the notifications, and APPLICATION_HIRED is our reading of its code.
LIFECYCLE_PATH = "/v2/jobApplicationLifecycleActions"
LIFECYCLE_ACTIONS = {
    "viewed": "APPLICATION_VIEWED",
    "resume_downloaded": "RESUME_DOWNLOADED",
    "rejected": "APPLICATION_REJECTED",
    "hired": "APPLICATION_HIRED",
}
DUPLICATE_ERROR_CODE = "2009"
TOKEN_ERROR_CODES = (65600, 65602)  # invalid, expired: fetch a new token and try once more
SKILLS_MAX = 4000
STATUS_BATCH = 100  # ids per jobPostingStatus call, LinkedIn's limit

_WORKPLACE = {"on_site": "On-site", "hybrid": "Hybrid", "remote": "Remote"}
_PERIOD = {"yearly": "YEARLY", "monthly": "MONTHLY", "hourly": "HOURLY"}


class LinkedInPlatform:
    name = "linkedin"
    application_source = "LinkedIn apply"
    display_name = "LinkedIn"
    min_description = 100  # LinkedIn documents 100–25,000 characters
    renews = True  # RENEW: 30 more days
    location_rule = LocationRule(per_posting=1 + LINKEDIN_ALTERNATE_LOCATIONS, splits=True)  # location + alternates
    takes_application_status = True  # Apply Connect's application lifecycle actions
    board_fields: tuple[BoardField, ...] = LINKEDIN_FIELDS

    @staticmethod
    def listing_problems(core: Mapping[str, Any], values: Mapping[str, Any]) -> list[Problem]:
        return location_problems(core, values)

    def __init__(
        self, http: httpx.Client, *, api_url: str, oauth_url: str, job_view_url: str, quota: PlatformQuota | None = None
    ):
        self._http = http
        self._api_url = api_url.rstrip("/")
        self._job_view_url = job_view_url
        self._quota = quota
        self._tokens = TokenCache(http, oauth_url, quota)

    @classmethod
    def from_settings(cls, settings: Settings, http: httpx.Client, quota: PlatformQuota | None) -> LinkedInPlatform:
        return cls(
            http,
            api_url=settings.linkedin_api_url,
            oauth_url=settings.linkedin_oauth_url,
            job_view_url=settings.linkedin_job_view_url,
            quota=quota,
        )

    def check_credentials(self, credentials: PlatformCredentials) -> str:
        self._tokens.fetch_new(credentials)
        return "token obtained"

    def create_posting(self, content: PostingContent, credentials: PlatformCredentials) -> PostingState:
        return self._submit("CREATE", content, credentials)

    # UPDATE, CLOSE and RENEW go through the same batch endpoint, each answered by a task to poll.
    def update_posting(
        self, platform_job_id: str, content: PostingContent, credentials: PlatformCredentials
    ) -> PostingState:
        return self._submit("UPDATE", content, credentials)

    def close_posting(
        self, platform_job_id: str, content: PostingContent, credentials: PlatformCredentials
    ) -> PostingState:
        return self._submit("CLOSE", content, credentials)

    def renew_posting(
        self, platform_job_id: str, content: PostingContent, credentials: PlatformCredentials
    ) -> PostingState:
        return self._submit("RENEW", content, credentials)

    def unlisted_postings(self, external_ids: list[str], credentials: PlatformCredentials) -> dict[str, str]:
        unlisted = {}
        for start in range(0, len(external_ids), STATUS_BATCH):
            ids = external_ids[start : start + STATUS_BATCH]
            results = self._call("GET", STATUS_PATH, credentials, params={"ids": ids}).get("results") or {}
            for external_id, found in results.items():
                if found.get("listingStatus") == "NOT_LISTED":
                    unlisted[external_id] = "NOT_LISTED"
        return unlisted

    def _submit(self, operation: str, content: PostingContent, credentials: PlatformCredentials) -> PostingState:
        element = posting_element(content, credentials, operation=operation)
        body = self._call(
            "POST",
            POSTINGS_PATH,
            credentials,
            json={"elements": [element]},
            headers={"x-restli-method": "batch_create"},
        )
        results = body.get("elements") or []
        if len(results) != 1:
            raise TransientPlatformError("LinkedIn answered the batch without a result for our element", unclear=True)
        result = results[0]
        if "error" in result or result.get("status", 202) >= 400:
            error = result.get("error") or {}
            raise PermanentPlatformError(error.get("message") or f"LinkedIn refused the job ({result.get('status')})")
        return PostingState(published=False, task_id=result["id"])

    def check_task(self, task_id: str, credentials: PlatformCredentials) -> PostingState:
        body = self._call("GET", TASKS_PATH, credentials, params={"ids": task_id})
        task = (body.get("results") or {}).get(task_id)
        if task is None:
            raise TransientPlatformError("LinkedIn does not know the task (yet)", unclear=True)
        status = task.get("status")
        if status in ("SUCCEEDED", "PROCESSED") and task.get("jobPosting"):
            return self._published(task["jobPosting"])
        if status == "FAILED":
            message = task.get("errorMessage") or "LinkedIn's task failed"
            if DUPLICATE_ERROR_CODE in message and task.get("externalJobPostingId"):
                # It exists already (an earlier attempt of ours made it): that one is ours.
                existing = self.find_posting(task["externalJobPostingId"], credentials)
                if existing is not None:
                    return existing
            raise PermanentPlatformError(message)
        return PostingState(published=False, task_id=task_id)

    def find_posting(self, external_id: str, credentials: PlatformCredentials) -> PostingState | None:
        body = self._call("GET", STATUS_PATH, credentials, params={"ids": external_id})
        found = (body.get("results") or {}).get(external_id)
        if found is None:
            return None
        if found.get("jobPosting") and found.get("listingStatus") != "IN_PROGRESS":
            return self._published(found["jobPosting"])
        return PostingState(published=False)

    def send_application_status(
        self,
        application_external_id: str,
        job_external_id: str,
        status: str,
        at: datetime,
        credentials: PlatformCredentials,
    ) -> None:
        action = LIFECYCLE_ACTIONS.get(status)
        if action is None:
            raise OperationNotSupported(f"linkedin takes no {status!r} status")
        if not credentials.organization_urn:
            raise PermanentPlatformError("the LinkedIn connection has no organization URN (urn:li:organization:<id>)")
        body = {
            "jobApplicationId": application_external_id,
            "action": action,
            "performedAt": _epoch_ms(at),
            "integrationContext": credentials.organization_urn,
        }
        self._call("POST", LIFECYCLE_PATH, credentials, json=body, headers={"x-restli-method": "create"})

    def fetch_applications(
        self,
        credentials: PlatformCredentials,
        cursor: str | None,
        *,
        page_size: int,
        job_external_id: str | None = None,
    ) -> ApplicationPage:
        params: dict[str, Any] = {"count": page_size}
        if cursor:
            params["cursor"] = cursor
        if job_external_id:
            params["externalJobId"] = job_external_id
        body = self._call("GET", APPLICATIONS_PATH, credentials, params=params)
        applications = [parse_application(element) for element in body.get("elements") or []]
        metadata = body.get("metadata") or {}
        # resumeCursor is where the next pull starts even after the last page (nextCursor is null there).
        return ApplicationPage(applications, metadata.get("resumeCursor") or cursor, bool(metadata.get("hasMore")))

    def _published(self, job_posting_urn: str) -> PostingState:
        numeric_id = job_posting_urn.rsplit(":", 1)[-1]
        return PostingState(published=True, platform_job_id=numeric_id, url=self._job_view_url.format(id=numeric_id))

    def _call(
        self,
        method: str,
        path: str,
        credentials: PlatformCredentials,
        *,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """One API call with a valid token; a token LinkedIn refuses (expired, revoked) is replaced once."""
        for attempt in (1, 2):
            token = self._tokens.token(credentials)
            authorized = {**(headers or {}), "Authorization": f"Bearer {token}"}
            response = send(
                self._http,
                "LinkedIn",
                method,
                self._api_url + path,
                quota=self._quota,
                quota_key=quota_key(credentials),
                headers=authorized,
                **kwargs,
            )
            body = json_or_empty(response)
            if attempt == 1 and response.status_code == 401 and body.get("serviceErrorCode") in TOKEN_ERROR_CODES:
                self._tokens.forget(credentials, token)
                continue
            return _checked(response, body)
        raise AssertionError("the second attempt always returns")


def _checked(response: httpx.Response, body: dict[str, Any]) -> dict[str, Any]:
    if response.status_code == 401:
        raise AuthenticationFailed(f"LinkedIn refused the access token: {body.get('message', 'unauthorized')}")
    if response.status_code >= 400:
        message = body.get("message") or f"HTTP {response.status_code}"
        raise PermanentPlatformError(f"LinkedIn refused the request ({response.status_code}): {message}")
    return body


def posting_element(content: PostingContent, credentials: PlatformCredentials, *, operation: str) -> dict[str, Any]:
    """The batch element for one job; UPDATE, RENEW and CLOSE resend the whole job too."""
    if not credentials.organization_urn:
        raise PermanentPlatformError("the LinkedIn connection has no organization URN (urn:li:organization:<id>)")
    element: dict[str, Any] = {
        "externalJobPostingId": content.external_id,
        "jobPostingOperationType": operation,
        "integrationContext": credentials.organization_urn,
        "title": content.title,
        "description": content.description,
        "companyApplyUrl": content.apply_url,
        "companyName": content.company_name,
        "location": content.location,
        "listedAt": _epoch_ms(content.listed_at),
        "employmentStatus": content.employment_type.value.upper(),
        "workplaceTypes": [_WORKPLACE[content.workplace_type.value]],
    }
    if content.alternate_locations:
        element["alternateLocations"] = list(content.alternate_locations)
    if content.expires_at:
        element["expireAt"] = _epoch_ms(content.expires_at)
    if content.skills:
        element["skillsDescription"] = ", ".join(content.skills)[:SKILLS_MAX]
    if content.salary:
        element["compensation"] = _compensation(content.salary)
    element.update(element_fields(content.board_fields))
    if content.application_webhook_url:
        element["onsiteApplyConfiguration"] = {"jobApplicationWebhookUrl": content.application_webhook_url}
        questions = questions_configuration(content.screening_questions)
        if questions:  # asked only where LinkedIn collects the application (Apply Connect)
            element["onsiteApplyConfiguration"]["questions"] = questions
    return element


def _compensation(salary: Salary) -> dict[str, Any]:
    def money(amount: float) -> dict[str, str]:
        return {"amount": f"{amount:.2f}", "currencyCode": salary.currency}

    return {
        "compensations": [
            {
                "type": "BASE_SALARY",
                "period": _PERIOD[salary.period],
                "value": {"min": money(salary.minimum), "max": money(salary.maximum)},
            }
        ]
    }


def _epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
