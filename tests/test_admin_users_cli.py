"""`jobpub admin create-user`: the admin site's users, their passwords kept only as argon2 hashes."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from shared.models import AdminUser
from tests.admin_browser import browser, sign_in
from tests.test_failures import jobpub


def test_a_script_creates_an_admin_user_who_then_signs_in_and_bad_input_is_refused(client, settings, sessions):
    name, password = f"ops-{secrets.token_hex(3)}", "a passphrase for the admin site"
    made = jobpub(settings, "admin", "create-user", name, stdin=password + "\n")
    assert made.returncode == 0 and f"admin user {name} created" in made.stdout, made.stderr
    with sessions() as session:
        stored = session.scalars(select(AdminUser.password_hash).where(AdminUser.name == name)).one()
    assert stored.startswith("$argon2id$") and password not in stored
    assert sign_in(browser(client.app), name, password).status_code == 302

    again = jobpub(settings, "admin", "create-user", name, stdin=password + "\n")
    assert again.returncode == 2 and "exists already" in again.stderr
    short = jobpub(settings, "admin", "create-user", name + "-2", stdin="short\n")
    assert short.returncode == 2 and "at least 12 characters" in short.stderr
    assert password not in made.stdout + made.stderr + again.stderr
