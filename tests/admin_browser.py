"""An operator's browser on the admin site: its own cookie jar, signing in through the login form,
and posting forms with the CSRF token the page carries (as a browser would)."""

from __future__ import annotations

import re
import secrets

from fastapi.testclient import TestClient

from shared.admin_users import create_admin_user
from shared.db import unit_of_work

PASSWORD = "correct horse battery staple"
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
# The API listens on loopback in every deployment test: links the site makes must point there.
BASE_URL = "http://127.0.0.1:8000"


def new_admin_user(sessions, password: str = PASSWORD) -> str:
    name = f"operator-{secrets.token_hex(3)}"
    with unit_of_work(sessions) as session:
        create_admin_user(session, name, password)
    return name


def browser(app) -> TestClient:
    """A fresh browser (no cookies) on the app."""
    return TestClient(app, base_url=BASE_URL)


def token_on(page_html: str) -> str:
    found = CSRF_INPUT.search(page_html)
    assert found, "the page has no CSRF token in its form"
    return found.group(1)


def sign_in(http: TestClient, name: str, password: str = PASSWORD):
    """Fill the login form; returns the answer to its POST (302 to /admin/ when signed in)."""
    token = token_on(http.get("/admin/login").text)
    form = {"username": name, "password": password, "csrf_token": token}
    return http.post("/admin/login", data=form, follow_redirects=False)


def signed_in(app, sessions) -> tuple[TestClient, str]:
    """A browser signed in as a new admin user, and that user's name."""
    http, name = browser(app), new_admin_user(sessions)
    assert sign_in(http, name).status_code == 302
    return http, name


def submit(http: TestClient, page_url: str, action_url: str, data: dict):
    """POST `data` to `action_url` with the CSRF token of the form on `page_url`."""
    token = token_on(http.get(page_url).text)
    return http.post(action_url, data={**data, "csrf_token": token}, follow_redirects=False)
