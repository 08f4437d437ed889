"""Candidate status back to the boards: the customer's ATS tells jobpub what happened to an
application, and jobpub forwards it to the board it came from, on the emulators: LinkedIn's
application lifecycle actions, Indeed's Disposition Sync; Naukri takes none."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from services.relay.recovery import recover_stalled
from shared.application_status import locked_application, record_status
from shared.db import unit_of_work
from shared.models import Application, ApplicationStatusUpdate, KeyScope, PublishingLog
from tests.conftest import log_of
from tests.support import wait_until
from tests.test_applications_sync import SYNC, applications_of, published_on
from tests.test_failures import jobpub

AT = datetime(2026, 11, 30, 9, 15, 0, tzinfo=UTC)


def status_url(application_id: int) -> str:
    return f"/jobs/publishing/applications/{application_id}/status/"


def application_answer(client, tenant, application_id: int) -> dict:
    answer = client.get(f"/jobs/publishing/applications/{application_id}/", headers=tenant.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def forwarded(client, tenant, application_id: int, platform: str, state: str) -> dict:
    """The application's answer once its one status update shows `state` on `platform`."""

    def check():
        body = application_answer(client, tenant, application_id)
        return body if body["status_updates"][0]["forwarded"] == {platform: state} else None

    return wait_until(check, 20, what=f"the status to be {state} on {platform}")


def applied_on(client, tenant, sessions, emulators, platform: str) -> Application:
    """One application to a job of the tenant's on `platform`, as the board delivered it."""
    job_id, external_id = published_on(client, tenant, sessions, platform)
    getattr(emulators, platform).apply(external_id, client_id=tenant.clients[platform][0])
    if platform == "naukri":  # Naukri is pulled, not pushed
        assert client.post(SYNC, json={"platform": "naukri", "job_id": job_id}, headers=tenant.headers).status_code
    return wait_until(lambda: applications_of(sessions, job_id), 20, what=f"the {platform} application")[0]


@pytest.fixture
def boards_tenant(make_tenant):
    return make_tenant(platforms=("linkedin", "naukri", "indeed"))


def test_a_status_reaches_linkedin_exactly_once_through_a_500_and_shows_sent(
    client, boards_tenant, pipeline, emulators, sessions
):
    application = applied_on(client, boards_tenant, sessions, emulators, "linkedin")
    emulators.linkedin.set_faults({"server_error": {"times": 1, "on": "status", "status": 500}})

    answer = client.post(
        status_url(application.id), json={"status": "rejected", "at": AT.isoformat()}, headers=boards_tenant.headers
    )
    assert answer.status_code == 202, answer.text
    assert answer.json()["status"] == "rejected" and answer.json()["at"].startswith("2026-11-30T09:15:00")

    [update] = forwarded(client, boards_tenant, application.id, "linkedin", "sent")["status_updates"]
    assert update["attempts"] == 2 and update["error"] is None  # the 500, then the one that landed
    client_id = boards_tenant.clients["linkedin"][0]
    [received] = emulators.linkedin.received_statuses(client_id)
    assert received["body"] == {
        "jobApplicationId": application.external_application_id,
        "action": "APPLICATION_REJECTED",
        "performedAt": int(AT.timestamp() * 1000),
        "integrationContext": f"urn:li:organization:{boards_tenant.id}",
    }
    events = [row.event_type for row in log_of(sessions, application.job_id) if "Status" in row.event_type]
    assert events == ["ApplicationStatusRecorded", "ApplicationStatusRetryScheduled", "ApplicationStatusForwarded"]

    again = client.post(status_url(application.id), json={"status": "rejected"}, headers=boards_tenant.headers)
    assert again.status_code == 200 and again.json()["id"] == update["id"]
    assert len(log_of(sessions, application.job_id)) == len(events) + _not_status(sessions, application.job_id)
    assert len(emulators.linkedin.received_statuses(client_id)) == 1


def _not_status(sessions, job_id: int) -> int:
    return sum("Status" not in row.event_type for row in log_of(sessions, job_id))


def test_an_indeed_disposition_reaches_indeeds_emulator(client, boards_tenant, pipeline, emulators, sessions):
    application = applied_on(client, boards_tenant, sessions, emulators, "indeed")

    answer = client.post(status_url(application.id), json={"status": "hired"}, headers=boards_tenant.headers)
    assert answer.status_code == 202, answer.text
    forwarded(client, boards_tenant, application.id, "indeed", "sent")

    [received] = emulators.indeed.received_statuses(boards_tenant.clients["indeed"][0])
    disposition = received["body"]
    assert disposition["identifiedBy"] == {"indeedApplyID": application.external_application_id}
    assert (disposition["dispositionStatus"], disposition["rawDispositionStatus"]) == ("HIRED", "hired")
    assert disposition["atsName"] == "jobpub" and disposition["statusChangeDateTime"].endswith("Z")


def test_a_naukri_applications_status_is_recorded_and_shown_as_not_supported(
    client, boards_tenant, pipeline, emulators, sessions
):
    application = applied_on(client, boards_tenant, sessions, emulators, "naukri")

    answer = client.post(status_url(application.id), json={"status": "viewed"}, headers=boards_tenant.headers)
    assert answer.status_code == 202, answer.text
    assert answer.json()["forwarded"] == {"naukri": "not_supported"}
    assert answer.json()["error"] == "not forwarded: naukri takes no status"
    listed = client.get(
        "/jobs/publishing/applications/", params={"job_id": application.job_id}, headers=boards_tenant.headers
    ).json()["items"]
    assert [u["status"] for u in listed[0]["status_updates"]] == ["viewed"]
    with sessions() as session:
        [recorded] = session.scalars(
            select(PublishingLog).where(
                PublishingLog.job_id == application.job_id, PublishingLog.event_type == "ApplicationStatusRecorded"
            )
        ).all()
    assert recorded.payload["forwarding"] == "not_supported" and recorded.dispatch_queue is None


def test_another_organization_gets_404_for_an_application_it_does_not_own(
    client, boards_tenant, make_tenant, pipeline, emulators, sessions
):
    application = applied_on(client, boards_tenant, sessions, emulators, "naukri")
    stranger = make_tenant(platforms=("naukri",))

    assert (
        client.post(status_url(application.id), json={"status": "hired"}, headers=stranger.headers).status_code == 404
    )
    assert client.get(f"/jobs/publishing/applications/{application.id}/", headers=stranger.headers).status_code == 404
    assert application_answer(client, boards_tenant, application.id)["status_updates"] == []


def test_a_contradicting_or_malformed_status_is_refused_with_its_reason(
    client, boards_tenant, pipeline, emulators, sessions
):
    application = applied_on(client, boards_tenant, sessions, emulators, "naukri")
    url, headers = status_url(application.id), boards_tenant.headers
    assert client.post(url, json={"status": "rejected"}, headers=headers).status_code == 202

    hired = client.post(url, json={"status": "hired"}, headers=headers)
    assert hired.status_code == 409 and "already rejected" in hired.json()["detail"]
    unknown = client.post(url, json={"status": "ghosted"}, headers=headers)
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["body", "status"]
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    later = client.post(url, json={"status": "viewed", "at": future}, headers=headers)
    assert later.status_code == 422 and later.json()["detail"][0]["loc"] == ["body", "at"]
    naive = client.post(url, json={"status": "viewed", "at": "2026-11-30T09:15:00"}, headers=headers)
    assert naive.status_code == 422 and naive.json()["detail"][0]["loc"] == ["body", "at"]
    assert [u["status"] for u in application_answer(client, boards_tenant, application.id)["status_updates"]] == [
        "rejected"
    ]


def test_a_status_linkedin_kept_refusing_is_listed_as_failed_and_a_replay_sends_it_once(
    client, make_tenant, pipeline, emulators, sessions
):
    operator = make_tenant(platforms=("linkedin",), scope=KeyScope.OPERATOR)
    application = applied_on(client, operator, sessions, emulators, "linkedin")
    emulators.linkedin.set_faults({"server_error": {"times": 10_000, "on": "status", "status": 503}})

    assert (
        client.post(status_url(application.id), json={"status": "viewed"}, headers=operator.headers).status_code == 202
    )
    [update] = forwarded(client, operator, application.id, "linkedin", "failed")["status_updates"]
    assert "503" in update["error"] and update["attempts"] == 5
    emulators.linkedin.clear_faults()

    failures = client.get("/jobs/publishing/failures/status-updates/", headers=operator.headers).json()["items"]
    assert [(f["status_update_id"], f["status"], f["platform"]) for f in failures] == [
        (update["id"], "viewed", "linkedin")
    ]
    replay = "/jobs/publishing/failures/status-updates/replay/"
    done = client.post(
        replay, json={"status_update_ids": [update["id"]], "why": "outage over"}, headers=operator.headers
    )
    assert done.json() == {"matched": 1, "replayed": 1, "skipped": 0}
    forwarded(client, operator, application.id, "linkedin", "sent")
    assert (
        client.post(replay, json={"status_update_ids": [update["id"]]}, headers=operator.headers).json()["replayed"]
        == 0
    )
    assert len(emulators.linkedin.received_statuses(operator.clients["linkedin"][0])) == 1
    assert client.get("/jobs/publishing/failures/status-updates/", headers=operator.headers).json()["items"] == []


def test_a_status_whose_message_was_lost_is_forwarded_again_by_recovery(
    client, boards_tenant, pipeline, emulators, sessions
):
    application = applied_on(client, boards_tenant, sessions, emulators, "indeed")
    client.post(status_url(application.id), json={"status": "viewed"}, headers=boards_tenant.headers)
    [update] = forwarded(client, boards_tenant, application.id, "indeed", "sent")["status_updates"]
    # As if the message had vanished with Redis before any worker took it: waiting, and long quiet.
    with unit_of_work(sessions) as session:
        row = session.get(ApplicationStatusUpdate, update["id"])
        row.forward_state, row.updated_at = "pending", datetime.now(UTC) - timedelta(minutes=10)

    with unit_of_work(sessions) as session:
        assert recover_stalled(session, stalled_after=60) >= 1
    forwarded(client, boards_tenant, application.id, "indeed", "sent")
    assert len(emulators.indeed.received_statuses(boards_tenant.clients["indeed"][0])) == 2
    replays = [
        row.payload for row in log_of(sessions, application.job_id) if row.event_type == "ApplicationStatusReplayed"
    ]
    assert [(r["by"], r["status_update_id"]) for r in replays] == [("recovery", update["id"])]


def test_an_operator_lists_a_failed_status_and_forwards_it_again_from_the_command_line(
    client, boards_tenant, pipeline, emulators, sessions, settings
):
    application = applied_on(client, boards_tenant, sessions, emulators, "indeed")
    emulators.indeed.set_faults({"server_error": {"times": 10_000, "on": "status", "status": 503}})
    client.post(status_url(application.id), json={"status": "hired"}, headers=boards_tenant.headers)
    [update] = forwarded(client, boards_tenant, application.id, "indeed", "failed")["status_updates"]
    emulators.indeed.clear_faults()

    listed = jobpub(settings, "failures", "statuses", "--organization", boards_tenant.name)
    assert listed.returncode == 0 and "1 failed" in listed.stderr, listed.stderr
    [line] = listed.stdout.splitlines()
    assert line.split()[0] == str(update["id"]) and "hired" in line and "503" in line
    replayed = jobpub(settings, "failures", "replay-statuses", str(update["id"]), "--why", "outage over")
    assert replayed.returncode == 0 and "replayed 1" in replayed.stdout, replayed.stderr
    forwarded(client, boards_tenant, application.id, "indeed", "sent")
    again = jobpub(settings, "failures", "replay-statuses", str(update["id"]))
    assert "replayed 0, no longer failed 1" in again.stdout
    assert len(emulators.indeed.received_statuses(boards_tenant.clients["indeed"][0])) == 1


def test_the_same_status_told_twice_at_once_is_stored_and_sent_once(
    client, boards_tenant, pipeline, emulators, sessions
):
    application = applied_on(client, boards_tenant, sessions, emulators, "linkedin")
    start = threading.Barrier(2)

    def tell() -> bool:
        start.wait()
        with unit_of_work(sessions) as session:
            locked = locked_application(session, boards_tenant.id, application.id)
            assert locked is not None
            return record_status(session, locked, "viewed", None, by="test").created

    with ThreadPoolExecutor(2) as pool:
        created = sorted(pool.map(lambda _: tell(), range(2)))
    assert created == [False, True]
    forwarded(client, boards_tenant, application.id, "linkedin", "sent")
    assert len(emulators.linkedin.received_statuses(boards_tenant.clients["linkedin"][0])) == 1


def test_an_access_request_shows_the_statuses_held_of_the_persons_applications(
    client, make_tenant, pipeline, emulators, sessions
):
    operator = make_tenant(platforms=("naukri",), scope=KeyScope.OPERATOR)
    application = applied_on(client, operator, sessions, emulators, "naukri")
    client.post(status_url(application.id), json={"status": "rejected", "at": AT.isoformat()}, headers=operator.headers)

    exported = client.get(
        "/jobs/publishing/privacy/candidates/", params={"email": application.candidate_email}, headers=operator.headers
    )
    assert exported.status_code == 200, exported.text
    [held] = exported.json()["applications"]
    assert [(u["status"], u["at"][:19], u["forward_state"]) for u in held["status_updates"]] == [
        ("rejected", "2026-11-30T09:15:00", "not_supported")
    ]
