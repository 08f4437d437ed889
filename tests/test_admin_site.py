"""The admin site at /admin/: its own sign-in, sessions that expire, CSRF on every form, off
until an admin user exists, never opened by an API key, never showing a secret, and every
change logged with the admin user's name."""

from __future__ import annotations

import re
import time
from urllib.parse import urljoin, urlsplit

from fastapi.testclient import TestClient
from sqlalchemy import select

from services.api.app import create_app
from shared.crypto import cipher_from_settings
from shared.db import build_engine, unit_of_work
from shared.models import ApiKey, NotificationEndpoint, PlatformConnection, PublishingLog
from tests.admin_browser import BASE_URL, browser, new_admin_user, sign_in, signed_in, submit
from tests.conftest import own_database

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
ANY_URL = re.compile(r"""https?://[^\s"'<>)]+""")
REFERENCED = re.compile(r"""(?:href|src)="([^"]+)\"""")
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)""")
# Font Awesome's CSS names a font for the old v4 family ("FontAwesome") that sqladmin's wheel leaves
# out; no page uses that family, and a missing file here is a local 404, never a load from elsewhere.
NOT_IN_THE_WHEEL = {"fa-v4compatibility.woff2"}


def test_the_site_is_off_until_an_admin_user_exists_and_says_how_to_make_one(settings):
    with own_database("_admin_off") as url:
        engine = build_engine(settings.model_copy(update={"database_url": url}))
        app = create_app(settings.model_copy(update={"database_url": url}), engine)
        http = browser(app)
        for path in ("/admin/", "/admin/login", "/admin/posting/list", "/admin/statics/css/main.css"):
            off = http.get(path, follow_redirects=False)
            assert off.status_code == 404 and "jobpub admin create-user" in off.text, path
        with unit_of_work(app.state.sessions) as session:
            from shared.admin_users import create_admin_user

            create_admin_user(session, "first-operator", "a long enough password")
        assert http.get("/admin/login").status_code == 200
        engine.dispose()


def test_the_site_is_off_without_a_key_to_sign_its_cookies_and_names_the_setting(settings, engine, sessions):
    new_admin_user(sessions)
    unsigned = settings.model_copy(update={"encryption_keys": None, "admin_session_secret": None})
    off = browser(create_app(unsigned, engine)).get("/admin/login", follow_redirects=False)
    assert off.status_code == 404 and "JOBPUB_ADMIN_SESSION_SECRET" in off.text


def test_a_wrong_password_or_unknown_name_is_refused_and_signs_nobody_in(client, sessions):
    http, name = browser(client.app), new_admin_user(sessions)
    for who, password in ((name, "not the password at all"), ("nobody-" + name, "correct horse battery staple")):
        refused = sign_in(http, who, password)
        assert refused.status_code == 400 and "Wrong name or password" in refused.text
        assert http.get("/admin/posting/list", follow_redirects=False).status_code == 302
    assert sign_in(http, name).status_code == 302
    assert http.get("/admin/posting/list").status_code == 200


def test_a_session_ends_when_its_time_is_up_even_while_the_operator_is_busy(settings, engine, sessions):
    app = create_app(settings.model_copy(update={"admin_session_seconds": 2}), engine)
    http, _ = signed_in(app, sessions)
    started = time.monotonic()
    answers = []
    while time.monotonic() - started < 4.5 and 302 not in answers:  # a page every 0.3 s: never idle
        answers.append(http.get("/admin/posting/list", follow_redirects=False).status_code)
        time.sleep(0.3)
    assert answers[0] == 200 and answers[-1] == 302, answers
    assert http.get("/admin/posting/list", follow_redirects=False).headers["location"].endswith("/admin/login")


def test_an_organizations_api_key_alone_opens_nothing(client, tenant):
    http = browser(client.app)
    for path in ("/admin/", "/admin/posting/list", "/admin/application/list", "/admin/api-key/list"):
        answer = http.get(path, headers=tenant.headers, follow_redirects=False)
        assert answer.status_code == 302 and answer.headers["location"].endswith("/admin/login"), path
    posted = http.post("/admin/failure/do-replay", data={"pks": "1"}, headers=tenant.headers, follow_redirects=False)
    assert posted.status_code == 403


def test_a_change_without_the_csrf_token_is_refused_and_one_with_it_is_logged_with_the_admin_users_name(
    client, sessions, tenant
):
    http, name = signed_in(client.app, sessions)
    connection_id = _connection_of(sessions, tenant.id, "naukri").id
    edit = f"/admin/platform-connection/edit/{connection_id}"
    refused = http.post(edit, data={"save": "Save"}, follow_redirects=False)
    assert refused.status_code == 403 and "CSRF" in refused.text
    forged = http.post(edit, data={"save": "Save", "csrf_token": "guessed"}, follow_redirects=False)
    assert forged.status_code == 403
    assert _connection_of(sessions, tenant.id, "naukri").enabled  # unchanged: no `enabled` sent means "off"

    done = submit(http, edit, edit, {"save": "Save"})  # the checkbox left unticked: disable
    assert done.status_code == 302, done.text
    assert not _connection_of(sessions, tenant.id, "naukri").enabled
    with sessions() as session:
        logged = session.scalars(
            select(PublishingLog).where(
                PublishingLog.organization_id == tenant.id, PublishingLog.event_type == "AdminChanged"
            )
        ).all()
    assert [(row.payload["by"], row.payload["change"], row.payload["fields"]) for row in logged] == [
        (name, "disabled", ["enabled"])
    ]
    assert logged[0].platform == "naukri"


def test_a_replaced_secret_is_sealed_for_its_connection_and_never_shown(client, sessions, settings, tenant):
    http, name = signed_in(client.app, sessions)
    connection_id = _connection_of(sessions, tenant.id, "naukri").id
    edit = f"/admin/platform-connection/edit/{connection_id}"
    new_secret = "replaced-canary-" + tenant.name
    done = submit(http, edit, edit, {"save": "Save", "enabled": "y", "new_client_secret": new_secret})
    assert done.status_code == 302, done.text
    stored = _connection_of(sessions, tenant.id, "naukri")
    assert stored.enabled and new_secret not in stored.client_secret_encrypted
    from shared.connections import credentials_of

    assert credentials_of(cipher_from_settings(settings), stored).client_secret == new_secret
    assert new_secret not in http.get(edit).text
    with sessions() as session:
        row = session.scalars(
            select(PublishingLog).where(
                PublishingLog.organization_id == tenant.id, PublishingLog.event_type == "AdminChanged"
            )
        ).one()
    assert row.payload["by"] == name and row.payload["fields"] == ["client_secret"]
    assert new_secret not in str(row.payload)


def test_no_admin_page_shows_a_secret_a_key_or_a_whole_key_hash(client, sessions, settings, tenant):
    canary = "endpoint-signing-canary-" + tenant.name
    with unit_of_work(sessions) as session:
        sealed = cipher_from_settings(settings).encrypt(canary, bound_to="test")
        session.add(
            NotificationEndpoint(organization_id=tenant.id, url="https://hooks.example/x", secret_encrypted=sealed)
        )
    with sessions() as session:
        connections = session.scalars(
            select(PlatformConnection).where(PlatformConnection.organization_id == tenant.id)
        ).all()
        keys = session.scalars(select(ApiKey).where(ApiKey.organization_id == tenant.id)).all()
    never_shown = [tenant.api_key, canary, sealed, *(secret for _, secret in tenant.clients.values())]
    never_shown += [c.client_secret_encrypted for c in connections] + [k.secret_hash for k in keys]

    http, _ = signed_in(client.app, sessions)
    pages = _crawl(http, "/admin/")
    pages += [f"/admin/platform-connection/{view}/{c.id}" for c in connections for view in ("details", "edit")]
    pages += [f"/admin/api-key/details/{k.id}" for k in keys]
    assert len(pages) > 20
    for path in pages:
        page = http.get(path)
        assert page.status_code == 200, path
        for secret in never_shown:
            assert secret not in page.text, f"{path} shows a secret"
    assert keys[0].secret_hash[:8] in http.get(f"/admin/api-key/details/{keys[0].id}").text  # its prefix is shown


def test_the_login_page_and_its_assets_come_from_the_app_itself(client):
    http = TestClient(client.app, base_url=BASE_URL)
    login = http.get("/admin/login")
    assert login.status_code == 200
    for url in ANY_URL.findall(login.text):
        assert urlsplit(url).hostname in LOOPBACK, f"the login page loads {url}"
    assets = [urljoin(BASE_URL + "/admin/login", ref) for ref in REFERENCED.findall(login.text)]
    assert any(a.endswith(".css") for a in assets) and any(a.endswith(".js") for a in assets)
    for asset in assets:
        assert urlsplit(asset).hostname in LOOPBACK
        fetched = http.get(asset)
        assert fetched.status_code == 200, asset
        if asset.endswith(".css"):  # its fonts and images: embedded (data:) or served here too
            for ref in CSS_URL.findall(fetched.text):
                if not ref.startswith("data:"):
                    assert not ref.startswith(("http:", "https:", "//")), f"{asset} loads {ref}"
                    if ref.rsplit("/", 1)[-1] not in NOT_IN_THE_WHEEL:
                        assert http.get(urljoin(asset, ref.split("?")[0].split("#")[0])).status_code == 200, ref


def test_the_admin_routes_stay_out_of_the_openapi_document(client):
    assert not [path for path in client.get("/openapi.json").json()["paths"] if path.startswith("/admin")]


def _connection_of(sessions, organization_id: int, platform: str) -> PlatformConnection:
    with sessions() as session:
        return session.scalars(
            select(PlatformConnection).where(
                PlatformConnection.organization_id == organization_id, PlatformConnection.platform == platform
            )
        ).one()


def _crawl(http: TestClient, start: str, limit: int = 60) -> list[str]:
    """The admin pages reachable from `start` by links (lists, details, edits, search), breadth first."""
    seen, queue = [start], [start]
    while queue and len(seen) < limit:
        page = http.get(queue.pop(0))
        for ref in REFERENCED.findall(page.text):
            path = urlsplit(urljoin(BASE_URL + "/admin/", ref)).path
            wanted = path.startswith("/admin/") and not path.startswith(("/admin/statics", "/admin/logout"))
            if wanted and path not in seen and "/action/" not in path:
                seen.append(path)
                queue.append(path)
    return seen
