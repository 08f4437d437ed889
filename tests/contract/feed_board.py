"""The job feed in the contract suite: a platform that is jobpub's own API.

The feed adapter (shared/platforms/feed.py) sends nothing anywhere; a job is on the feed because
the publisher recorded its `feed` posting as published, and the API serves it. So the contract
cannot drive the adapter alone and read a remote back: here each contract call is asked of the
API (publish, edit, close, renew through the TestClient), carried out by the real publish
pipeline (which calls the feed adapter), and what the "platform holds" is read from the
organization's public feed XML and job page, as a board crawling it would.

`FeedBoard` stands where an emulator stands (register_client, postings_for); `FeedThroughJobpub`
stands where an adapter stands, with the same methods the contract calls.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace

from lxml import etree

from shared import tenants
from shared.connections import save_connection
from shared.crypto import CredentialCipher
from shared.db import unit_of_work
from shared.models import OperationStatus, PostingStatus
from shared.platforms.base import (
    ApplicationPage,
    PermanentPlatformError,
    PlatformCredentials,
    PostingContent,
    PostingState,
)
from shared.platforms.feed import FeedPlatform
from tests.feed.support import feed_jobs, path_of
from tests.support import PUBLISH, wait_until

SETTLE_SECONDS = 20.0
FEED_SECRET_BYTES = 32  # the feed connection's secret keys the address: at least 32 characters


@dataclass
class FeedOrganization:
    """One contract client: an organization of its own with a `feed` connection."""

    credentials: PlatformCredentials  # as the publisher holds them: organization id and the feed secret
    headers: dict[str, str]
    feed_url: str = ""
    jobs: dict[str, int] = field(default_factory=dict)  # the contract's external id -> jobpub's job id


def job_of(content: PostingContent) -> dict:
    """The API's job body for what the contract asks the platform to show."""
    return {
        "title": content.title,
        "description": content.description,
        "location": content.location,
        "employment_type": content.employment_type.value,
        "workplace_type": content.workplace_type.value,
        "apply_url": content.apply_url,
        "company": content.company_name,
        "skills": list(content.skills),
    }


class FeedBoard:
    """What the feed holds, read the way a board reads it: the feed XML and the job pages."""

    def __init__(self, client, sessions, cipher: CredentialCipher, public_base_url: str):
        self.client = client
        self._sessions = sessions
        self._cipher = cipher
        self.organizations: dict[str, FeedOrganization] = {}
        self.platform = FeedThroughJobpub(self, FeedPlatform(public_base_url=public_base_url))

    def register_client(self, client_id: str, secret: str) -> None:
        feed_secret = secrets.token_urlsafe(FEED_SECRET_BYTES)  # the contract's secrets are too short for a feed
        with unit_of_work(self._sessions) as session:
            organization = tenants.create_organization(session, client_id)
            _, key = tenants.create_api_key(session, organization.id)
            save_connection(
                session,
                self._cipher,
                organization_id=organization.id,
                platform="feed",
                client_id=client_id,
                client_secret=feed_secret,
            )
        held = FeedOrganization(
            PlatformCredentials(client_id, feed_secret, organization_id=organization.id), {"X-API-Key": key}
        )
        shown = self.client.get("/jobs/publishing/platforms/feed/", headers=held.headers)
        assert shown.status_code == 200, shown.text
        held.feed_url = shown.json()["feed_url"]
        self.organizations[client_id] = held

    def organization(self, credentials: PlatformCredentials) -> FeedOrganization:
        return self.organizations[credentials.client_id]

    def posting(self, held: FeedOrganization, job_id: int) -> dict:
        answer = self.client.get(f"/jobs/publishing/{job_id}/status/", headers=held.headers)
        assert answer.status_code == 200, answer.text
        return answer.json()["platforms"]["feed"]

    def postings_for(self, external_id: str, client_id: str | None = None) -> list[dict]:
        """The feed's entries for the posting, each with `listed` and its job page's status code;
        a posting jobpub holds that the feed no longer lists is one entry with `listed` False."""
        everyone = [self.organizations[client_id]] if client_id else list(self.organizations.values())
        found: list[dict] = []
        for held in everyone:
            if external_id in held.jobs:
                found += self._entries(held, self.posting(held, held.jobs[external_id]))
        return found

    def _entries(self, held: FeedOrganization, posting: dict) -> list[dict]:
        feed_jobs(self.client, held.feed_url)  # the whole feed, read as strictly as Indeed reads it
        document = etree.fromstring(self.client.get(path_of(held.feed_url)).content)
        page = self.client.get(path_of(posting["url"])).status_code if posting["url"] else None
        listed = [
            {child.tag: child.text or "" for child in job} | {"listed": True, "page": page}
            for job in document.iter("job")
            if job.findtext("referencenumber") == posting["external_id"]
        ]
        return listed or [{"listed": False, "page": page}]


class FeedThroughJobpub:
    """The feed adapter as jobpub runs it: each call through the API and the publish pipeline."""

    name = "feed"
    application_source = FeedPlatform.application_source

    def __init__(self, board: FeedBoard, adapter: FeedPlatform):
        self._board = board
        self._adapter = adapter  # the registry's feed adapter, as the publisher calls it

    def create_posting(self, content: PostingContent, credentials: PlatformCredentials) -> PostingState:
        held = self._board.organization(credentials)
        if content.external_id in held.jobs:
            # Asked again, as a publisher retrying would ask: the adapter answers the same page.
            posting = self._board.posting(held, held.jobs[content.external_id])
            return self._adapter.create_posting(replace(content, external_id=posting["external_id"]), held.credentials)
        answer = self._board.client.post(
            PUBLISH, json={"job": job_of(content), "platforms": ["feed"]}, headers=held.headers
        )
        if answer.status_code == 422:  # what the feed cannot list, named by field
            raise PermanentPlatformError(answer.text)
        assert answer.status_code == 202, answer.text
        held.jobs[content.external_id] = answer.json()["job_id"]
        return self._settled(held, content.external_id)

    def find_posting(self, external_id: str, credentials: PlatformCredentials) -> PostingState | None:
        held = self._board.organization(credentials)
        if external_id not in held.jobs:
            return None
        posting = self._board.posting(held, held.jobs[external_id])
        return _state(posting) if posting["status"] == PostingStatus.PUBLISHED else None

    def check_task(self, task_id: str, credentials: PlatformCredentials) -> PostingState:
        return self._adapter.check_task(task_id, credentials)

    def update_posting(
        self, platform_job_id: str, content: PostingContent, credentials: PlatformCredentials
    ) -> PostingState:
        changed = {"title": content.title, "description": content.description}
        return self._operate(credentials, content, "PATCH", "", changed)

    def close_posting(
        self, platform_job_id: str, content: PostingContent, credentials: PlatformCredentials
    ) -> PostingState:
        return self._operate(credentials, content, "POST", "close/", None)

    def renew_posting(
        self, platform_job_id: str, content: PostingContent, credentials: PlatformCredentials
    ) -> PostingState:
        return self._operate(credentials, content, "POST", "renew/", None)

    def check_credentials(self, credentials: PlatformCredentials) -> str:
        return self._adapter.check_credentials(credentials)

    def unlisted_postings(self, external_ids: list[str], credentials: PlatformCredentials) -> dict[str, str]:
        return self._adapter.unlisted_postings(external_ids, credentials)

    def fetch_applications(
        self, credentials: PlatformCredentials, cursor: str | None, *, page_size: int, job_external_id=None
    ) -> ApplicationPage:
        return self._adapter.fetch_applications(credentials, cursor, page_size=page_size)

    def send_application_status(self, application_external_id, job_external_id, status, at, credentials) -> None:
        self._adapter.send_application_status(application_external_id, job_external_id, status, at, credentials)

    def _operate(self, credentials, content: PostingContent, method: str, path: str, body) -> PostingState:
        held = self._board.organization(credentials)
        job_id = held.jobs[content.external_id]
        answer = self._board.client.request(
            method, f"/jobs/publishing/{job_id}/{path}", json=body, headers=held.headers
        )
        posting = self._board.posting(held, job_id)
        if answer.status_code == 409 and path == "close/" and posting["status"] == PostingStatus.CLOSED:
            return _state(posting)  # closing a closed job: nothing left to do, which is success
        assert answer.status_code == 202, answer.text
        return self._settled(held, content.external_id)

    def _settled(self, held: FeedOrganization, external_id: str) -> PostingState:
        job_id = held.jobs[external_id]

        def settled() -> dict | None:
            posting = self._board.posting(held, job_id)
            publishing = posting["status"] in {PostingStatus.PENDING, PostingStatus.PUBLISHING}
            operating = posting["operation_status"] in {OperationStatus.PENDING, OperationStatus.RUNNING}
            return None if publishing or operating else posting

        posting = wait_until(settled, SETTLE_SECONDS, what=f"job {job_id} on the feed to settle")
        if posting["status"] == PostingStatus.FAILED or posting["operation_status"] == OperationStatus.FAILED:
            raise PermanentPlatformError(posting["last_error"] or "the feed refused the posting")
        return _state(posting)


def _state(posting: dict) -> PostingState:
    return PostingState(published=True, platform_job_id=posting["platform_job_id"], url=posting["url"])
