"""Applications pulled from the platforms: on a schedule, on demand, never twice, never lost.

The syncs run as real dramatiq messages through the relay, against the emulators on loopback;
faults (429 midway through a pull) are caused on the emulator.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from services.syncer.scheduler import schedule_due_syncs, schedule_window
from services.syncer.syncing import run_sync
from shared.context import build_worker_context
from shared.db import unit_of_work
from shared.models import Application, PlatformConnection, PublishingLog, SyncRun, utcnow
from shared.syncs import request_sync
from tests.conftest import postings_of, wait_for_syncs_to_settle
from tests.support import publish, settled_status, wait_until

APPLICATIONS = "/jobs/publishing/applications/"
SYNC = "/jobs/publishing/sync-applications/"


def published_on(client, tenant, sessions, platform: str) -> tuple[int, str]:
    """A job of the tenant's, published on the platform; returns its id and external id."""
    job_id = publish(client, tenant, platforms=[platform])
    assert settled_status(client, tenant, job_id)["platforms"][platform]["status"] == "published"
    return job_id, postings_of(sessions, job_id)[platform].external_id


def scheduled_run(sessions, tenant, platform: str, window: int) -> SyncRun:
    def finished():
        with sessions() as session:
            run = session.scalar(
                select(SyncRun).where(
                    SyncRun.organization_id == tenant.id,
                    SyncRun.platform == platform,
                    SyncRun.schedule_window == window,
                )
            )
            return run if run is not None and run.status in ("succeeded", "failed") else None

    return wait_until(finished, 30, what=f"the {platform} sync of window {window}")


def applications_of(sessions, job_id: int) -> list[Application]:
    with sessions() as session:
        return list(session.scalars(select(Application).where(Application.job_id == job_id).order_by(Application.id)))


def received_in_the_log(client, tenant, job_id: int) -> list[dict]:
    """The job's `ApplicationReceived` events, as its events endpoint shows them."""
    events = client.get(f"/jobs/publishing/{job_id}/events/", params={"limit": 500}, headers=tenant.headers).json()
    return [e["payload"] for e in events["items"] if e["event_type"] == "ApplicationReceived"]


def test_a_scheduled_pull_stores_new_applications_once_and_the_next_window_adds_none(
    client, tenant, pipeline, emulators, sessions, settings
):
    job_id, external_id = published_on(client, tenant, sessions, "naukri")
    applied = emulators.naukri.apply(external_id, count=3, client_id=tenant.clients["naukri"][0])
    now = utcnow()
    interval = settings.sync_interval_seconds

    schedule_due_syncs(sessions, settings, now=now)
    first = scheduled_run(sessions, tenant, "naukri", schedule_window(now, interval))
    assert (first.status, first.fetched, first.new, first.duplicates) == ("succeeded", 3, 3, 0)
    stored = applications_of(sessions, job_id)
    assert sorted(a.external_application_id for a in stored) == sorted(a["applicationId"] for a in applied)
    assert {(a.organization_id, a.source) for a in stored} == {(tenant.id, "Naukri")}
    assert (
        stored[0].candidate_email
        == next(a for a in applied if a["applicationId"] == stored[0].external_application_id)["candidate"]["email"]
    )

    later = now + timedelta(seconds=interval)
    schedule_due_syncs(sessions, settings, now=later)
    second = scheduled_run(sessions, tenant, "naukri", schedule_window(later, interval))
    assert (second.status, second.fetched, second.new) == ("succeeded", 0, 0)
    assert len(applications_of(sessions, job_id)) == 3
    with sessions() as session:
        synced = session.scalars(
            select(PublishingLog.payload).where(
                PublishingLog.organization_id == tenant.id, PublishingLog.event_type == "ApplicationsSynced"
            )
        ).all()
    assert sorted(event["new"] for event in synced if event["platform"] == "naukri") == [0, 3]


def test_two_schedulers_at_once_request_one_pull_per_window(sessions, settings, make_tenant):
    tenant = make_tenant()
    when = utcnow() + timedelta(days=365)  # a window no other test schedules
    requested: list[int] = []
    schedulers = [
        threading.Thread(target=lambda: requested.append(schedule_due_syncs(sessions, settings, now=when)))
        for _ in range(4)
    ]
    for scheduler in schedulers:
        scheduler.start()
    for scheduler in schedulers:
        scheduler.join()

    window = schedule_window(when, settings.sync_interval_seconds)
    with sessions() as session:
        runs = session.scalars(
            select(SyncRun.platform).where(SyncRun.schedule_window == window, SyncRun.organization_id == tenant.id)
        ).all()
        connections = session.scalar(
            select(func.count()).select_from(PlatformConnection).where(PlatformConnection.enabled.is_(True))
        )
    assert sorted(runs) == ["linkedin", "naukri"]
    assert sum(requested) == connections  # every connection once, whichever scheduler won


def test_a_429_midway_through_a_pull_resumes_from_the_cursor_with_nothing_lost_or_doubled(
    client, make_tenant, pipeline, emulators, sessions, settings
):
    tenant = make_tenant(platforms=("naukri",))
    job_id, external_id = published_on(client, tenant, sessions, "naukri")
    emulators.naukri.apply(external_id, count=7, client_id=tenant.clients["naukri"][0])
    small_pages = build_worker_context(settings.model_copy(update={"sync_page_size": 2}), sessions)

    def pull():
        with unit_of_work(sessions) as session:
            sync_id = request_sync(session, tenant.id, "naukri", trigger="cli", dispatch=False)
        return run_sync(small_pages, sync_id)

    wait_for_syncs_to_settle(sessions)
    emulators.naukri.set_faults({"rate_limit": {"times": 1, "retry_after": 1, "on": "applications", "after": 1}})
    first = pull()
    assert "429" in first.error
    assert first.new == 2  # the page before the 429 is kept
    emulators.naukri.clear_faults()
    second = pull()
    assert second.error is None
    assert (second.new, second.duplicates) == (5, 0)
    stored = applications_of(sessions, job_id)
    assert len(stored) == len({a.external_application_id for a in stored}) == 7


def test_a_sync_asked_for_over_the_api_reports_its_progress_and_result(
    client, make_tenant, pipeline, emulators, sessions
):
    tenant = make_tenant(platforms=("naukri",))
    job_id, external_id = published_on(client, tenant, sessions, "naukri")
    emulators.naukri.apply(external_id, count=4, client_id=tenant.clients["naukri"][0])

    answer = client.post(SYNC, json={"platform": "naukri"}, headers=tenant.headers)
    assert answer.status_code == 202, answer.text
    [sync] = answer.json()["items"]
    assert sync["status"] in ("pending", "running", "succeeded")

    def done():
        body = client.get(f"{SYNC}{sync['id']}/", headers=tenant.headers).json()
        return body if body["status"] in ("succeeded", "failed") else None

    result = wait_until(done, 30, what="the API-requested sync")
    assert (result["status"], result["new"], result["trigger"]) == ("succeeded", 4, "api")
    stored = applications_of(sessions, job_id)
    assert len(stored) == 4
    received = received_in_the_log(client, tenant, job_id)
    assert sorted((e["application_id"], e["external_application_id"]) for e in received) == sorted(
        (a.id, a.external_application_id) for a in stored
    )
    assert {(e["job_id"], e["platform"], e["source"]) for e in received} == {(job_id, "naukri", "Naukri")}
    not_connected = client.post(SYNC, json={"platform": "linkedin"}, headers=tenant.headers)
    assert not_connected.status_code == 422 and "linkedin is not connected" in not_connected.text


def test_applications_are_listed_in_stable_pages_and_only_to_their_organization(
    client, make_tenant, pipeline, emulators, sessions
):
    tenant, stranger = make_tenant(platforms=("naukri",)), make_tenant(platforms=("naukri",))
    job_id, external_id = published_on(client, tenant, sessions, "naukri")
    client_id = tenant.clients["naukri"][0]
    emulators.naukri.apply(external_id, count=5, client_id=client_id)
    sync_now(client, tenant)

    first = client.get(APPLICATIONS, params={"limit": 2}, headers=tenant.headers).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    emulators.naukri.apply(external_id, count=2, client_id=client_id)  # arrive between two page reads
    sync_now(client, tenant)
    seen = [item["id"] for item in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get(APPLICATIONS, params={"limit": 2, "cursor": cursor}, headers=tenant.headers).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == 7 and seen == sorted(seen)

    assert client.get(APPLICATIONS, params={"job_id": job_id}, headers=stranger.headers).json()["items"] == []
    assert client.get(APPLICATIONS, headers=stranger.headers).json()["items"] == []
    assert client.get(APPLICATIONS, params={"platform": "linkedin"}, headers=tenant.headers).json()["items"] == []
    future = (utcnow() + timedelta(days=1)).isoformat()
    assert client.get(APPLICATIONS, params={"applied_from": future}, headers=tenant.headers).json()["items"] == []
    assert client.get(APPLICATIONS, params={"limit": 0}, headers=tenant.headers).status_code == 422
    # Were 500s: a date-time without a time zone, one beyond year 9999 in UTC, a job id beyond BIGINT.
    for params in (
        {"applied_from": "2026-11-20T10:00:00"},
        {"applied_to": "9999-12-31T23:59:59-14:00"},
        {"job_id": 2**63},
    ):
        answer = client.get(APPLICATIONS, params=params, headers=tenant.headers)
        assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["query", *params], answer.text


def sync_now(client, tenant) -> None:
    [sync] = client.post(SYNC, json={"platform": "naukri"}, headers=tenant.headers).json()["items"]
    wait_until(
        lambda: client.get(f"{SYNC}{sync['id']}/", headers=tenant.headers).json()["status"] == "succeeded",
        30,
        what="the sync",
    )


def test_the_linkedin_pull_backs_up_the_webhook_without_storing_anything_twice(
    client, make_tenant, pipeline, emulators, sessions
):
    tenant = make_tenant(platforms=("linkedin",))
    job_id, external_id = published_on(client, tenant, sessions, "linkedin")
    emulators.linkedin.apply(external_id, count=2, client_id=tenant.clients["linkedin"][0])
    assert emulators.linkedin.wait_for_webhooks(20)
    pushed = wait_until(
        lambda: len(applications_of(sessions, job_id)) == 2 and applications_of(sessions, job_id), what="pushes"
    )

    def sync(body: dict) -> dict:
        [sync] = client.post(SYNC, json=body, headers=tenant.headers).json()["items"]
        return wait_until(
            lambda: (
                (r := client.get(f"{SYNC}{sync['id']}/", headers=tenant.headers).json())["status"] == "succeeded" and r
            ),
            30,
            what="the LinkedIn sync",
        )

    backstop = sync({"platform": "linkedin"})
    assert (backstop["fetched"], backstop["new"], backstop["duplicates"]) == (2, 0, 2)
    with unit_of_work(sessions) as session:  # a delivery we missed (our API was down, say)
        session.delete(session.get(Application, pushed[0].id))
    recovered = sync({"platform": "linkedin", "job_id": job_id})  # a job's pull reads from its start
    assert (recovered["fetched"], recovered["new"], recovered["duplicates"]) == (2, 1, 1)
    assert sorted(a.external_application_id for a in applications_of(sessions, job_id)) == sorted(
        a.external_application_id for a in pushed
    )


def test_a_pulled_application_with_an_absurdly_long_phone_is_stored_cut_and_later_pulls_go_on(
    client, make_tenant, pipeline, emulators, sessions
):
    tenant = make_tenant(platforms=("naukri",))
    job_id, external_id = published_on(client, tenant, sessions, "naukri")
    client_id = tenant.clients["naukri"][0]
    emulators.naukri.apply(external_id, client_id=client_id, candidate={"name": "Long Phone", "phone": "9" * 100})
    sync_now(client, tenant)
    [stored] = applications_of(sessions, job_id)
    assert stored.candidate_name == "Long Phone" and stored.candidate_phone == "9" * 64

    emulators.naukri.apply(external_id, client_id=client_id, candidate={"name": "Next One"})
    sync_now(client, tenant)
    assert [a.candidate_name for a in applications_of(sessions, job_id)] == ["Long Phone", "Next One"]
