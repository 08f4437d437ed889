"""A tenant configures its own platform connections over the API: secrets go in, never come out."""

from __future__ import annotations

import secrets

from fastapi.testclient import TestClient
from sqlalchemy import select

from services.api.app import create_app
from shared.models import PlatformConnection, PublishingLog
from tests.support import free_port, job_body, publish, settled_status

PLATFORMS = "/jobs/publishing/platforms/"


def naukri_body(emulators, **overrides) -> tuple[dict, str]:
    """A Naukri connection registered on the emulator: the body to PUT and its secret."""
    client_id, secret = f"api-{secrets.token_hex(4)}", secrets.token_urlsafe(16)
    emulators.naukri.register_client(client_id, secret)
    return {"client_id": client_id, "client_secret": secret, **overrides}, secret


def test_a_connection_configured_over_the_api_publishes_and_never_shows_its_secret(
    client, make_tenant, pipeline, emulators, sessions
):
    tenant = make_tenant(platforms=())
    body, secret = naukri_body(emulators)
    created = client.put(f"{PLATFORMS}naukri/", json=body, headers=tenant.headers)
    assert created.status_code == 201, created.text
    answers = [
        created,
        client.get(PLATFORMS, headers=tenant.headers),
        client.get(f"{PLATFORMS}naukri/", headers=tenant.headers),
        client.patch(f"{PLATFORMS}naukri/", json={"enabled": True}, headers=tenant.headers),
    ]
    assert all(answer.status_code == 200 or answer is created for answer in answers)
    assert not any(secret in answer.text for answer in answers)
    listing = answers[1].json()
    assert listing["connected"] == ["naukri"] and listing["items"][0]["client_secret_set"] is True

    with sessions() as session:
        stored = session.scalar(select(PlatformConnection).where(PlatformConnection.organization_id == tenant.id))
        changes = session.scalars(
            select(PublishingLog.payload)
            .where(PublishingLog.organization_id == tenant.id, PublishingLog.event_type == "PlatformConnectionChanged")
            .order_by(PublishingLog.id)  # without it PostgreSQL may return them in any order
        ).all()
    assert secret not in stored.client_secret_encrypted
    assert [change["change"] for change in changes] == ["configured", "updated"]
    assert not any(secret in str(change) for change in changes)

    job_id = publish(client, tenant, platforms=["naukri"])
    assert settled_status(client, tenant, job_id)["platforms"]["naukri"]["status"] == "published"


def test_the_connection_test_says_token_obtained_invalid_secret_or_unreachable(
    client, make_tenant, emulators, settings, engine
):
    tenant = make_tenant()
    assert client.post(f"{PLATFORMS}linkedin/test-connection/", headers=tenant.headers).json() == {
        "platform": "linkedin",
        "ok": True,
        "message": "token obtained",
    }
    assert client.post(f"{PLATFORMS}naukri/test-connection/", headers=tenant.headers).json()["ok"] is True

    client.patch(f"{PLATFORMS}linkedin/", json={"client_secret": "a-wrong-secret"}, headers=tenant.headers)
    refused = client.post(f"{PLATFORMS}linkedin/test-connection/", headers=tenant.headers).json()
    assert refused["ok"] is False and refused["message"].startswith("invalid client id or secret")
    assert "a-wrong-secret" not in str(refused)

    nowhere = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    cut_off = settings.model_copy(update={"linkedin_oauth_url": nowhere, "naukri_api_url": nowhere})
    with TestClient(create_app(cut_off, engine)) as isolated:
        unreachable = isolated.post(f"{PLATFORMS}naukri/test-connection/", headers=tenant.headers).json()
    assert unreachable["ok"] is False and unreachable["message"].startswith("platform unreachable")


def test_a_disabled_or_removed_platform_is_refused_at_publish_time(client, make_tenant):
    tenant = make_tenant()
    assert client.patch(f"{PLATFORMS}naukri/", json={"enabled": False}, headers=tenant.headers).status_code == 200
    assert client.get(PLATFORMS, headers=tenant.headers).json()["connected"] == ["linkedin"]
    refused = client.post(
        "/jobs/publishing/publish/", json={"job": job_body(), "platforms": ["naukri"]}, headers=tenant.headers
    )
    assert refused.status_code == 422 and "naukri is not connected" in refused.text

    assert client.delete(f"{PLATFORMS}linkedin/", headers=tenant.headers).status_code == 204
    assert client.get(f"{PLATFORMS}linkedin/", headers=tenant.headers).status_code == 404
    refused = client.post(
        "/jobs/publishing/publish/", json={"job": job_body(), "platforms": ["linkedin"]}, headers=tenant.headers
    )
    assert refused.status_code == 422


def test_bad_connection_input_names_the_field_and_changes_nothing(client, make_tenant, emulators, sessions):
    tenant = make_tenant(platforms=("naukri",))
    body, _ = naukri_body(emulators)
    cases = [
        ("put", "linkedin", {"client_id": "x", "client_secret": "y"}, ["body", "organization_urn"]),
        (
            "put",
            "linkedin",
            {"client_id": "x", "client_secret": "y", "organization_urn": "acme"},
            ["body", "organization_urn"],
        ),
        ("put", "naukri", {**body, "organization_id": 99}, ["body", "organization_id"]),
        ("put", "naukri", {"client_id": "x"}, ["body", "client_secret"]),
        ("patch", "naukri", {"client_secret": ""}, ["body", "client_secret"]),
        ("put", "monster", body, ["path", "platform"]),
        # Each was a 500: PostgreSQL holds no NUL in text, and the URN's column 200 characters.
        ("put", "naukri", {**body, "client_id": "x\x00"}, ["body", "client_id"]),
        ("patch", "naukri", {"client_id": "x\x00"}, ["body", "client_id"]),
        (
            "put",
            "linkedin",
            {"client_id": "x", "client_secret": "y", "organization_urn": "urn:li:organization:" + "9" * 200},
            ["body", "organization_urn"],
        ),
    ]
    with sessions() as session:
        before = session.scalar(
            select(PlatformConnection.client_secret_encrypted).where(PlatformConnection.organization_id == tenant.id)
        )
    for method, platform, payload, loc in cases:
        answer = getattr(client, method)(f"{PLATFORMS}{platform}/", json=payload, headers=tenant.headers)
        assert answer.status_code == 422, (loc, answer.text)
        assert loc in [problem["loc"] for problem in answer.json()["detail"]], (loc, answer.json())
        assert answer.json().get("input") != "y"
    with sessions() as session:
        after = session.scalar(
            select(PlatformConnection.client_secret_encrypted).where(PlatformConnection.organization_id == tenant.id)
        )
    assert before == after


def test_one_organization_never_sees_or_changes_anothers_connections(client, make_tenant):
    owner, stranger = make_tenant(), make_tenant(platforms=())
    assert client.get(PLATFORMS, headers=stranger.headers).json() == {"items": [], "next_cursor": None, "connected": []}
    assert client.get(f"{PLATFORMS}linkedin/", headers=stranger.headers).status_code == 404
    assert client.delete(f"{PLATFORMS}linkedin/", headers=stranger.headers).status_code == 404
    assert client.post(f"{PLATFORMS}linkedin/test-connection/", headers=stranger.headers).status_code == 404
    assert (
        client.get(f"{PLATFORMS}linkedin/", headers=owner.headers).json()["client_id"] == owner.clients["linkedin"][0]
    )


def test_an_organizations_own_retry_limit_and_sync_interval_are_used(
    client, make_tenant, pipeline, emulators, sessions, settings
):
    from datetime import UTC, datetime, timedelta

    from services.syncer.scheduler import schedule_due_syncs
    from shared.models import SyncRun

    tenant = make_tenant()
    choices = {"publish_max_attempts": 2, "sync_interval_seconds": 60}
    changed = client.patch(f"{PLATFORMS}naukri/", json=choices, headers=tenant.headers)
    assert changed.status_code == 200 and {k: changed.json()[k] for k in choices} == choices
    assert (
        client.patch(f"{PLATFORMS}naukri/", json={"publish_max_attempts": 0}, headers=tenant.headers).status_code == 422
    )

    emulators.naukri.set_faults({"server_error": {"times": 1000, "status": 500}})
    job_id = publish(client, tenant, platforms=["naukri"])
    naukri = settled_status(client, tenant, job_id)["platforms"]["naukri"]
    assert naukri["status"] == "failed" and naukri["attempts"] == 2 != settings.publish_max_attempts
    emulators.naukri.clear_faults()

    # Two looks a minute apart, inside one default (300 s) window: naukri (60 s) is pulled twice, linkedin once.
    start = datetime.fromtimestamp((int(datetime.now(UTC).timestamp()) // 300 + 100_000) * 300 + 1, UTC)
    for moment in (start, start + timedelta(seconds=60)):
        schedule_due_syncs(sessions, settings, now=moment)
    with sessions() as session:
        runs = session.scalars(
            select(SyncRun.platform).where(SyncRun.organization_id == tenant.id, SyncRun.trigger == "schedule")
        ).all()
    assert sorted(runs) == ["linkedin", "naukri", "naukri"]
