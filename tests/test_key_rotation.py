"""Rotating the key that encrypts platform secrets: `jobpub rotate-keys`, run as a real subprocess
on a database of the test's own, so "every row" means the rows the test made."""

from __future__ import annotations

import secrets
import subprocess
import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from standardwebhooks import Webhook

from services.api.app import create_app
from services.notifier.delivering import build_notify_client, deliver
from shared.config import Settings
from shared.connections import (
    apply_secret_of,
    apply_signing_secret,
    load_credentials,
    save_connection,
    seal_apply_secret,
)
from shared.context import build_worker_context
from shared.crypto import CredentialCipher, CredentialDecryptError, generate_key
from shared.db import build_engine, build_session_factory, unit_of_work
from shared.key_rotation import ENCRYPTED_COLUMNS, rotate_secrets
from shared.models import Base, NotificationDelivery, NotificationEndpoint, PlatformConnection
from shared.notifications import notify
from tests.conftest import create_tenant, own_database, settings_env
from tests.support import wait_until
from tests.test_applications_intake import JOBPUB
from tests.test_notifications import NOTIFICATIONS
from tests.test_notifications import receiver as receiver  # a fixture, used by name


@pytest.fixture
def own_db(settings):
    """Settings and sessions on a fresh, migrated database; the shared one is left alone."""
    with own_database(f"_keys_{secrets.token_hex(3)}") as url:
        own_settings = with_keys(settings, settings.encryption_keys.get_secret_value(), database_url=url)
        engine = build_engine(own_settings)
        yield own_settings, build_session_factory(engine)
        engine.dispose()


def with_keys(settings: Settings, keys: str | None, **overrides) -> Settings:
    return Settings(**{**settings.model_dump(), "encryption_keys": keys, **overrides})


def key_id_of(encoded: str) -> str:
    """The key id a ciphertext made with this key carries: `v1.<key id>.…`."""
    return CredentialCipher([encoded]).encrypt("", bound_to="").split(".")[1]


def rotate_keys(settings: Settings, *args: str) -> subprocess.CompletedProcess:
    env = settings_env(settings, log_level="WARNING")
    return subprocess.run([JOBPUB, "rotate-keys", *args], env=env, capture_output=True, text=True, timeout=60)


def stored(sessions) -> dict[int, str]:
    """Every connection's stored secret, by connection id."""
    with sessions() as session:
        return dict(session.execute(select(PlatformConnection.id, PlatformConnection.client_secret_encrypted)).all())


def connection_id(sessions, tenant, platform: str) -> int:
    with sessions() as session:
        return session.scalar(
            select(PlatformConnection.id).where(
                PlatformConnection.organization_id == tenant.id, PlatformConnection.platform == platform
            )
        )


def secrets_of(tenants) -> dict[tuple[int, str], str]:
    return {(tenant.id, platform): secret for tenant in tenants for platform, (_, secret) in tenant.clients.items()}


def decrypted_with(sessions, cipher: CredentialCipher, tenants) -> dict[tuple[int, str], str]:
    """The tenants' secrets as a publisher configured with only `cipher` would read them."""
    with sessions() as session:
        return {
            (organization_id, platform): load_credentials(session, cipher, organization_id, platform).client_secret
            for organization_id, platform in secrets_of(tenants)
        }


def test_rotation_moves_every_secret_to_the_new_key_so_the_old_one_can_be_removed(own_db, emulators):
    """Given tenants saved under key A, when the operator puts key B first and runs rotate-keys,
    then every secret is under B, still the same secret, readable with B alone, and a rerun does nothing."""
    base, sessions = own_db
    key_a, key_b = base.encryption_keys.get_secret_value(), generate_key()
    tenants = [create_tenant(sessions, base, emulators) for _ in range(3)]
    rotating = with_keys(base, f"{key_b},{key_a}")
    before = stored(sessions)

    preview = rotate_keys(rotating, "--dry-run")
    assert preview.returncode == 0, preview.stderr
    assert preview.stdout.splitlines() == [
        "platform credentials: would rotate 6, already current 0, undecryptable 0",
        "notification signing secrets: would rotate 0, already current 0, undecryptable 0",
        "Indeed Apply secrets: would rotate 0, already current 0, undecryptable 0",
    ]
    assert stored(sessions) == before

    real = rotate_keys(rotating)
    assert real.returncode == 0, real.stderr
    assert real.stdout.splitlines()[0] == "platform credentials: rotated 6, already current 0, undecryptable 0"
    after = stored(sessions)
    assert after.keys() == before.keys()
    assert all(ciphertext.startswith(f"v1.{key_id_of(key_b)}.") for ciphertext in after.values())
    assert decrypted_with(sessions, CredentialCipher([key_b]), tenants) == secrets_of(tenants)

    again = rotate_keys(rotating)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[0] == "platform credentials: rotated 0, already current 6, undecryptable 0"
    assert stored(sessions) == after


def test_a_secret_under_a_key_no_longer_configured_is_reported_left_alone_and_the_others_still_rotate(
    own_db, emulators
):
    """Given one tenant saved under a key C the operator has since dropped, when rotating to B,
    then the command exits 1 naming that connection on stderr, leaves its row as it was, and rotates the rest."""
    base, sessions = own_db
    key_a, key_b = base.encryption_keys.get_secret_value(), generate_key()
    kept = [create_tenant(sessions, base, emulators) for _ in range(2)]
    lost = create_tenant(sessions, with_keys(base, generate_key()), emulators, platforms=("naukri",))
    lost_id = connection_id(sessions, lost, "naukri")
    before = stored(sessions)

    result = rotate_keys(with_keys(base, f"{key_b},{key_a}"))

    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == "platform credentials: rotated 4, already current 0, undecryptable 1"
    [complaint] = result.stderr.strip().splitlines()
    assert complaint.startswith(f"error: platform credentials: connection {lost_id} (organization {lost.id}, naukri): ")
    assert "not configured" in complaint
    assert not any(secret in result.stdout + result.stderr for secret in secrets_of([*kept, lost]).values())
    after = stored(sessions)
    assert after.pop(lost_id) == before[lost_id]
    assert all(ciphertext.startswith(f"v1.{key_id_of(key_b)}.") for ciphertext in after.values())
    assert decrypted_with(sessions, CredentialCipher([key_b]), kept) == secrets_of(kept)


def test_a_secret_copied_into_another_organizations_row_does_not_decrypt_there(make_tenant, sessions, settings):
    """Given two organizations, when one's stored LinkedIn secret is copied into the other's row,
    then reading it for the other fails instead of handing over the first one's secret."""
    owner, other = make_tenant(), make_tenant()
    cipher = CredentialCipher.from_setting(settings.encryption_keys.get_secret_value())
    with unit_of_work(sessions) as session:
        source, target = (
            session.scalar(
                select(PlatformConnection).where(
                    PlatformConnection.organization_id == tenant.id, PlatformConnection.platform == "linkedin"
                )
            )
            for tenant in (owner, other)
        )
        target.client_secret_encrypted = source.client_secret_encrypted

    with sessions() as session:
        with pytest.raises(CredentialDecryptError, match="does not belong"):
            load_credentials(session, cipher, other.id, "linkedin")
        assert load_credentials(session, cipher, owner.id, "linkedin").client_secret == owner.clients["linkedin"][1]


def test_rotation_does_not_rebind_a_copied_secret_to_the_row_it_was_copied_into(own_db, emulators):
    """A copied ciphertext is undecryptable where it sits, so rotation reports it rather than re-sealing it there."""
    base, sessions = own_db
    owner, other = (create_tenant(sessions, base, emulators, platforms=("naukri",)) for _ in range(2))
    with unit_of_work(sessions) as session:
        rows = {row.organization_id: row for row in session.scalars(select(PlatformConnection))}
        rows[other.id].client_secret_encrypted = copied = rows[owner.id].client_secret_encrypted

    with unit_of_work(sessions) as session:
        # One row per batch, so the walk from batch to batch is exercised too.
        cipher = CredentialCipher([generate_key(), base.encryption_keys.get_secret_value()])
        report = rotate_secrets(session, cipher, batch_size=1).of("platform credentials")

    assert (report.rotated, report.already_current) == (1, 0)
    assert [(row.organization_id, row.row) for row in report.undecryptable] == [
        (other.id, f"connection {rows[other.id].id} (organization {other.id}, naukri)")
    ]
    assert stored(sessions)[rows[other.id].id] == copied


def test_a_secret_changed_while_rotation_runs_is_not_overwritten_with_the_old_one(own_db, emulators):
    """Given a connection whose secret is being replaced in an open transaction, when rotation reaches it,
    then rotation waits for that change and re-encrypts the new secret, rather than writing back the old one."""
    base, sessions = own_db
    key_a, key_b = base.encryption_keys.get_secret_value(), generate_key()
    tenant = create_tenant(sessions, base, emulators, platforms=("naukri",))
    client_id, _ = tenant.clients["naukri"]
    rotating = CredentialCipher([key_b, key_a])
    reports = []

    with unit_of_work(sessions) as changing:
        save_connection(
            changing,
            CredentialCipher([key_a]),
            organization_id=tenant.id,
            platform="naukri",
            client_id=client_id,
            client_secret="the-new-one",
        )
        changing.flush()  # the row is now locked by this transaction, as an API update holds it

        def rotate() -> None:
            with unit_of_work(sessions) as session:
                reports.append(rotate_secrets(session, rotating).of("platform credentials"))

        rotation = threading.Thread(target=rotate)
        rotation.start()
        wait_until(lambda: waiting_on_a_lock(sessions), 10, what="rotation to wait for the row lock")
    rotation.join(10)

    assert [(report.rotated, report.undecryptable) for report in reports] == [(1, [])]
    assert stored(sessions)[connection_id(sessions, tenant, "naukri")].startswith(f"v1.{key_id_of(key_b)}.")
    with sessions() as session:
        assert load_credentials(session, CredentialCipher([key_b]), tenant.id, "naukri").client_secret == "the-new-one"


def waiting_on_a_lock(sessions) -> bool:
    with sessions() as session:
        return bool(
            session.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND query ILIKE '%platform_connections%'"
                )
            )
        )


def test_every_encrypted_column_of_the_models_is_rotated():
    """A new `*_encrypted` column must be added to ENCRYPTED_COLUMNS, or the old key could never be dropped."""
    encrypted = {
        (table.name, column.name)
        for table in Base.metadata.tables.values()
        for column in table.columns
        if column.name.endswith("_encrypted")
    }
    assert encrypted == {(column.model.__tablename__, column.column) for column in ENCRYPTED_COLUMNS}


def test_rotating_without_any_key_configured_says_so_and_exits_2(settings):
    result = rotate_keys(with_keys(settings, None))
    assert result.returncode == 2
    assert result.stderr.startswith("error: JOBPUB_ENCRYPTION_KEYS is not set")


def test_rotation_moves_notification_signing_secrets_too_so_deliveries_still_sign_once_the_old_key_is_gone(
    own_db, emulators, receiver
):
    """Given a notification endpoint registered over the API under key A, when the operator rotates
    to B and then drops A, then a notification is still signed with the secret shown at creation."""
    base, sessions = own_db
    key_a, key_b = base.encryption_keys.get_secret_value(), generate_key()
    tenant = create_tenant(sessions, base, emulators, platforms=("naukri",))
    engine = build_engine(base)
    with TestClient(create_app(base, engine)) as api:
        made = api.post(NOTIFICATIONS, json={"url": receiver.url}, headers=tenant.headers)
    engine.dispose()
    assert made.status_code == 201, made.text

    rotated = rotate_keys(with_keys(base, f"{key_b},{key_a}"))

    only_b = with_keys(base, key_b)
    with unit_of_work(sessions) as session:
        notify(session, tenant.id, "job.published", {"job_id": 1})
    with sessions() as session:
        delivery_id = session.scalar(
            select(NotificationDelivery.id).where(NotificationDelivery.organization_id == tenant.id)
        )
    context = build_worker_context(only_b, sessions)
    deliver(context, build_notify_client(context), delivery_id)
    with sessions() as session:
        assert session.get(NotificationDelivery, delivery_id).status == "delivered"
    [received] = receiver.received
    assert Webhook(made.json()["secret"]).verify(received["body"], received["headers"])["data"] == {"job_id": 1}

    assert rotated.returncode == 0, rotated.stderr
    assert rotated.stdout.splitlines() == [
        "platform credentials: rotated 1, already current 0, undecryptable 0",
        "notification signing secrets: rotated 1, already current 0, undecryptable 0",
        "Indeed Apply secrets: rotated 0, already current 0, undecryptable 0",
    ]
    assert made.json()["secret"] not in rotated.stdout + rotated.stderr


def test_a_signing_secret_no_configured_key_opens_is_named_and_fails_the_run(own_db, emulators):
    """Given an endpoint whose secret was sealed under a key since dropped, rotate-keys exits 1
    naming the endpoint and its organization, and rotates the rest."""
    base, sessions = own_db
    tenant = create_tenant(sessions, base, emulators, platforms=("naukri",))
    with unit_of_work(sessions) as session:
        lost = NotificationEndpoint(
            organization_id=tenant.id,
            url="http://127.0.0.1:9/hook",
            secret_encrypted=CredentialCipher([generate_key()]).encrypt("whsec_x", bound_to="lost"),
        )
        session.add(lost)
        session.flush()
        lost_id = lost.id

    result = rotate_keys(with_keys(base, f"{generate_key()},{base.encryption_keys.get_secret_value()}"))

    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "platform credentials: rotated 1, already current 0, undecryptable 0",
        "notification signing secrets: rotated 0, already current 0, undecryptable 1",
        "Indeed Apply secrets: rotated 0, already current 0, undecryptable 0",
    ]
    [complaint] = result.stderr.strip().splitlines()
    assert complaint.startswith(f"error: notification signing secrets: endpoint {lost_id} (organization {tenant.id}): ")


def test_rotation_moves_indeed_apply_secrets_too_so_pushes_still_verify_once_the_old_key_is_gone(own_db, emulators):
    """Given an Indeed connection holding an apply secret under key A, when the operator rotates
    to B, then the apply secret is under B, still the same secret, and never printed."""
    base, sessions = own_db
    key_a, key_b = base.encryption_keys.get_secret_value(), generate_key()
    tenant = create_tenant(sessions, base, emulators, platforms=("indeed",))
    apply_secret = "apply-" + secrets.token_urlsafe(16)
    with unit_of_work(sessions) as session:
        connection = session.get(PlatformConnection, connection_id(sessions, tenant, "indeed"))
        connection.apply_secret_encrypted = seal_apply_secret(
            CredentialCipher([key_a]), tenant.id, "indeed", apply_secret
        )

    rotated = rotate_keys(with_keys(base, f"{key_b},{key_a}"))

    assert rotated.returncode == 0, rotated.stderr
    assert "Indeed Apply secrets: rotated 1, already current 0, undecryptable 0" in rotated.stdout.splitlines()
    assert apply_secret not in rotated.stdout + rotated.stderr
    with sessions() as session:
        connection = session.get(PlatformConnection, connection_id(sessions, tenant, "indeed"))
        assert connection.apply_secret_encrypted.startswith(f"v1.{key_id_of(key_b)}.")
        assert apply_secret_of(CredentialCipher([key_b]), connection) == apply_secret
        signing = apply_signing_secret(session, CredentialCipher([key_b]), tenant.id, "indeed")
    assert signing == apply_secret  # what the Indeed Apply route verifies with, after the old key is dropped
