"""The job feed: a "platform" that is our own database, served by our API.

Publishing to `feed` lists the job in the organization's XML feed (Indeed's format, which Indeed
and many aggregators crawl) and on a public job page carrying schema.org `JobPosting` data (what
Google for Jobs reads); closing takes it out of both. The posting rows already say which jobs are
live, so every operation here settles at once with nothing sent anywhere: the publisher's row
change *is* the publication. The routes that serve it are services/api/routers/feeds.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import httpx

from shared.config import Settings
from shared.feed_address import feed_token, job_page_url
from shared.locations import ONE_PER_POSTING
from shared.platforms.base import (
    ApplicationPage,
    OperationNotSupported,
    PermanentPlatformError,
    PlatformCredentials,
    PostingContent,
    PostingState,
)
from shared.platforms.fields import BoardField, Problem
from shared.platforms.quota import PlatformQuota


class FeedPlatform:
    name = "feed"
    application_source = "Job feed"  # applicants apply on the employer's own apply_url; none come back here
    display_name = "Job feed"
    min_description = 50  # our own floor: a job page needs something to read
    renews = True  # listed until closed or expired: a renew settles at once, changing nothing
    location_rule = ONE_PER_POSTING  # the XML feed takes one <job> a location
    takes_application_status = False  # candidates apply on the employer's own site: nothing to report back
    # Indeed's XML feed has optional <category>, <experience> and <education> elements; the feed
    # does not write them yet, so it declares no fields of its own (docs/platforms.md).
    board_fields: tuple[BoardField, ...] = ()

    @staticmethod
    def listing_problems(core: Mapping[str, Any], values: Mapping[str, Any]) -> list[Problem]:
        return []

    def __init__(self, *, public_base_url: str | None):
        self._base_url = public_base_url

    @classmethod
    def from_settings(cls, settings: Settings, http: httpx.Client, quota: PlatformQuota | None) -> FeedPlatform:
        """The feed sends nothing: no HTTP client, no quota; only our public address."""
        return cls(public_base_url=settings.public_base_url)

    def _live(self, external_id: str, credentials: PlatformCredentials) -> PostingState:
        if not self._base_url:
            raise PermanentPlatformError("JOBPUB_PUBLIC_BASE_URL is not set: the job feed has no public address")
        if credentials.organization_id is None:
            raise PermanentPlatformError("the feed connection belongs to no organization")
        token = feed_token(credentials.organization_id, credentials.client_secret)
        return PostingState(
            published=True, platform_job_id=external_id, url=job_page_url(self._base_url, token, external_id)
        )

    def check_credentials(self, credentials: PlatformCredentials) -> str:
        self._live("connection-test", credentials)
        return "the feed is served by jobpub itself"

    def create_posting(self, content: PostingContent, credentials: PlatformCredentials) -> PostingState:
        return self._live(content.external_id, credentials)

    def find_posting(self, external_id: str, credentials: PlatformCredentials) -> PostingState | None:
        return self._live(external_id, credentials)  # our own rows are the feed: nothing can be lost

    def check_task(self, task_id: str, credentials: PlatformCredentials) -> PostingState:
        raise PermanentPlatformError("the feed publishes at once; it has no tasks to poll")

    def update_posting(
        self, platform_job_id: str, content: PostingContent, credentials: PlatformCredentials
    ) -> PostingState:
        return self._live(platform_job_id, credentials)  # the feed reads the job row as it is now

    def close_posting(
        self, platform_job_id: str, content: PostingContent, credentials: PlatformCredentials
    ) -> PostingState:
        return self._live(platform_job_id, credentials)  # the posting row's `closed` takes it out

    def renew_posting(
        self, platform_job_id: str, content: PostingContent, credentials: PlatformCredentials
    ) -> PostingState:
        return self._live(platform_job_id, credentials)  # listed until closed or expired: nothing to extend

    def unlisted_postings(self, external_ids: list[str], credentials: PlatformCredentials) -> dict[str, str]:
        return {}  # nothing but a close of ours takes a job off the feed

    def send_application_status(
        self,
        application_external_id: str,
        job_external_id: str,
        status: str,
        at: datetime,
        credentials: PlatformCredentials,
    ) -> None:
        raise OperationNotSupported("feed takes no application status")

    def fetch_applications(
        self,
        credentials: PlatformCredentials,
        cursor: str | None,
        *,
        page_size: int,
        job_external_id: str | None = None,
    ) -> ApplicationPage:
        return ApplicationPage([], cursor, False)
