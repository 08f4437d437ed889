"""Indeed as a third platform: a job published through the API and the pipeline reaches it beside
LinkedIn and Naukri, and Indeed Apply's signed applications are stored once each."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from shared.models import PublishingLog
from tests.conftest import held_on, postings_of
from tests.support import publish, settled_status, wait_until
from tests.test_applications_sync import applications_of, published_on

INDEED_APPLY = "/jobs/publishing/webhooks/indeed/applications/"
THREE_BOARDS = ["linkedin", "naukri", "indeed"]


@pytest.fixture
def indeed_tenant(make_tenant):
    return make_tenant(platforms=tuple(THREE_BOARDS))


def indeed_signature(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha1).digest()).decode()


def indeed_application(external_id: str, application_id: str = "ia-0001") -> bytes:
    payload = {
        "id": application_id,
        "appliedOnMillis": 1_764_000_000_000,
        "job": {"jobId": external_id, "jobTitle": "Backend Engineer"},
        "applicant": {"fullName": "Meera Iyer", "email": "meera@candidates.example", "phoneNumber": "+91 98765"},
    }
    return json.dumps(payload).encode()


def test_a_job_published_to_linkedin_naukri_and_indeed_ends_published_on_each(
    client, indeed_tenant, pipeline, emulators, sessions
):
    job_id = publish(client, indeed_tenant, platforms=THREE_BOARDS)

    status = settled_status(client, indeed_tenant, job_id)
    assert {name: status["platforms"][name]["status"] for name in THREE_BOARDS} == dict.fromkeys(
        THREE_BOARDS, "published"
    )
    [held] = held_on(emulators, sessions, job_id, "indeed")
    posting = postings_of(sessions, job_id)["indeed"]
    assert held["status"] == "ACTIVE" and posting.platform_job_id == held["jobKey"]
    # Indeed Apply will post applications to our webhook, naming our id for the job.
    assert held["metadata"]["indeedApply"]["postUrl"].endswith(INDEED_APPLY)
    assert held["metadata"]["indeedApply"]["jobId"] == posting.external_id


def test_an_indeed_apply_application_sent_twice_is_stored_once_and_notified_once(
    client, indeed_tenant, pipeline, sessions
):
    job_id, external_id = published_on(client, indeed_tenant, sessions, "indeed")
    body = indeed_application(external_id)
    headers = {"X-Indeed-Signature": indeed_signature(body, indeed_tenant.clients["indeed"][1])}

    answers = [client.post(INDEED_APPLY, content=body, headers=headers) for _ in range(2)]

    assert [a.status_code for a in answers] == [200, 200]
    assert [a.json()["status"] for a in answers] == ["stored", "already stored"]
    [stored] = applications_of(sessions, job_id)
    assert stored.source == "Indeed apply" and stored.external_application_id == "ia-0001"
    assert stored.candidate_name == "Meera Iyer" and stored.candidate_email == "meera@candidates.example"
    with sessions() as session:
        received = session.query(PublishingLog).filter_by(job_id=job_id, event_type="ApplicationReceived").count()
    assert received == 1


@pytest.mark.parametrize(
    "signature",
    ["wrong-secret", "", "not base64!", "sïgnature"],
    ids=["another-secret", "missing", "malformed", "non-ascii"],
)
def test_an_indeed_apply_application_that_does_not_verify_is_refused_and_not_stored(
    signature, client, indeed_tenant, pipeline, sessions
):
    job_id, external_id = published_on(client, indeed_tenant, sessions, "indeed")
    body = indeed_application(external_id)
    value = indeed_signature(body, "another-secret") if signature == "wrong-secret" else signature
    headers = {"X-Indeed-Signature": value.encode("utf-8")} if value else {}  # bytes: a non-ASCII header too

    answer = client.post(INDEED_APPLY, content=body, headers=headers)

    assert answer.status_code == 401 and "X-Indeed-Signature" in answer.json()["detail"]
    assert applications_of(sessions, job_id) == []


def test_a_candidate_applying_on_the_indeed_emulator_reaches_the_job_through_the_signed_push(
    client, indeed_tenant, pipeline, emulators, sessions
):
    job_id, external_id = published_on(client, indeed_tenant, sessions, "indeed")

    [made] = emulators.indeed.apply(external_id, client_id=indeed_tenant.clients["indeed"][0])

    [stored] = wait_until(lambda: applications_of(sessions, job_id), what="the pushed application")
    assert stored.external_application_id == made["id"] and stored.source == "Indeed apply"
    assert [d["status"] for d in emulators.indeed.deliveries() if d["application"] == made["id"]] == [200]


def test_an_indeed_apply_application_signed_by_another_organization_is_refused(
    client, indeed_tenant, make_tenant, pipeline, sessions
):
    job_id, external_id = published_on(client, indeed_tenant, sessions, "indeed")
    stranger = make_tenant(platforms=("indeed",))
    body = indeed_application(external_id)

    answer = client.post(
        INDEED_APPLY,
        content=body,
        headers={"X-Indeed-Signature": indeed_signature(body, stranger.clients["indeed"][1])},
    )

    assert answer.status_code == 401
    assert applications_of(sessions, job_id) == []
