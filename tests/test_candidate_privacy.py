"""Candidates' personal data: a person's applications erased on request (API and command) and
handed out on request, within one organization only, with nothing of the person left anywhere."""

from __future__ import annotations

import json
import secrets
import subprocess

from sqlalchemy import select, text

from shared.db import unit_of_work
from shared.events import ApplicationSyncFailed
from shared.models import Application, KeyScope, NotificationDelivery, PublishingLog, SyncRun
from shared.outbox import record
from tests.support import wait_until
from tests.test_applications_intake import WEBHOOK, jobpub, signed
from tests.test_applications_sync import published_on

ERASURES = "/jobs/publishing/privacy/erasures/"
CANDIDATES = "/jobs/publishing/privacy/candidates/"
MEERA = "meera.iyer@candidates.example"


def push(client, tenant, external_id: str, number: int, email: str, first: str = "Meera") -> dict:
    """LinkedIn pushes an application to the tenant's posting, signed as LinkedIn signs it."""
    payload = {
        "jobApplicationId": f"urn:li:jobApplication:{number}",
        "externalJobId": external_id,
        "appliedAt": 1_764_000_000_000,
        "candidate": {"firstName": first, "lastName": "Iyer", "email": email, "phoneNumber": "+91 98000 12345"},
        "resume": {"mediaUrl": f"https://media.example/{first.lower()}-resume.pdf"},
        "coverLetter": "I would love to build your publishing pipeline.",
        "questionAnswers": [{"question": "Notice period?", "answer": "30 days"}],
    }
    body = json.dumps(payload).encode()
    answer = client.post(WEBHOOK, content=body, headers=signed(body, tenant.clients["linkedin"][1]))
    assert answer.status_code == 200, answer.text
    return {"body": body, "status": answer.json()["status"]}


def held(sessions, organization_id: int) -> list[Application]:
    with sessions() as session:
        query = select(Application).where(Application.organization_id == organization_id)
        return list(session.scalars(query.order_by(Application.id)))


def rows_quoting(sessions, needle: str) -> list[dict]:
    """Every row of every table whose text holds `needle` (any case): what a pg_dump would show."""
    with sessions() as session:
        tables = session.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).all()
        found = []
        for table in tables:
            query = text(f'SELECT to_jsonb(t) FROM "{table}" AS t WHERE lower(t::text) LIKE :needle')
            found += [{"table": table, **row} for row in session.scalars(query, {"needle": f"%{needle.lower()}%"})]
    return found


def of_the_owner(rows: list[dict], owner) -> list[dict]:
    """The rows that are the owner's, or no organization's (this run's database holds other tests' tenants)."""
    return [row for row in rows if row.get("organization_id", owner.id) == owner.id]


def erasure_events(sessions, organization_id: int) -> list[dict]:
    with sessions() as session:
        query = select(PublishingLog.payload).where(
            PublishingLog.organization_id == organization_id, PublishingLog.event_type == "ApplicationsErased"
        )
        return list(session.scalars(query.order_by(PublishingLog.id)))


def an_endpoint(client, tenant) -> None:
    """A notification endpoint, so each pushed application is also an `application.received` delivery."""
    answer = client.post(
        "/jobs/publishing/notifications/", json={"url": "http://127.0.0.1:9/hook"}, headers=tenant.headers
    )
    assert answer.status_code == 201, answer.text


def test_an_erased_person_is_nowhere_in_the_database_and_their_application_pushed_again_is_not_stored(
    client, make_tenant, pipeline, sessions
):
    # Given a person with two applications (their e-mail in two cases), a copy of it in a pull's
    # error and its event, a notification naming them, and another organization holding the same e-mail
    owner, other = make_tenant(scope=KeyScope.OPERATOR), make_tenant(scope=KeyScope.OPERATOR)
    an_endpoint(client, owner)
    _, external_id = published_on(client, owner, sessions, "linkedin")
    _, others_external_id = published_on(client, other, sessions, "linkedin")
    first = push(client, owner, external_id, 7001, MEERA)
    push(client, owner, external_id, 7002, MEERA.upper())
    push(client, owner, external_id, 7003, "ravi@candidates.example", first="Ravi")
    push(client, other, others_external_id, 7001, MEERA)
    error = f"Naukri refused the request (400): candidate {MEERA} is blocked"
    with unit_of_work(sessions) as session:
        run = SyncRun(organization_id=owner.id, platform="naukri", trigger="cli", status="failed", error=error)
        session.add(run)
        session.flush()
        failed = ApplicationSyncFailed(
            organization_id=owner.id, sync_id=run.id, platform="naukri", error=error, fetched=0, new=0, duplicates=0
        )
        record(session, failed)
    wait_until(lambda: len(deliveries_of(sessions, owner.id)) == 3, what="the three application.received deliveries")

    # When an operator erases the person by e-mail, in yet another case
    answer = client.post(
        ERASURES,
        json={"email": " Meera.Iyer@Candidates.Example ", "reason": f"ticket 42 from {MEERA}"},
        headers=owner.headers,
    )

    # Then both applications are tombstones, the other candidate and organization are untouched
    assert answer.status_code == 200, answer.text
    assert answer.json()["matched"] == 2 and answer.json()["erased"] == 2 and answer.json()["dry_run"] is False
    meera_1, meera_2, ravi = held(sessions, owner.id)
    for tombstone in (meera_1, meera_2):
        assert tombstone.erased_at is not None and tombstone.candidate_name == "erased" and tombstone.raw == {}
        assert (tombstone.candidate_email, tombstone.candidate_phone, tombstone.resume_url) == (None, None, None)
        assert (tombstone.cover_letter, tombstone.answers) == (None, None)
    assert ravi.erased_at is None and ravi.candidate_email == "ravi@candidates.example"
    [others] = held(sessions, other.id)
    assert others.erased_at is None and others.candidate_email == MEERA and others.candidate_name == "Meera Iyer"
    # and the e-mail and name are nowhere in the database but in other organizations' rows
    for needle in (MEERA, "Meera"):
        assert of_the_owner(rows_quoting(sessions, needle), owner) == []
    # and the erasure is an event naming the key and the reason, with the count and ids, never the e-mail
    [event] = erasure_events(sessions, owner.id)
    assert event["cause"] == "request" and event["count"] == 2 and event["reason"] == "ticket 42 from [erased]"
    assert event["by"].startswith("api key ") and event["application_ids"] == [meera_1.id, meera_2.id]

    # When LinkedIn pushes the erased application again, through the real webhook
    again = client.post(WEBHOOK, content=first["body"], headers=signed(first["body"], owner.clients["linkedin"][1]))

    # Then it is recognised and not stored again
    assert again.status_code == 200 and again.json()["status"] == "already stored"
    assert [a.candidate_name for a in held(sessions, owner.id)] == ["erased", "erased", "Ravi Iyer"]
    assert of_the_owner(rows_quoting(sessions, MEERA), owner) == []
    # and erasing again finds nobody: nothing changes, no event
    twice = client.post(ERASURES, json={"email": MEERA, "reason": "ticket 42"}, headers=owner.headers)
    assert twice.json()["erased"] == 0 and len(erasure_events(sessions, owner.id)) == 1


def deliveries_of(sessions, organization_id: int) -> list[NotificationDelivery]:
    """The organization's `application.received` deliveries."""
    with sessions() as session:
        query = select(NotificationDelivery).where(
            NotificationDelivery.organization_id == organization_id,
            NotificationDelivery.event_type == "application.received",
        )
        return list(session.scalars(query.order_by(NotificationDelivery.id)))


def test_erasure_by_application_id_knows_only_the_callers_applications_and_a_dry_run_changes_nothing(
    client, make_tenant, pipeline, sessions
):
    owner, other = make_tenant(scope=KeyScope.OPERATOR), make_tenant(scope=KeyScope.OPERATOR)
    recruiter = make_tenant(scope=KeyScope.RECRUITER)
    _, external_id = published_on(client, owner, sessions, "linkedin")
    _, others_external_id = published_on(client, other, sessions, "linkedin")
    push(client, owner, external_id, 7101, MEERA)
    push(client, other, others_external_id, 7102, "asha@candidates.example", first="Asha")
    [mine], [theirs] = held(sessions, owner.id), held(sessions, other.id)

    stranger = client.post(ERASURES, json={"application_ids": [theirs.id], "reason": "r"}, headers=owner.headers)
    nobody = client.post(ERASURES, json={"reason": "no one named"}, headers=owner.headers)
    no_reason = client.post(ERASURES, json={"application_ids": [mine.id]}, headers=owner.headers)
    forbidden = client.post(ERASURES, json={"application_ids": [mine.id], "reason": "r"}, headers=recruiter.headers)
    dry = client.post(
        ERASURES, json={"application_ids": [mine.id], "reason": "r", "dry_run": True}, headers=owner.headers
    )

    assert stranger.status_code == 422 and stranger.json()["detail"][0]["loc"] == ["body", "application_ids", 0]
    assert "asha" not in stranger.text.lower()
    assert nobody.status_code == 422 and "email, application_ids" in nobody.text
    assert no_reason.status_code == 422 and no_reason.json()["detail"][0]["loc"] == ["body", "reason"]
    assert forbidden.status_code == 403
    assert dry.json() == {"matched": 1, "erased": 0, "application_ids": [mine.id], "dry_run": True}
    assert held(sessions, owner.id)[0].candidate_email == MEERA and erasure_events(sessions, owner.id) == []
    assert held(sessions, other.id)[0].erased_at is None

    real = client.post(ERASURES, json={"application_ids": [mine.id], "reason": "r"}, headers=owner.headers)
    assert real.json() == {"matched": 1, "erased": 1, "application_ids": [mine.id], "dry_run": False}
    assert held(sessions, owner.id)[0].erased_at is not None and held(sessions, other.id)[0].erased_at is None


def test_an_export_returns_everything_held_about_the_person_and_nothing_of_another_organization(
    client, make_tenant, pipeline, sessions
):
    owner, other = make_tenant(scope=KeyScope.OPERATOR), make_tenant(scope=KeyScope.OPERATOR)
    an_endpoint(client, owner)
    _, external_id = published_on(client, owner, sessions, "linkedin")
    _, others_external_id = published_on(client, other, sessions, "linkedin")
    push(client, owner, external_id, 7201, MEERA)
    push(client, owner, external_id, 7202, "ravi@candidates.example", first="Ravi")
    push(client, other, others_external_id, 7203, MEERA)
    wait_until(lambda: len(deliveries_of(sessions, owner.id)) == 2, what="the deliveries")

    answer = client.get(CANDIDATES, params={"email": MEERA.upper(), "reason": "ticket 7"}, headers=owner.headers)

    assert answer.status_code == 200, answer.text
    [application] = answer.json()["applications"]
    assert application["external_application_id"] == "urn:li:jobApplication:7201"
    assert application["candidate_name"] == "Meera Iyer" and application["candidate_phone"] == "+91 98000 12345"
    assert application["answers"] == [{"question": "Notice period?", "answer": "30 days"}]
    assert application["raw"]["coverLetter"].startswith("I would love")
    [delivery] = answer.json()["notification_deliveries"]
    assert delivery["payload"]["data"]["candidate_name"] == "Meera Iyer"
    assert "Ravi" not in answer.text and "7203" not in answer.text
    with sessions() as session:
        [event] = session.scalars(
            select(PublishingLog.payload).where(
                PublishingLog.organization_id == owner.id, PublishingLog.event_type == "CandidateDataExported"
            )
        ).all()
    assert event["applications"] == 1 and event["notification_deliveries"] == 1 and event["reason"] == "ticket 7"
    assert MEERA not in json.dumps(event).lower()
    # The other organization asking for the same e-mail sees only its own application
    theirs = client.get(CANDIDATES, params={"email": MEERA}, headers=other.headers).json()
    assert [a["external_application_id"] for a in theirs["applications"]] == ["urn:li:jobApplication:7203"]
    assert theirs["notification_deliveries"] == []


def test_the_candidates_command_previews_erases_and_exports_one_person(
    client, make_tenant, pipeline, sessions, settings
):
    owner = make_tenant(scope=KeyScope.OPERATOR)
    _, external_id = published_on(client, owner, sessions, "linkedin")
    push(client, owner, external_id, 7301, MEERA)
    push(client, owner, external_id, 7302, "ravi@candidates.example", first="Ravi")
    [meera, ravi] = held(sessions, owner.id)
    where = ("--organization", owner.name)

    exported = jobpub(settings, "candidates", "export", *where, "--email", MEERA.upper())
    assert exported.returncode == 0, exported.stderr
    assert [a["id"] for a in json.loads(exported.stdout)["applications"]] == [meera.id]

    preview = jobpub(settings, "candidates", "erase", *where, "--email", MEERA, "--reason", "ticket 9", "--dry-run")
    assert preview.returncode == 0, preview.stderr
    assert f"would erase 1 application(s) in {owner.name}: {meera.id}" in preview.stdout
    assert held(sessions, owner.id)[0].candidate_email == MEERA and erasure_events(sessions, owner.id) == []

    unknown = jobpub(settings, "candidates", "erase", *where, "--application-id", "999999999", "--reason", "r")
    assert unknown.returncode == 2 and unknown.stderr.strip() == f"error: no application 999999999 in {owner.name}"
    nobody = jobpub(settings, "candidates", "erase", *where, "--reason", "r")
    assert nobody.returncode == 2 and "--email" in nobody.stderr

    erased = jobpub(
        settings, "candidates", "erase", *where, "--email", MEERA, "--application-id", str(ravi.id),
        "--reason", "ticket 9", "--by", "dpo-anna",
    )  # fmt: skip
    assert erased.returncode == 0, erased.stderr
    assert f"erased 2 application(s) in {owner.name}: {meera.id}, {ravi.id}" in erased.stdout
    assert all(a.erased_at is not None for a in held(sessions, owner.id))
    [event] = erasure_events(sessions, owner.id)
    assert event["by"] == "dpo-anna" and event["reason"] == "ticket 9" and event["count"] == 2
    assert MEERA not in erased.stdout + erased.stderr


def pg_dump(database_url: str) -> str:
    """The database as `pg_dump` writes it, data and all: what a backup taken now would hold."""
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    dumped = subprocess.run(["pg_dump", "--data-only", url], capture_output=True, text=True, timeout=120, check=True)
    return dumped.stdout.lower()


def test_after_an_erasure_a_pg_dump_of_the_database_holds_the_canary_email_nowhere(
    client, make_tenant, pipeline, sessions, database_url
):
    # Given a candidate with a unique e-mail, pushed twice (so also in two notification deliveries)
    owner = make_tenant(scope=KeyScope.OPERATOR)
    an_endpoint(client, owner)
    _, external_id = published_on(client, owner, sessions, "linkedin")
    canary = f"canary-{secrets.token_hex(6)}@candidates.example"
    first = secrets.choice(("Asha", "Ravi", "Uma")) + secrets.token_hex(3)
    for number in (8101, 8102):
        push(client, owner, external_id, number, canary, first=first)
    wait_until(lambda: len(deliveries_of(sessions, owner.id)) == 2, what="the two application.received deliveries")
    assert canary in pg_dump(database_url) and first.lower() in pg_dump(database_url)  # the search finds it

    # When an operator erases the person
    answer = client.post(ERASURES, json={"email": canary, "reason": "a candidate's request"}, headers=owner.headers)
    assert answer.status_code == 200 and answer.json()["erased"] == 2, answer.text

    # Then a dump of the whole database names them nowhere
    dumped = pg_dump(database_url)
    assert canary not in dumped and canary.split("@")[0] not in dumped and first.lower() not in dumped
