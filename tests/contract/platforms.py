"""The contract fixture of each platform: what the one contract suite (test_platform_contract.py)
needs to know to drive that platform's adapter against its emulator. Adding a platform to the
suite is adding one entry to `CONTRACTS`.

The adapter itself comes from the registry (`shared.platforms.build_platforms`), the emulator
from the `emulators` fixture (tests/conftest.py) under the same name.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
from lxml import html

from shared.platforms.base import EmploymentType, PlatformCredentials, PostingContent, WorkplaceType
from tests.support import DESCRIPTION


@dataclass(frozen=True)
class ContractFixture:
    """One platform, as the contract suite sees it.

    `credentials(client_id, secret)` builds what the adapter is handed for a client registered
    on the emulator; `faults` are the emulator's fault switches the suite may throw (a check
    the suite cannot make for lack of one is skipped, saying which); `renews` says whether the
    platform has a renewal (if not, the adapter must raise OperationNotSupported);
    `refuses_duplicate_ids` whether the platform itself turns a second create of one of our ids
    into the first posting (if not, the look-up by our id before re-creating is the only anchor);
    `tokens_expire` whether it hands out access tokens that the `expire_tokens` switch expires;
    `is_closed(held)` whether a posting as the emulator holds it is no longer listed;
    `pulls_applications` whether the platform offers a pull of applications (Indeed only pushes).

    A platform served by jobpub itself (the feed) has no emulator: `served_by_jobpub` makes the
    suite drive it through the API and the pipeline (feed_board.py), `shows_job(answer)` checks
    what its link opens, and `skips` names, per fault switch or check, why it cannot apply there.
    `pulls_applications` whether the platform offers a pull of applications (Indeed only pushes);
    `status_id_field` the field of a delivered application that names it when its status goes back
    (None: the platform takes no application status).
    """

    name: str
    credentials: Callable[[str, str], PlatformCredentials]
    faults: frozenset[str]
    renews: bool
    refuses_duplicate_ids: bool
    tokens_expire: bool
    is_closed: Callable[[dict], bool]
    pulls_applications: bool = True
    served_by_jobpub: bool = False
    shows_job: Callable[[httpx.Response], None] | None = None
    skips: Mapping[str, str] = field(default_factory=dict)
    status_id_field: str | None = None

    def __str__(self) -> str:
        return self.name


REQUEST_FAULTS = frozenset({"slow", "drop_connection", "rate_limit", "server_error"})
CREATE_FAULTS = frozenset({"reject", "slow_answer", "lose_response"})

NO_REMOTE = "the feed is served by jobpub itself, no remote answers it"


def shows_a_job_posting(answer: httpx.Response) -> None:
    """The page carries schema.org JobPosting JSON-LD with the properties Google for Jobs requires
    (tests/feed checks the recommended ones too, for a job that has a salary and an end date)."""
    [script] = html.fromstring(answer.text).xpath('//script[@type="application/ld+json"]')
    data = json.loads(script.text)
    assert data["@type"] == "JobPosting" and data["title"] and data["description"] and data["datePosted"]
    assert data["hiringOrganization"]["name"] and data["jobLocation"]["address"]["addressLocality"]


CONTRACTS = [
    ContractFixture(
        name="linkedin",
        credentials=lambda client_id, secret: PlatformCredentials(
            client_id, secret, organization_urn="urn:li:organization:4242"
        ),
        faults=REQUEST_FAULTS | CREATE_FAULTS | {"expire_tokens"},
        renews=True,
        refuses_duplicate_ids=True,  # a second CREATE of one externalJobPostingId ends FAILED 2009
        tokens_expire=True,
        is_closed=lambda held: held["listingStatus"] == "NOT_LISTED",
        status_id_field="jobApplicationId",  # Apply Connect's lifecycle actions
    ),
    ContractFixture(
        name="naukri",
        credentials=lambda client_id, secret: PlatformCredentials(client_id, secret),
        faults=REQUEST_FAULTS | CREATE_FAULTS,
        renews=True,  # Naukri's refresh: POST /v1/jobs/{id}/refresh, 30 more days
        refuses_duplicate_ids=False,  # a second POST /v1/jobs of one reference makes a second posting
        tokens_expire=False,  # the API key goes with every call
        is_closed=lambda held: held["status"] == "closed",
    ),
    ContractFixture(
        name="indeed",
        credentials=lambda client_id, secret: PlatformCredentials(client_id, secret),
        faults=REQUEST_FAULTS | CREATE_FAULTS | {"expire_tokens"},
        renews=False,  # the Job Sync API has no renewal: a posting lives until it is expired
        refuses_duplicate_ids=True,  # createSourcedJobPostings upserts by our jobPostingId
        tokens_expire=True,
        is_closed=lambda held: held["status"] == "EXPIRED",
        # Indeed Apply pushes each application (tests/test_indeed_apply.py); Indeed documents no pull.
        pulls_applications=False,
        status_id_field="id",  # Disposition Sync's indeedApplyID
    ),
    ContractFixture(
        name="feed",
        credentials=lambda client_id, secret: PlatformCredentials(client_id, secret),
        faults=frozenset(),
        renews=True,  # a no-op that settles: the job stays listed until it is closed or expires
        refuses_duplicate_ids=True,  # a second create of one reference answers the same page
        tokens_expire=False,
        is_closed=lambda held: not held["listed"] and held["page"] == 404,
        pulls_applications=False,
        served_by_jobpub=True,
        shows_job=shows_a_job_posting,
        skips={
            **dict.fromkeys(REQUEST_FAULTS | CREATE_FAULTS - {"reject"}, f"{NO_REMOTE}: nothing to fail in transit"),
            "reject": f"{NO_REMOTE}: no remote message to carry (its refusal of an invalid job is checked)",
            "credentials": f"{NO_REMOTE}: no one to refuse credentials (a wrong feed address is a 404: tests/feed)",
            "tokens": f"{NO_REMOTE}: no access tokens to expire",
            "applications": "the feed's applicants apply on the employer's own apply_url: nothing comes back",
        },
    ),
]


def new_client(emulator, contract: ContractFixture) -> PlatformCredentials:
    """A client of this test's own, registered on the emulator: no other test shares its postings."""
    client_id, secret = f"contract-{contract.name}-{secrets.token_hex(4)}", secrets.token_urlsafe(16)
    emulator.register_client(client_id, secret)
    return contract.credentials(client_id, secret)


def posting_content(**overrides) -> PostingContent:
    """A posting every platform accepts, under an external id of its own."""
    values = dict(
        external_id=f"jobpub-contract-{secrets.token_hex(6)}",
        title="Contract Engineer",
        description=DESCRIPTION,
        location="Bengaluru, India",
        employment_type=EmploymentType.FULL_TIME,
        workplace_type=WorkplaceType.HYBRID,
        apply_url="https://acme.example/careers/contract",
        company_name="Acme",
        listed_at=datetime.now(UTC) - timedelta(minutes=1),
        skills=("Python",),
    )
    values.update(overrides)
    return PostingContent(**values)  # type: ignore[arg-type]
