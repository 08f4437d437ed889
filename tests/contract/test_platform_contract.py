"""The contract every platform adapter passes, run against its emulator over real HTTP on loopback.

Each test runs once per platform in `CONTRACTS` (platforms.py). The adapter comes from the
registry (`build_platforms`) with no request quota of ours in the way, so what a test sees is
what the platform answered; faults are caused with the emulator's own switches. Each test
registers a client of its own, so its postings are its own.

The job feed has no emulator: its platform is jobpub's own API, so its calls go through the API
and the publish pipeline and what it holds is read from its public feed (feed_board.py); a check
that cannot apply to it is skipped with the reason the test output shows.
"""

from __future__ import annotations

import time
from dataclasses import replace

import httpx
import pytest

from shared.applications import store_applications
from shared.crypto import cipher_from_settings
from shared.db import unit_of_work
from shared.platforms import build_http_client, build_platforms
from shared.platforms.base import (
    AuthenticationFailed,
    OperationNotSupported,
    PermanentPlatformError,
    Platform,
    PlatformCredentials,
    PostingContent,
    PostingState,
    QuotaWait,
    TransientPlatformError,
)
from tests.contract.feed_board import FeedBoard
from tests.contract.platforms import CONTRACTS, ContractFixture, new_client, posting_content
from tests.test_applications_sync import applications_of, published_on

# Short enough that a slow answer times out quickly; long enough for every ordinary answer on loopback.
TIMEOUT_SECONDS = 0.5
TOO_SLOW_SECONDS = 1.5
SETTLE_TIMEOUT_SECONDS = 10.0


@pytest.fixture(params=CONTRACTS, ids=str)
def contract(request) -> ContractFixture:
    return request.param


@pytest.fixture(scope="module")
def registry(settings):
    """Every adapter, as build_platforms makes them, without our Redis quota (no broker: no quota)."""
    direct = settings.model_copy(update={"broker_url": None, "http_timeout_seconds": TIMEOUT_SECONDS})
    http = build_http_client(direct)
    yield build_platforms(direct, http)
    http.close()


@pytest.fixture
def emulator(request, contract):
    """The platform's emulator; for a platform jobpub serves itself, the board reading our API."""
    if contract.served_by_jobpub:
        return request.getfixturevalue("feed_board")
    return getattr(request.getfixturevalue("emulators"), contract.name)


@pytest.fixture
def platform(request, contract, emulator) -> Platform:
    return emulator.platform if contract.served_by_jobpub else request.getfixturevalue("registry")[contract.name]


@pytest.fixture(scope="module")
def feed_board(client, sessions, settings, pipeline) -> FeedBoard:
    """The feed as the suite sees it: the API (TestClient, and live for its links) and the pipeline."""
    assert settings.public_base_url
    return FeedBoard(client, sessions, cipher_from_settings(settings), settings.public_base_url)


@pytest.fixture
def credentials(emulator, contract) -> PlatformCredentials:
    return new_client(emulator, contract)


def applies_to(contract: ContractFixture, check: str) -> None:
    """Skip, saying why, a check the platform names in its `skips` (one it cannot meet by its nature)."""
    if check in contract.skips:
        pytest.skip(f"{contract.name}: {contract.skips[check]}")


def needs(contract: ContractFixture, fault: str) -> None:
    applies_to(contract, fault)
    if fault not in contract.faults:
        pytest.skip(f"the {contract.name} emulator has no {fault} switch")


def settled(platform: Platform, state: PostingState | None, content: PostingContent, credentials) -> PostingState:
    """Poll what the platform left to poll (its task, else the posting by our id) until it settles."""
    deadline = time.monotonic() + SETTLE_TIMEOUT_SECONDS
    while state is None or not state.published:
        assert time.monotonic() < deadline, f"{platform.name} did not settle: {state!r}"
        time.sleep(0.05)
        if state is not None and state.task_id:
            state = platform.check_task(state.task_id, credentials)
        else:
            state = platform.find_posting(content.external_id, credentials)
    return state


def held(emulator, content: PostingContent, credentials) -> list[dict]:
    return emulator.postings_for(content.external_id, credentials.client_id)


def test_a_created_posting_goes_live_with_an_id_and_a_link_that_opens(contract, platform, emulator, credentials):
    content = posting_content()
    live = settled(platform, platform.create_posting(content, credentials), content, credentials)

    assert live.platform_job_id and live.url
    page = httpx.get(live.url, trust_env=False)
    assert page.status_code == 200
    if contract.shows_job:
        contract.shows_job(page)
    assert platform.find_posting(content.external_id, credentials) == live
    assert len(held(emulator, content, credentials)) == 1


def test_the_same_posting_asked_for_twice_is_one_posting(contract, platform, emulator, credentials):
    content = posting_content()
    first = settled(platform, platform.create_posting(content, credentials), content, credentials)

    # Asked again as the publisher asks after any earlier attempt: by our id first.
    assert platform.find_posting(content.external_id, credentials) == first
    if contract.refuses_duplicate_ids:  # and even a blind second create comes back as the first posting
        again = settled(platform, platform.create_posting(content, credentials), content, credentials)
        assert again.platform_job_id == first.platform_job_id
    assert len(held(emulator, content, credentials)) == 1


@pytest.mark.parametrize(
    "fault",
    [{"lose_response": {"times": 1}}, {"slow_answer": {"times": 1, "seconds": TOO_SLOW_SECONDS}}],
    ids=["lost-response", "answer-too-late"],
)
def test_a_create_whose_answer_is_lost_is_found_by_our_id_not_created_again(
    fault, contract, platform, emulator, credentials
):
    needs(contract, next(iter(fault)))
    content = posting_content()
    emulator.set_faults(fault)
    with pytest.raises(TransientPlatformError) as lost:
        platform.create_posting(content, credentials)
    assert lost.value.unclear  # the platform may have acted: look before creating again

    found = settled(platform, platform.find_posting(content.external_id, credentials), content, credentials)
    assert found.platform_job_id and found.url
    assert len(held(emulator, content, credentials)) == 1


def test_a_connection_dropped_before_the_platform_acted_leaves_nothing_and_one_create_makes_one(
    contract, platform, emulator, credentials
):
    needs(contract, "drop_connection")
    content = posting_content()
    emulator.set_faults({"drop_connection": {"times": 1, "on": "create"}})
    with pytest.raises(TransientPlatformError) as dropped:
        platform.create_posting(content, credentials)
    assert dropped.value.unclear

    assert platform.find_posting(content.external_id, credentials) is None
    settled(platform, platform.create_posting(content, credentials), content, credentials)
    assert len(held(emulator, content, credentials)) == 1


def test_a_live_posting_is_updated_renewed_or_clearly_not_and_closed_twice(contract, platform, emulator, credentials):
    content = posting_content()
    live = settled(platform, platform.create_posting(content, credentials), content, credentials)
    job_id = live.platform_job_id
    assert job_id

    changed = replace(content, title="Senior Contract Engineer")
    settled(platform, platform.update_posting(job_id, changed, credentials), changed, credentials)
    [posting] = held(emulator, content, credentials)
    assert posting["title"] == "Senior Contract Engineer"

    if contract.renews:
        settled(platform, platform.renew_posting(job_id, changed, credentials), changed, credentials)
    else:
        with pytest.raises(OperationNotSupported, match="renew"):
            platform.renew_posting(job_id, changed, credentials)

    for _ in range(2):  # closing a closed posting succeeds too
        settled(platform, platform.close_posting(job_id, changed, credentials), changed, credentials)
        [posting] = held(emulator, content, credentials)
        assert contract.is_closed(posting)


@pytest.mark.parametrize("on", ["create", "lookup"])
def test_a_429_is_transient_and_carries_the_platforms_retry_after(on, contract, platform, emulator, credentials):
    needs(contract, "rate_limit")
    content = posting_content()
    emulator.set_faults({"rate_limit": {"times": 1, "retry_after": 7, "on": on}})
    call = platform.create_posting if on == "create" else platform.find_posting
    with pytest.raises(TransientPlatformError) as limited:
        call(content if on == "create" else content.external_id, credentials)  # type: ignore[arg-type]

    assert limited.value.retry_after == 7
    assert not isinstance(limited.value, QuotaWait)  # the platform's wait, not our own pace
    assert held(emulator, content, credentials) == []


def test_a_5xx_is_transient_and_may_have_been_acted_on(contract, platform, emulator, credentials):
    needs(contract, "server_error")
    content = posting_content()
    emulator.set_faults({"server_error": {"times": 1, "status": 503, "on": "create"}})
    with pytest.raises(TransientPlatformError, match="503") as failed:
        platform.create_posting(content, credentials)
    assert failed.value.unclear and failed.value.retry_after is None


def test_a_timeout_is_transient_and_may_have_been_acted_on(contract, platform, emulator, credentials):
    needs(contract, "slow")
    emulator.set_faults({"slow": {"times": 1, "seconds": TOO_SLOW_SECONDS, "on": "lookup"}})
    with pytest.raises(TransientPlatformError, match="did not answer in time") as slow:
        platform.find_posting(posting_content().external_id, credentials)
    assert slow.value.unclear


def test_refused_credentials_are_authentication_failed_and_nothing_is_created(contract, platform, emulator):
    applies_to(contract, "credentials")
    stranger = contract.credentials("contract-nobody", "not-a-secret")
    content = posting_content()
    with pytest.raises(AuthenticationFailed):
        platform.check_credentials(stranger)
    with pytest.raises(AuthenticationFailed) as refused:
        platform.create_posting(content, stranger)
    assert "not-a-secret" not in str(refused.value)
    assert emulator.postings_for(content.external_id) == []


def test_an_expired_token_is_replaced_once_and_the_call_goes_through(contract, platform, emulator, credentials):
    applies_to(contract, "tokens")
    if not contract.tokens_expire:
        pytest.skip(f"{contract.name} has no access tokens: the key goes with every call")
    content = posting_content()
    assert platform.find_posting(content.external_id, credentials) is None
    assert len(emulator.issued_tokens(credentials.client_id)) == 1

    emulator.set_faults({"expire_tokens": True})
    live = settled(platform, platform.create_posting(content, credentials), content, credentials)
    assert live.platform_job_id
    assert len(emulator.issued_tokens(credentials.client_id)) == 2  # one new token, not one per call


def test_a_permanent_rejection_carries_the_platforms_own_message(contract, platform, emulator, credentials):
    needs(contract, "reject")
    content = posting_content()
    emulator.set_faults({"reject": {"times": 1, "message": "ERROR :: /title :: this title names no job"}})
    with pytest.raises(PermanentPlatformError, match="this title names no job"):
        settled(platform, platform.create_posting(content, credentials), content, credentials)
    assert held(emulator, content, credentials) == []


def test_a_posting_the_platform_cannot_list_is_refused_naming_the_field(platform, emulator, credentials):
    invalid = posting_content(description="Too short.")
    with pytest.raises(PermanentPlatformError, match="description"):
        settled(platform, platform.create_posting(invalid, credentials), invalid, credentials)
    assert held(emulator, invalid, credentials) == []


def test_applications_are_pulled_page_by_page_and_stored_once_each(
    contract, registry, emulators, client, make_tenant, pipeline, sessions
):
    applies_to(contract, "applications")
    if not contract.pulls_applications:
        pytest.skip(f"{contract.name} only pushes applications; it has nothing to pull")
    platform, emulator = registry[contract.name], getattr(emulators, contract.name)
    tenant = make_tenant(platforms=(contract.name,))
    job_id, external_id = published_on(client, tenant, sessions, contract.name)
    credentials = contract.credentials(*tenant.clients[contract.name])
    made = emulator.apply(external_id, count=5, client_id=credentials.client_id)

    pulled, cursor, pages = [], None, 0
    while True:
        page = platform.fetch_applications(credentials, cursor, page_size=2, job_external_id=external_id)
        pulled += page.applications
        cursor, pages = page.next_cursor, pages + 1
        if not page.has_more:
            break
    assert pages == 3
    assert [a.job_external_id for a in pulled] == [external_id] * 5
    assert len({a.external_id for a in pulled}) == 5 == len(made)
    assert all(a.candidate_name and a.candidate_email and a.resume_url for a in pulled)
    after_the_end = platform.fetch_applications(credentials, cursor, page_size=2)
    assert after_the_end.applications == [] and not after_the_end.has_more

    # Stored once each, whatever the webhook (LinkedIn pushes too) or an earlier pull stored first.
    for _ in range(2):
        with unit_of_work(sessions) as session:
            stored = store_applications(session, tenant.id, contract.name, platform.application_source, pulled * 2)
        assert stored.new + stored.duplicates == 10 and stored.unmatched == 0
    assert sorted(a.external_application_id for a in applications_of(sessions, job_id)) == sorted(
        a.external_id for a in pulled
    )
