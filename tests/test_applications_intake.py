"""Applications that arrive on their own: LinkedIn's signed webhook pushes, Naukri's CSV drops,
and the operator's `jobpub sync-applications` command (run as a real subprocess)."""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from shared.models import Application, PublishingLog
from tests.conftest import settings_env, wait_for_syncs_to_settle
from tests.test_applications_sync import applications_of, published_on, received_in_the_log

WEBHOOK = "/jobs/publishing/webhooks/linkedin/applications/"
JOBPUB = str(Path(sys.executable).parent / "jobpub")


def signed(body: bytes, secret: str) -> dict:
    return {"X-LI-Signature": "hmacsha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}


def linkedin_payload(external_id: str, number: int = 9001) -> dict:
    return {
        "jobApplicationId": f"urn:li:jobApplication:{number}",
        "externalJobId": external_id,
        "appliedAt": 1_764_000_000_000,
        "candidate": {"firstName": "Meera", "lastName": "Iyer", "email": "meera@candidates.example"},
        "resume": {"mediaUrl": "https://media.example/resume.pdf"},
    }


def test_an_application_linkedin_delivers_six_times_is_stored_once(client, tenant, pipeline, emulators, sessions):
    job_id, external_id = published_on(client, tenant, sessions, "linkedin")
    emulators.linkedin.set_faults({"duplicate_deliveries": {"times": 1, "copies": 6}})
    [application] = emulators.linkedin.apply(external_id, client_id=tenant.clients["linkedin"][0])
    assert emulators.linkedin.wait_for_webhooks(20)

    deliveries = [
        d for d in emulators.linkedin.webhook_deliveries() if d["application_id"] == application["jobApplicationId"]
    ]
    assert len(deliveries) == 6 and {d["status"] for d in deliveries} == {200}
    [stored] = applications_of(sessions, job_id)
    assert stored.external_application_id == application["jobApplicationId"]
    assert stored.source == "LinkedIn apply" and stored.organization_id == tenant.id
    contact = application["questionResponses"]["contactInformationQuestionResponses"]
    assert stored.candidate_name == f"{contact['firstNameAnswer']['value']} {contact['lastNameAnswer']['value']}"
    assert stored.candidate_email == contact["emailAnswer"]["value"] and stored.candidate_phone.startswith("+91 ")
    assert stored.resume_url.endswith(".pdf") and stored.answers == {
        "years-of-python": stored.answers["years-of-python"]
    }
    with sessions() as session:
        received = session.scalars(
            select(PublishingLog.event_type).where(
                PublishingLog.job_id == job_id, PublishingLog.event_type == "ApplicationReceived"
            )
        ).all()
    assert len(received) == 1


def documented_payload(external_id: str, number: int) -> dict:
    """An application in the shape Apply Connect documents (shared/platforms/linkedin_applications.py)."""
    return {
        "jobApplicationId": f"urn:li:jobApplication:{number}",
        "externalJobId": external_id,
        "appliedAt": 1_764_000_000_000,
        "questionResponses": {
            "contactInformationQuestionResponses": {
                "firstNameAnswer": {"value": "Meera"},
                "lastNameAnswer": {"value": "Iyer"},
                "emailAnswer": {"value": "meera@candidates.example"},
                "cellphoneNumberQuestionAnswer": {"countryCode": "91", "nationalNumber": "9876543210"},
            },
            "resumeQuestionResponses": {"resumeQuestionAnswer": {"mediaUrl": "https://media.example/meera.pdf"}},
            "coverLetterQuestionResponses": {"textCoverLetterQuestionAnswer": {"answer": {"value": "Dear team"}}},
            "additionalQuestionResponses": {
                "customQuestionSetResponses": [
                    {
                        "customQuestionResponses": [
                            {"questionIdentifier": "years-of-python", "answer": {"textAnswerValue": {"value": "6"}}},
                            {
                                "questionIdentifier": "work-authorization",
                                "answer": {"multipleChoiceAnswerValue": {"symbolicNames": ["YES"]}},
                            },
                        ]
                    }
                ]
            },
        },
    }


def test_a_signed_push_in_linkedins_documented_shape_stores_the_candidates_answers(client, tenant, pipeline, sessions):
    job_id, external_id = published_on(client, tenant, sessions, "linkedin")
    body = json.dumps(documented_payload(external_id, number=9004)).encode()
    answer = client.post(WEBHOOK, content=body, headers=signed(body, tenant.clients["linkedin"][1]))
    assert answer.status_code == 200 and answer.json()["status"] == "stored", answer.text

    [stored] = applications_of(sessions, job_id)
    assert (stored.candidate_name, stored.candidate_email, stored.candidate_phone) == (
        "Meera Iyer",
        "meera@candidates.example",
        "+91 9876543210",
    )
    assert (stored.resume_url, stored.cover_letter) == ("https://media.example/meera.pdf", "Dear team")
    assert stored.answers == {"years-of-python": "6", "work-authorization": ["YES"]}
    listed = client.get("/jobs/publishing/applications/", params={"job_id": job_id}, headers=tenant.headers).json()
    assert [(a["candidate_name"], a["candidate_email"]) for a in listed["items"]] == [
        ("Meera Iyer", "meera@candidates.example")
    ]


def test_an_unsigned_tampered_or_wrongly_signed_delivery_is_refused_and_stores_nothing(
    client, make_tenant, pipeline, sessions
):
    tenant, other = make_tenant(), make_tenant()
    job_id, external_id = published_on(client, tenant, sessions, "linkedin")
    body = json.dumps(linkedin_payload(external_id)).encode()
    secret = tenant.clients["linkedin"][1]
    tampered = body.replace(b"Meera", b"Mallory")
    refused = [
        client.post(WEBHOOK, content=body),  # unsigned
        client.post(WEBHOOK, content=body, headers=signed(body, "not-the-secret")),
        client.post(WEBHOOK, content=body, headers=signed(body, other.clients["linkedin"][1])),  # another org's app
        client.post(WEBHOOK, content=tampered, headers=signed(body, secret)),
        client.post(WEBHOOK, content=body, headers={"X-LI-Signature": "hmacsha256=" + "0" * 64}),
    ]
    assert [answer.status_code for answer in refused] == [401] * 5
    assert applications_of(sessions, job_id) == []

    accepted = client.post(WEBHOOK, content=body, headers=signed(body, secret))
    assert accepted.status_code == 200 and accepted.json()["status"] == "stored"
    again = client.post(WEBHOOK, content=body, headers=signed(body, secret))
    assert again.status_code == 200 and again.json()["status"] == "already stored"
    assert [a.candidate_name for a in applications_of(sessions, job_id)] == ["Meera Iyer"]


def test_linkedins_challenge_validation_of_the_webhook_url_is_answered(tenant, pipeline, emulators, live_api):
    client_id = tenant.clients["linkedin"][0]
    answer = emulators.linkedin.validate_webhook(live_api.url + WEBHOOK, client_id)
    assert answer.status_code == 200
    code = answer.request.url.params["challengeCode"]
    assert answer.json()["challengeResponse"] == emulators.linkedin.expected_challenge_response(code, client_id)


def jobpub(settings, *args: str) -> subprocess.CompletedProcess:
    env = settings_env(settings, log_level="WARNING")
    return subprocess.run([JOBPUB, *args], env=env, capture_output=True, text=True, timeout=60)


def test_the_sync_command_previews_with_dry_run_stores_for_real_and_fails_loudly(
    client, make_tenant, pipeline, emulators, sessions, settings
):
    tenant = make_tenant(platforms=("naukri",))
    job_id, external_id = published_on(client, tenant, sessions, "naukri")
    emulators.naukri.apply(external_id, count=4, client_id=tenant.clients["naukri"][0])
    command = ("sync-applications", "--organization", tenant.name, "--platform", "naukri")

    preview = jobpub(settings, *command, "--dry-run")
    assert preview.returncode == 0, preview.stderr
    assert "would store 4" in preview.stdout
    assert applications_of(sessions, job_id) == []

    real = jobpub(settings, *command)
    assert real.returncode == 0, real.stderr
    assert "stored 4" in real.stdout
    assert len(applications_of(sessions, job_id)) == 4

    wait_for_syncs_to_settle(sessions)
    emulators.naukri.set_faults({"server_error": {"times": 10, "status": 503, "on": "applications"}})
    broken = jobpub(settings, *command)
    assert broken.returncode == 1
    assert "Naukri answered 503" in broken.stderr


def test_a_naukri_csv_import_stores_the_good_rows_and_reports_bad_ones_by_line(
    client, make_tenant, pipeline, sessions, settings, tmp_path
):
    tenant = make_tenant(platforms=("naukri",))
    job_id, reference = published_on(client, tenant, sessions, "naukri")
    drop = tmp_path / "naukri-applications.csv"
    drop.write_text(
        "application_id,job_reference,candidate_name,email,phone,applied_at\n"
        f"CSV-1,{reference},Asha Rao,asha@candidates.example,+91 98000 00001,2026-11-20T10:00:00+05:30\n"
        f"CSV-2,{reference},,nobody@candidates.example,,2026-11-20T11:00:00Z\n"
        f"CSV-3,{reference},Ravi Kumar,ravi@candidates.example,,yesterday\n"
        "CSV-4,jobpub-0-unknown,Uma Shah,uma@candidates.example,,2026-11-20T12:00:00Z\n"
        f"CSV-5,{reference},Dev Patel,not-an-email,,2026-11-20T12:00:00Z\n"
        f"CSV-6,{reference},Kiran Das,kiran@candidates.example,,2026-11-21\n"
    )
    first = jobpub(settings, "import-applications", "naukri", str(drop), "--organization", tenant.name)
    assert first.returncode == 1
    for line, problem in ((3, "candidate_name"), (4, "applied_at"), (5, "reference"), (6, "email")):
        assert (
            f"{drop}:{line}: " in first.stderr and problem in first.stderr.split(f"{drop}:{line}: ")[1].splitlines()[0]
        )
    assert "stored 2" in first.stdout
    stored = applications_of(sessions, job_id)
    assert sorted((a.external_application_id, a.source) for a in stored) == [
        ("CSV-1", "Naukri CSV"),
        ("CSV-6", "Naukri CSV"),
    ]

    received = received_in_the_log(client, tenant, job_id)
    assert sorted((e["external_application_id"], e["source"]) for e in received) == [
        ("CSV-1", "Naukri CSV"),
        ("CSV-6", "Naukri CSV"),
    ]

    again = jobpub(settings, "import-applications", "naukri", str(drop), "--organization", tenant.name)
    assert "stored 0, already stored 2" in again.stdout
    assert len(applications_of(sessions, job_id)) == 2
    assert len(received_in_the_log(client, tenant, job_id)) == 2
    missing = jobpub(
        settings, "import-applications", "naukri", str(tmp_path / "nope.csv"), "--organization", tenant.name
    )
    assert missing.returncode != 0 and "nope.csv" in missing.stderr


def test_a_webhook_delivery_for_a_job_nobody_published_is_refused(client, pipeline, sessions):
    body = json.dumps(linkedin_payload("jobpub-0-never-published", number=9002)).encode()
    answer = client.post(WEBHOOK, content=body, headers=signed(body, "whatever"))
    assert answer.status_code == 401
    with sessions() as session:
        assert session.scalar(select(Application).where(Application.external_application_id.like("%:9002"))) is None
    # A NUL names no posting (PostgreSQL text holds none): a 422 naming the field, not a 500.
    nul = json.dumps(linkedin_payload("jobpub-0-\x00", number=9003)).encode()
    answer = client.post(WEBHOOK, content=nul, headers=signed(nul, "whatever"))
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["body", "externalJobId"]
    answer = client.get(WEBHOOK, params={"challengeCode": "c", "clientId": "x\x00"})
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["query", "clientId"]


def test_a_pushed_application_with_a_nul_character_is_stored_without_it(client, tenant, pipeline, sessions):
    job_id, external_id = published_on(client, tenant, sessions, "linkedin")
    payload = linkedin_payload(external_id, number=9003)
    payload["candidate"]["lastName"] = "Iy\u0000er"
    payload["coverLetter"] = "Hello\u0000 there"
    body = json.dumps(payload).encode()
    answer = client.post(WEBHOOK, content=body, headers=signed(body, tenant.clients["linkedin"][1]))
    assert answer.status_code == 200, answer.text
    [stored] = applications_of(sessions, job_id)
    assert (stored.candidate_name, stored.cover_letter) == ("Meera Iyer", "Hello there")


def test_a_csv_import_keeps_its_good_rows_whatever_the_bad_ones_hold(
    client, make_tenant, pipeline, sessions, settings, tmp_path
):
    tenant = make_tenant(platforms=("naukri",))
    job_id, reference = published_on(client, tenant, sessions, "naukri")
    drop = tmp_path / "hostile.csv"
    drop.write_text(
        "application_id,job_reference,candidate_name,email,applied_at,cover_letter\n"
        f"OK-1,{reference},Asha Rao,asha@candidates.example,2026-11-20T10:00:00Z,\n"
        f"EDGE-1,{reference},Ravi Kumar,ravi@candidates.example,9999-12-31T23:59:59-05:00,\n"
        f"EDGE-2,{reference},Uma Shah,uma@candidates.example,0001-01-01T00:00:00+05:30,\n"
        f"LONG-1,{reference},Dev Patel,dev@candidates.example,2026-11-20T10:00:00Z,{'x' * 131_073}\n"
        f"LONG-2,{reference},{'N' * 400},n@candidates.example,2026-11-20T10:00:00Z,\n"
        f'QUOTE-1,{reference},"Kiran Das,kiran@candidates.example,2026-11-20T10:00:00Z,\n'
        f'OK-2,{reference},Meera Iyer,meera@candidates.example,2026-11-21T09:00:00Z,"two\nlines"\n'
        f"OK-3,{reference},Tara Sen,tara@candidates.example,2026-11-22T09:00:00Z,\n"
    )
    run = jobpub(settings, "import-applications", "naukri", str(drop), "--organization", tenant.name)
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    problems = {int(line.split(":")[1]): line for line in run.stderr.splitlines() if line.startswith(f"{drop}:")}
    assert sorted(problems) == [3, 4, 5, 6, 7]
    assert "applied_at" in problems[3] and "applied_at" in problems[4]
    assert "cover_letter is over 100,000 characters" in problems[5]
    assert "candidate_name is over 300 characters" in problems[6]
    assert "not CSV" in problems[7]
    assert "stored 3" in run.stdout
    stored = applications_of(sessions, job_id)
    assert sorted(a.external_application_id for a in stored) == ["OK-1", "OK-2", "OK-3"]
    assert [a.cover_letter for a in stored if a.external_application_id == "OK-2"] == ["two\nlines"]
