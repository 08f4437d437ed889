"""A pull reads its next page while it stores the last one (services/syncer/page_reader.py), and
stores a page in a handful of statements: neither may lose, double or misplace an application.

Against the Naukri emulator on loopback, with its faults switched on mid-pull; statements are
counted on a PostgreSQL engine of the test's own.
"""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, func, select

from services.syncer.syncing import SyncOutcome, run_sync
from shared.applications import store_applications
from shared.context import build_worker_context
from shared.db import build_engine, build_session_factory, unit_of_work
from shared.events import ApplicationReceived
from shared.models import Application, PublishingLog
from shared.platforms.base import PlatformApplication
from shared.syncs import request_sync
from tests.conftest import wait_for_syncs_to_settle
from tests.test_applications_sync import applications_of, published_on

STATEMENTS_PER_PAGE = 2  # the postings applied to; the applications with their events


def pulls_in_pages_of_two(sessions, settings, organization_id: int):
    context = build_worker_context(settings.model_copy(update={"sync_page_size": 2}), sessions)

    def pull() -> SyncOutcome:
        with unit_of_work(sessions) as session:
            sync_id = request_sync(session, organization_id, "naukri", trigger="cli", dispatch=False)
        outcome = run_sync(context, sync_id)
        assert outcome is not None
        return outcome

    return pull


def received_events(sessions, job_id: int) -> list[int]:
    """The application ids of the job's `ApplicationReceived` events."""
    with sessions() as session:
        payloads = session.scalars(
            select(PublishingLog.payload).where(
                PublishingLog.job_id == job_id, PublishingLog.event_type == "ApplicationReceived"
            )
        )
        return sorted(payload["application_id"] for payload in payloads)


def test_a_pull_that_fails_while_reading_ahead_keeps_what_it_stored_and_the_next_pull_adds_the_rest_once(
    client, make_tenant, pipeline, emulators, sessions, settings
):
    # Given nine applications, read two a page, and the platform failing a read ahead twice
    tenant = make_tenant(platforms=("naukri",))
    job_id, external_id = published_on(client, tenant, sessions, "naukri")
    emulators.naukri.apply(external_id, count=9, client_id=tenant.clients["naukri"][0])
    pull = pulls_in_pages_of_two(sessions, settings, tenant.id)
    wait_for_syncs_to_settle(sessions)

    # When the third read (page three, asked for while page two is stored) answers 500
    emulators.naukri.set_faults({"server_error": {"times": 1, "status": 500, "on": "applications", "after": 2}})
    first = pull()
    # and, on the next pull, the second read loses its connection
    emulators.naukri.set_faults({"drop_connection": {"times": 1, "on": "applications", "after": 1}})
    second = pull()
    emulators.naukri.clear_faults()
    third = pull()
    fourth = pull()

    # Then each pull kept the pages read before the failure, and nothing came twice
    assert first.error and (first.new, first.duplicates) == (4, 0)
    assert second.error and (second.new, second.duplicates) == (2, 0)
    assert third.error is None and (third.new, third.duplicates) == (3, 0)
    assert fourth.error is None and (fourth.fetched, fourth.new) == (0, 0)  # the cursor stands after the last
    stored = applications_of(sessions, job_id)
    assert len(stored) == len({a.external_application_id for a in stored}) == 9
    assert received_events(sessions, job_id) == sorted(a.id for a in stored)


def test_two_pulls_of_one_organization_at_once_store_each_application_once(
    client, make_tenant, pipeline, emulators, sessions, settings
):
    # Given thirty applications, read two a page
    tenant = make_tenant(platforms=("naukri",))
    job_id, external_id = published_on(client, tenant, sessions, "naukri")
    emulators.naukri.apply(external_id, count=30, client_id=tenant.clients["naukri"][0])
    pull = pulls_in_pages_of_two(sessions, settings, tenant.id)
    wait_for_syncs_to_settle(sessions)

    # When two pulls run at once, each reading ahead from where it last stored the cursor
    outcomes: list[SyncOutcome] = []
    threads = [threading.Thread(target=lambda: outcomes.append(pull())) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then the pages they read ahead from a cursor the other had moved were dropped, not stored
    assert [outcome.error for outcome in outcomes] == [None, None]
    assert sum(outcome.new for outcome in outcomes) == 30
    stored = applications_of(sessions, job_id)
    assert len(stored) == len({a.external_application_id for a in stored}) == 30
    assert received_events(sessions, job_id) == sorted(a.id for a in stored)


def application(number: int, job_external_id: str) -> PlatformApplication:
    return PlatformApplication(
        external_id=f"NB-count-{number}",
        job_external_id=job_external_id,
        candidate_name=f"Candidate {number}",
        candidate_email=f"candidate.{number}@candidates.example",
        candidate_phone=None,
        resume_url=None,
        cover_letter=None,
        answers={"noticePeriod": "30 days"},
        applied_at=datetime(2025, 1, 1, tzinfo=UTC),
        raw={"applicationId": f"NB-count-{number}"},
    )


def test_a_page_of_applications_costs_the_same_few_statements_whatever_its_size(
    client, tenant, pipeline, sessions, settings
):
    # Given a published job, and an engine whose statements are counted
    job_id, external_id = published_on(client, tenant, sessions, "naukri")
    engine = build_engine(settings)
    counted = build_session_factory(engine)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *call: statements.append(call[2]))
    try:
        costs = {}
        for first, size in ((0, 5), (5, 100)):
            # When a page of five, then a page of a hundred (repeating the five) is stored
            page = [application(number % 100, external_id) for number in range(first, first + size)]
            statements.clear()
            with unit_of_work(counted) as session:
                stored = store_applications(session, tenant.id, "naukri", "Naukri", page)
            costs[size] = (len(statements), stored.new, stored.duplicates)
    finally:
        engine.dispose()

    # Then both cost the same two statements, and every application is stored with its event, once
    assert costs == {5: (STATEMENTS_PER_PAGE, 5, 0), 100: (STATEMENTS_PER_PAGE, 95, 5)}
    with sessions() as session:
        stored_count = session.scalar(select(func.count()).where(Application.job_id == job_id))
    assert stored_count == 100
    assert len(received_events(sessions, job_id)) == 100


def test_each_application_stored_with_its_page_has_an_event_of_its_own_that_reads_back_whole(
    client, tenant, pipeline, sessions
):
    # Given a published job
    job_id, external_id = published_on(client, tenant, sessions, "naukri")

    # When a page of three applications is stored (the events written by the same statement as the rows)
    page = [application(number, external_id) for number in range(3)]
    with unit_of_work(sessions) as session:
        stored = store_applications(session, tenant.id, "naukri", "Naukri", page, correlation_id="corr-1")

    # Then each event reads back as an ApplicationReceived naming its own row, under an event id of its own
    with sessions() as session:
        logged = session.scalars(
            select(PublishingLog).where(
                PublishingLog.job_id == job_id, PublishingLog.event_type == "ApplicationReceived"
            )
        ).all()
        rows = {a.id: a for a in session.scalars(select(Application).where(Application.job_id == job_id))}
    assert sorted(row.payload["application_id"] for row in logged) == sorted(stored.new_ids)
    assert len({row.event_id for row in logged}) == 3
    for row in logged:
        received = ApplicationReceived.model_validate(row.payload)
        application_row = rows[received.application_id]
        assert str(received.event_id) == row.event_id
        assert (row.organization_id, row.platform, row.correlation_id) == (tenant.id, "naukri", "corr-1")
        assert received.model_dump(
            include={"organization_id", "job_id", "platform", "external_application_id", "source"}
        ) == {
            "organization_id": tenant.id,
            "job_id": job_id,
            "platform": "naukri",
            "external_application_id": application_row.external_application_id,
            "source": "Naukri",
        }


def test_a_raw_payload_with_an_integer_past_64_bits_or_a_nul_is_stored_as_it_came(client, tenant, pipeline, sessions):
    # Given a published job, and applications whose raw payloads hold what the fast JSON writer refuses or
    # what PostgreSQL's JSONB cannot hold
    _, external_id = published_on(client, tenant, sessions, "naukri")
    huge, with_nul = application(1, external_id), application(2, external_id)
    huge.raw["score"] = 2**70
    with_nul.raw["note"] = "a\x00b"

    # When their page is stored
    with unit_of_work(sessions) as session:
        stored = store_applications(session, tenant.id, "naukri", "Naukri", [huge, with_nul])

    # Then both are stored, the integer whole and the NUL dropped
    assert stored.new == 2
    with sessions() as session:
        mine = select(Application).where(Application.organization_id == tenant.id)
        raws = {a.external_application_id: a.raw for a in session.scalars(mine)}
    assert raws[huge.external_id]["score"] == 2**70
    assert raws[with_nul.external_id]["note"] == "ab"


def test_a_page_with_a_moment_without_its_zone_is_refused_not_read_in_the_servers_zone(
    client, tenant, pipeline, sessions
):
    # Given an application whose date lost its zone (no adapter of ours makes one)
    _, external_id = published_on(client, tenant, sessions, "naukri")
    naive = dataclasses.replace(application(1, external_id), applied_at=datetime(2025, 1, 1))

    # When its page is stored, then it is refused, as a UTC column refuses it
    with pytest.raises(TypeError, match="naive"), unit_of_work(sessions) as session:
        store_applications(session, tenant.id, "naukri", "Naukri", [naive])
