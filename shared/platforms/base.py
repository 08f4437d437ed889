"""The one small interface every job platform adapter implements.

The publisher decides *when* to call a platform (claims, leases, retries, look-up before
re-create); an adapter only knows *how* to speak to its platform. Adapters never touch the
database or the broker, and never put a secret into an exception message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from shared.platforms.fields import BoardField, Problem
from shared.screening import ScreeningQuestion


class EmploymentType(StrEnum):
    FULL_TIME = "full_time"
    PART_TIME = "part_time"
    CONTRACT = "contract"
    INTERNSHIP = "internship"
    TEMPORARY = "temporary"
    VOLUNTEER = "volunteer"


class WorkplaceType(StrEnum):
    ON_SITE = "on_site"
    HYBRID = "hybrid"
    REMOTE = "remote"


@dataclass(frozen=True)
class Salary:
    minimum: float
    maximum: float
    currency: str  # ISO 4217, e.g. "INR"
    period: str = "yearly"  # yearly | monthly | hourly


@dataclass(frozen=True)
class PostingContent:
    """What we ask a platform to show. `external_id` is ours and stable per posting (a job's
    part on a platform). `location` is the posting's main place; `alternate_locations` the
    others it carries (LinkedIn's alternateLocations; Naukri's further locations)."""

    external_id: str
    title: str
    description: str
    location: str
    employment_type: EmploymentType
    workplace_type: WorkplaceType
    apply_url: str
    company_name: str
    listed_at: datetime
    salary: Salary | None = None
    skills: tuple[str, ...] = ()
    expires_at: datetime | None = None
    application_webhook_url: str | None = None
    # This platform's own values (shared/platforms/fields.py), defaults filled in: LinkedIn's
    # categories, Naukri's experience range, … The adapter sends them in its platform's terms.
    board_fields: Mapping[str, Any] = field(default_factory=dict)
    # Asked where the board takes questions (LinkedIn Apply Connect, Indeed Apply); ids are ours and stable.
    screening_questions: tuple[ScreeningQuestion, ...] = ()
    alternate_locations: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlatformCredentials:
    """An organization's own credentials for one platform (decrypted only in memory)."""

    client_id: str
    client_secret: str = field(repr=False)
    organization_urn: str | None = None  # LinkedIn: "urn:li:organization:<id>"
    organization_id: int | None = None  # whose credentials: a tenant's quota schedule is its own (quota.py)

    def __repr__(self) -> str:  # dataclass repr=False hides the field; say so explicitly
        return f"PlatformCredentials(client_id={self.client_id!r}, client_secret='***')"


@dataclass(frozen=True)
class PostingState:
    """Where a posting stands on the platform.

    `published` is final: `platform_job_id` and `url` are set. `in_progress` means the platform
    accepted the request but has not settled it yet; `task_id` is what to poll. For an update,
    close or renew, `published` means the platform has settled the operation.
    """

    published: bool
    platform_job_id: str | None = None
    url: str | None = None
    task_id: str | None = None


@dataclass(frozen=True)
class PlatformApplication:
    """A candidate's application as a platform delivered it, read into our terms."""

    external_id: str  # the platform's id of the application; unique per platform
    job_external_id: str  # our external id of the posting applied to
    candidate_name: str
    candidate_email: str | None
    candidate_phone: str | None
    resume_url: str | None
    cover_letter: str | None
    answers: dict[str, Any] | list[Any] | None
    applied_at: datetime
    raw: dict[str, Any]  # the payload exactly as received


@dataclass(frozen=True)
class ApplicationPage:
    applications: list[PlatformApplication]
    next_cursor: str | None  # where the next pull starts: after the last application of this page
    has_more: bool  # False: this page reached the end for now


class PlatformError(Exception):
    """Base of every adapter error. `str(error)` is safe to store and show to a recruiter."""


class PermanentPlatformError(PlatformError):
    """The platform refused the request for good (validation, a FAILED task, a forbidden
    contract). Sending it again unchanged fails again, so the publisher fails at once."""


class AuthenticationFailed(PermanentPlatformError):
    """The organization's credentials were refused (wrong client id or secret)."""


class OperationNotSupported(PermanentPlatformError):
    """The platform has no such operation (Indeed cannot renew a posting)."""


class TransientPlatformError(PlatformError):
    """Worth retrying: 5xx, 429, timeouts, dropped connections.

    `retry_after` is the platform's own wait in seconds (429 Retry-After), if it gave one.
    `unclear` is True when the request may have been acted on before it failed (a timeout,
    a dropped connection, a 5xx after sending): the publisher then looks the posting up
    before creating it again.
    """

    def __init__(self, message: str, *, retry_after: float | None = None, unclear: bool = False):
        super().__init__(message)
        self.retry_after = retry_after
        self.unclear = unclear


class QuotaWait(TransientPlatformError):
    """Our own pace for the platform's quota says not yet, and not soon: nothing was sent.

    `retry_after` is when the next free turn comes. No attempt was made, so none is counted.
    """


class Platform(Protocol):
    """One job platform. Every method is synchronous and safe to call from many threads.

    What the API needs to know of a platform before any call lives on the adapter class too
    (read through `shared.platforms.adapter_class`): `display_name`, `min_description` (the
    shortest description it takes), `renews` (whether it has a renewal; if not, renew_posting
    raises OperationNotSupported), `takes_application_status` (whether send_application_status
    reaches the board), `board_fields` (its own fields, shared/platforms/fields.py)
    and `listing_problems(core, values)` (its rules across the job's core and those fields).
    """

    name: str
    display_name: str
    min_description: int
    renews: bool
    takes_application_status: bool
    board_fields: tuple[BoardField, ...]

    @staticmethod
    def listing_problems(core: Mapping[str, Any], values: Mapping[str, Any]) -> list[Problem]:
        """What the platform would refuse of this job that no single field says (LinkedIn's location form)."""
        ...

    def create_posting(self, content: PostingContent, credentials: PlatformCredentials) -> PostingState:
        """Ask the platform to publish `content`.

        Returns `published` or `in_progress` (poll `task_id` with `check_task`). If the platform
        says a posting with this `external_id` already exists, returns that posting's state
        instead of failing. Raises PermanentPlatformError or TransientPlatformError.
        """
        ...

    def check_task(self, task_id: str, credentials: PlatformCredentials) -> PostingState:
        """Poll an asynchronous create. Raises PermanentPlatformError if the task FAILED."""
        ...

    def find_posting(self, external_id: str, credentials: PlatformCredentials) -> PostingState | None:
        """Look a posting up by our id; None if the platform holds none."""
        ...

    def update_posting(
        self, platform_job_id: str, content: PostingContent, credentials: PlatformCredentials
    ) -> PostingState:
        """Make the live posting show `content`; settled, or a task to poll with `check_task`. Safe to repeat."""
        ...

    def close_posting(
        self, platform_job_id: str, content: PostingContent, credentials: PlatformCredentials
    ) -> PostingState:
        """Stop listing the posting; settled, or a task to poll. Closing a closed posting succeeds."""
        ...

    def renew_posting(
        self, platform_job_id: str, content: PostingContent, credentials: PlatformCredentials
    ) -> PostingState:
        """Extend the posting's listing; raises OperationNotSupported where the platform has no renewal."""
        ...

    def unlisted_postings(self, external_ids: list[str], credentials: PlatformCredentials) -> dict[str, str]:
        """Of these postings (by our id), those the platform no longer lists, with the platform's
        listing status; in as few calls as the platform's batch size allows."""
        ...

    def send_application_status(
        self,
        application_external_id: str,
        job_external_id: str,
        status: str,
        at: datetime,
        credentials: PlatformCredentials,
    ) -> None:
        """Tell the platform what happened to an application it delivered (`status`, one of
        shared/application_status.py:STATUSES, mapped to the platform's own code) and when.

        Safe to repeat: the platforms do not notify a candidate twice of one status. Raises
        OperationNotSupported where the platform takes no status (or not this one),
        PermanentPlatformError or TransientPlatformError.
        """
        ...

    application_source: str  # how a recruiter sees where an application came from

    def check_credentials(self, credentials: PlatformCredentials) -> str:
        """Prove the credentials work with one harmless call; returns what the platform granted.

        Raises AuthenticationFailed (refused), TransientPlatformError (unreachable, 5xx, 429)
        or PermanentPlatformError.
        """
        ...

    def fetch_applications(
        self,
        credentials: PlatformCredentials,
        cursor: str | None,
        *,
        page_size: int,
        job_external_id: str | None = None,
    ) -> ApplicationPage:
        """One page of the organization's applications after `cursor` (None: from the start),
        oldest first; only those to `job_external_id` when given."""
        ...
