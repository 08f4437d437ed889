"""Indeed Apply's own secret: Indeed signs pushed applications with the API secret of the Indeed
Apply token, not the OAuth client secret. An Indeed connection may hold it (`apply_secret`);
once set, it alone verifies a push, and it is never shown, only whether it is set."""

from __future__ import annotations

import secrets
import subprocess

from sqlalchemy import select

from shared.connections import apply_signing_secret
from shared.crypto import cipher_from_settings
from shared.models import PlatformConnection, PublishingLog
from tests.conftest import settings_env
from tests.support import wait_until
from tests.test_applications_intake import JOBPUB
from tests.test_applications_sync import applications_of, published_on
from tests.test_indeed import INDEED_APPLY, indeed_application, indeed_signature

PLATFORMS = "/jobs/publishing/platforms/"


def set_apply_secret(client, tenant, secret: str | None):
    answer = client.patch(f"{PLATFORMS}indeed/", json={"apply_secret": secret}, headers=tenant.headers)
    assert answer.status_code == 200, answer.text
    return answer


def push(client, external_id: str, key: str, application_id: str):
    body = indeed_application(external_id, application_id)
    return client.post(INDEED_APPLY, content=body, headers={"X-Indeed-Signature": indeed_signature(body, key)})


def test_once_an_apply_secret_is_set_it_alone_verifies_indeeds_pushes_until_it_is_removed(
    client, make_tenant, pipeline, sessions
):
    tenant = make_tenant(platforms=("indeed",))
    client_secret, apply_secret = tenant.clients["indeed"][1], "apply-" + secrets.token_urlsafe(16)
    job_id, external_id = published_on(client, tenant, sessions, "indeed")
    assert push(client, external_id, client_secret, "ia-before").status_code == 200  # none set: the client secret

    set_apply_secret(client, tenant, apply_secret)
    refused = push(client, external_id, client_secret, "ia-client-secret")
    accepted = push(client, external_id, apply_secret, "ia-apply-secret")

    assert refused.status_code == 401 and "X-Indeed-Signature" in refused.json()["detail"]
    assert accepted.status_code == 200 and accepted.json()["status"] == "stored"
    stored = {a.external_application_id for a in applications_of(sessions, job_id)}
    assert stored == {"ia-before", "ia-apply-secret"}

    set_apply_secret(client, tenant, None)  # removed: the client secret verifies again
    assert push(client, external_id, apply_secret, "ia-after-1").status_code == 401
    assert push(client, external_id, client_secret, "ia-after-2").status_code == 200


def test_a_candidate_applying_on_indeed_reaches_the_job_when_indeed_signs_with_the_apply_secret(
    client, make_tenant, pipeline, emulators, sessions
):
    tenant = make_tenant(platforms=("indeed",))
    client_id, apply_secret = tenant.clients["indeed"][0], "apply-" + secrets.token_urlsafe(16)
    job_id, external_id = published_on(client, tenant, sessions, "indeed")
    emulators.indeed.set_apply_secret(client_id, apply_secret)
    set_apply_secret(client, tenant, apply_secret)

    [made] = emulators.indeed.apply(external_id, client_id=client_id)

    [stored] = wait_until(lambda: applications_of(sessions, job_id), what="the pushed application")
    assert stored.external_application_id == made["id"] and stored.source == "Indeed apply"


def test_the_apply_secret_is_never_answered_only_whether_it_is_set(client, make_tenant, sessions):
    tenant = make_tenant(platforms=("indeed",))
    apply_secret = "apply-" + secrets.token_urlsafe(16)
    client_id, client_secret = tenant.clients["indeed"]
    body = {"client_id": client_id, "client_secret": client_secret, "apply_secret": apply_secret}

    answers = [
        client.put(f"{PLATFORMS}indeed/", json=body, headers=tenant.headers),
        client.get(f"{PLATFORMS}indeed/", headers=tenant.headers),
        client.get(PLATFORMS, headers=tenant.headers),
        client.patch(f"{PLATFORMS}indeed/", json={"apply_secret": apply_secret + "2"}, headers=tenant.headers),
        client.post(f"{PLATFORMS}indeed/test-connection/", headers=tenant.headers),
    ]

    assert [answer.status_code for answer in answers] == [200] * 5
    assert not any(apply_secret in answer.text for answer in answers)
    assert answers[1].json()["apply_secret_set"] is True and answers[1].json()["client_secret_set"] is True
    with sessions() as session:
        stored = session.scalar(
            select(PlatformConnection).where(
                PlatformConnection.organization_id == tenant.id, PlatformConnection.platform == "indeed"
            )
        )
        events = session.scalars(
            select(PublishingLog.payload).where(
                PublishingLog.organization_id == tenant.id, PublishingLog.event_type == "PlatformConnectionChanged"
            )
        ).all()
    assert stored.apply_secret_encrypted and apply_secret not in stored.apply_secret_encrypted
    assert "apply_secret" in str(events) and apply_secret not in str(events)  # the field is named, not its value
    # A whole new configuration without one removes it (PUT replaces everything).
    del body["apply_secret"]
    assert client.put(f"{PLATFORMS}indeed/", json=body, headers=tenant.headers).json()["apply_secret_set"] is False


def test_an_apply_secret_for_a_platform_other_than_indeed_is_refused_naming_the_field(client, make_tenant):
    tenant = make_tenant(platforms=("naukri",))
    answer = client.patch(f"{PLATFORMS}naukri/", json={"apply_secret": "x" * 20}, headers=tenant.headers)
    assert answer.status_code == 422 and "apply_secret" in answer.text and "only Indeed" in answer.text
    assert client.get(f"{PLATFORMS}naukri/", headers=tenant.headers).json()["apply_secret_set"] is False


def test_the_cli_stores_an_apply_secret_piped_in_and_never_prints_it(client, make_tenant, settings, sessions):
    tenant = make_tenant(platforms=())
    apply_secret = "apply-" + secrets.token_urlsafe(16)
    command = [JOBPUB, "platform", "configure", str(tenant.id), "indeed", "--client-id", "cli-indeed"]

    done = subprocess.run(
        [*command, "--with-apply-secret"],
        input=f"client-secret-x\n{apply_secret}\n",
        env=settings_env(settings),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 0, done.stderr
    assert apply_secret not in done.stdout + done.stderr
    shown = client.get(f"{PLATFORMS}indeed/", headers=tenant.headers).json()
    assert shown["apply_secret_set"] is True
    with sessions() as session:
        signing = apply_signing_secret(session, cipher_from_settings(settings), tenant.id, "indeed")
    assert signing == apply_secret
    refused = subprocess.run(
        [JOBPUB, "platform", "configure", str(tenant.id), "naukri", "--client-id", "n", "--with-apply-secret"],
        input="s\nt\n",
        env=settings_env(settings),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode != 0 and "only Indeed" in refused.stderr
