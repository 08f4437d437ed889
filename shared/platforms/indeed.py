"""Indeed's Job Sync API (docs.indeed.com/job-sync-api): GraphQL over `POST {api}/graphql` with a
bearer token from OAuth 2 client credentials (`POST {oauth}/oauth/v2/tokens`).

    create, update  mutation jobsIngest { createSourcedJobPostings(input: {jobPostings: [...]}) }:
                    a create *or upsert* keyed by `metadata.jobPostingId`, which is our external id,
                    so a retry of a create whose answer was lost changes the one posting, never doubles it
    close           mutation jobsIngest { expireSourcedJobsBySourcedPostingId(input: {sourcedPostingIds}) }:
                    expiring an expired posting succeeds
    find            query jobsIngest { sourcedJobPostingsBySourcedPostingIds(sourcedPostingIds) }:
                    our look-up after an unclear failure
    Errors: HTTP 401 (`UNAUTHENTICATED`) for a token refused or expired (fetched again once);
    `errors` with `BAD_USER_INPUT` for an invalid posting, carrying Indeed's message; 429, 5xx and
    timeouts through http.send. Indeed asks callers to time out after 5 s (JOBPUB_HTTP_TIMEOUT_SECONDS).

Indeed has no renewal: a posting stays until it is expired (or its own expiry date passes), so
`renew_posting` raises OperationNotSupported. Hiring outcomes go back by Disposition Sync
(indeed_dispositions.py). Applications come pushed by Indeed Apply
(services/api/routers/indeed_apply.py); the docs offer no pull, so `fetch_applications` is
always an empty last page.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import httpx

from shared.config import Settings
from shared.locations import ONE_PER_POSTING
from shared.platforms import indeed_dispositions
from shared.platforms.base import (
    ApplicationPage,
    AuthenticationFailed,
    OperationNotSupported,
    PermanentPlatformError,
    PlatformCredentials,
    PostingContent,
    PostingState,
    TransientPlatformError,
)
from shared.platforms.fields import BoardField, Problem
from shared.platforms.http import json_or_empty, send
from shared.platforms.indeed_questions import questions_details
from shared.platforms.linkedin_auth import TokenCache
from shared.platforms.quota import PlatformQuota, quota_key

GRAPHQL_PATH = "/graphql"
TOKEN_PATH = "/oauth/v2/tokens"
CONNECTION_TEST_ID = "jobpub-connection-test"

CREATE = """mutation CreateSourcedJobPostings($input: CreateSourcedJobPostingsInput!) {
  jobsIngest { createSourcedJobPostings(input: $input) {
    results { jobPosting { sourcedPostingId jobKey url status } } } }
}"""
EXPIRE = """mutation ExpireSourcedJobs($input: ExpireSourcedJobsBySourcedPostingIdInput!) {
  jobsIngest { expireSourcedJobsBySourcedPostingId(input: $input) {
    results { jobPosting { sourcedPostingId jobKey url status } } } }
}"""
FIND = """query FindSourcedJobPostings($ids: [String!]!) {
  jobsIngest { sourcedJobPostingsBySourcedPostingIds(sourcedPostingIds: $ids) {
    results { jobPosting { sourcedPostingId jobKey url status } } } }
}"""

_JOB_TYPE = {
    "full_time": "FULLTIME",
    "part_time": "PARTTIME",
    "contract": "CONTRACT",
    "internship": "INTERNSHIP",
    "temporary": "TEMPORARY",
    "volunteer": "VOLUNTEER",
}
_REMOTE = {"on_site": None, "hybrid": "HYBRID_REMOTE", "remote": "FULLY_REMOTE"}
_PERIOD = {"yearly": "YEAR", "monthly": "MONTH", "hourly": "HOUR"}


class IndeedPlatform:
    name = "indeed"
    application_source = "Indeed apply"
    display_name = "Indeed"
    min_description = 50  # Indeed documents none; our emulator's check
    renews = False  # the Job Sync API has no renewal
    location_rule = ONE_PER_POSTING  # Job Sync takes one location a posting
    takes_application_status = True  # Disposition Sync
    # The Job Sync input we send names no classification of Indeed's own (its category comes
    # from Indeed's reading of the job), so Indeed has no fields of its own here.
    board_fields: tuple[BoardField, ...] = ()

    @staticmethod
    def listing_problems(core: Mapping[str, Any], values: Mapping[str, Any]) -> list[Problem]:
        return []

    def __init__(self, http: httpx.Client, *, api_url: str, oauth_url: str, quota: PlatformQuota | None = None):
        self._http = http
        self._url = api_url.rstrip("/") + GRAPHQL_PATH
        self._quota = quota
        self._tokens = TokenCache(http, oauth_url, quota, platform="Indeed", token_path=TOKEN_PATH)

    @classmethod
    def from_settings(cls, settings: Settings, http: httpx.Client, quota: PlatformQuota | None) -> IndeedPlatform:
        return cls(http, api_url=settings.indeed_api_url, oauth_url=settings.indeed_oauth_url, quota=quota)

    def check_credentials(self, credentials: PlatformCredentials) -> str:
        self._tokens.fetch_new(credentials)
        return "token obtained"

    def create_posting(self, content: PostingContent, credentials: PlatformCredentials) -> PostingState:
        data = self._call(CREATE, {"input": {"jobPostings": [job_posting(content)]}}, credentials)
        return _one(data, "createSourcedJobPostings")

    def update_posting(
        self, platform_job_id: str, content: PostingContent, credentials: PlatformCredentials
    ) -> PostingState:
        return self.create_posting(content, credentials)  # an upsert by our id: the whole job again

    def close_posting(
        self, platform_job_id: str, content: PostingContent, credentials: PlatformCredentials
    ) -> PostingState:
        data = self._call(EXPIRE, {"input": {"sourcedPostingIds": [content.external_id]}}, credentials)
        return _one(data, "expireSourcedJobsBySourcedPostingId")

    def renew_posting(
        self, platform_job_id: str, content: PostingContent, credentials: PlatformCredentials
    ) -> PostingState:
        raise OperationNotSupported("indeed does not support renewing a posting")

    def check_task(self, task_id: str, credentials: PlatformCredentials) -> PostingState:
        raise PermanentPlatformError("Indeed's Job Sync API answers synchronously; it has no tasks to poll")

    def find_posting(self, external_id: str, credentials: PlatformCredentials) -> PostingState | None:
        results = self._results(
            self._call(FIND, {"ids": [external_id]}, credentials), "sourcedJobPostingsBySourcedPostingIds"
        )
        return _state(results[0]) if results else None

    def unlisted_postings(self, external_ids: list[str], credentials: PlatformCredentials) -> dict[str, str]:
        if not external_ids:
            return {}
        data = self._call(FIND, {"ids": external_ids}, credentials)
        postings = [r.get("jobPosting") or {} for r in self._results(data, "sourcedJobPostingsBySourcedPostingIds")]
        return {p["sourcedPostingId"]: p["status"] for p in postings if p.get("status") == "EXPIRED"}

    def send_application_status(
        self,
        application_external_id: str,
        job_external_id: str,
        status: str,
        at: datetime,
        credentials: PlatformCredentials,
    ) -> None:
        """Disposition Sync (indeed_dispositions.py): the application's Indeed Apply ID is our external id of it."""
        variables = indeed_dispositions.send_variables(application_external_id, status, at)
        indeed_dispositions.check_sent(self._call(indeed_dispositions.SEND, variables, credentials))

    def fetch_applications(
        self,
        credentials: PlatformCredentials,
        cursor: str | None,
        *,
        page_size: int,
        job_external_id: str | None = None,
    ) -> ApplicationPage:
        # Indeed Apply only pushes (the webhook); Indeed documents no pull to reconcile against.
        return ApplicationPage([], cursor, False)

    @staticmethod
    def _results(data: dict[str, Any], field: str) -> list[dict[str, Any]]:
        return ((data.get("jobsIngest") or {}).get(field) or {}).get("results") or []

    def _call(self, query: str, variables: dict[str, Any], credentials: PlatformCredentials) -> dict[str, Any]:
        """One GraphQL request with a valid token; a token Indeed refuses (expired) is replaced once."""
        for attempt in (1, 2):
            token = self._tokens.token(credentials)
            response = send(
                self._http,
                "Indeed",
                "POST",
                self._url,
                quota=self._quota,
                quota_key=quota_key(credentials),
                headers={"Authorization": f"Bearer {token}"},
                json={"query": query, "variables": variables},
            )
            body = json_or_empty(response)
            if attempt == 1 and response.status_code == 401:
                self._tokens.forget(credentials, token)
                continue
            return _data(response, body)
        raise AssertionError("the second attempt always returns")


def _data(response: httpx.Response, body: dict[str, Any]) -> dict[str, Any]:
    errors = body.get("errors") or []
    message = (
        "; ".join(str(e.get("message", "")) for e in errors if isinstance(e, dict)) or f"HTTP {response.status_code}"
    )
    if response.status_code == 401 or _code(errors) == "UNAUTHENTICATED":
        raise AuthenticationFailed(f"Indeed refused the access token: {message}")
    if errors or response.status_code >= 400:
        raise PermanentPlatformError(f"Indeed refused the request: {message}")
    data = body.get("data")
    if not isinstance(data, dict):
        raise TransientPlatformError("Indeed answered without data", unclear=True)
    return data


def _code(errors: list[Any]) -> str | None:
    for error in errors:
        if isinstance(error, dict):
            return (error.get("extensions") or {}).get("code")
    return None


def _one(data: dict[str, Any], field: str) -> PostingState:
    results = IndeedPlatform._results(data, field)
    if len(results) != 1:
        raise TransientPlatformError("Indeed answered without a result for our posting", unclear=True)
    return _state(results[0])


def _state(result: dict[str, Any]) -> PostingState:
    posting = result.get("jobPosting") or {}
    return PostingState(published=True, platform_job_id=str(posting["jobKey"]), url=posting.get("url"))


def job_posting(content: PostingContent) -> dict[str, Any]:
    """One `SourcedJobPostingInput`: the job (`body`) and where it comes from (`metadata`)."""
    body: dict[str, Any] = {
        "title": content.title,
        "description": content.description,
        "descriptionFormatting": "RICH_FORMATTING",
        "location": {"location": content.location},
        "jobTypes": [_JOB_TYPE[content.employment_type.value]],
    }
    if _REMOTE[content.workplace_type.value]:
        body["remoteType"] = _REMOTE[content.workplace_type.value]
    if content.salary:
        salary = content.salary
        body["salary"] = {
            "minimumMinor": round(salary.minimum * 100),
            "maximumMinor": round(salary.maximum * 100),
            "currency": salary.currency,
            "period": _PERIOD[salary.period],
        }
    metadata: dict[str, Any] = {
        "jobSource": {"companyName": content.company_name, "sourceName": content.company_name},
        "jobPostingId": content.external_id,
        "jobRequisitionId": content.external_id,
        "datePublished": content.listed_at.isoformat(),
        "url": content.apply_url,
    }
    if content.expires_at:
        metadata["expirationDate"] = content.expires_at.isoformat()
    if content.application_webhook_url:
        # Indeed Apply posts each application here, signed (X-Indeed-Signature); its jobId is ours.
        metadata["indeedApply"] = {"postUrl": content.application_webhook_url, "jobId": content.external_id}
        questions = questions_details(content.screening_questions)
        if questions:
            metadata["indeedApply"]["applyQuestionsDetails"] = questions
    return {"body": body, "metadata": metadata}
