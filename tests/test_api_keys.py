"""Organizations and API keys from the command line: a key is shown once, stored as a hash,
and refused from the very next request once revoked."""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from shared.models import ApiKey
from tests.conftest import settings_env

JOBPUB = str(Path(sys.executable).parent / "jobpub")


def jobpub(settings, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([JOBPUB, *args], env=settings_env(settings), capture_output=True, text=True, timeout=60)


def test_an_operator_makes_an_organization_and_keys_and_a_revoked_key_is_refused_at_once(client, settings, sessions):
    name = f"acme-{secrets.token_hex(3)}"
    made = jobpub(settings, "org", "create", name)
    assert made.returncode == 0, made.stderr
    first_key = re.search(r"(jp_\S+)", made.stdout).group(1)
    assert jobpub(settings, "org", "create", name).returncode == 2  # the name is taken: refused, nothing made

    second = jobpub(settings, "apikey", "create", "--organization", name, "--label", "ATS")
    second_key = re.search(r"(jp_\S+)", second.stdout).group(1)
    key_id = second_key.split("_")[1]
    listing = jobpub(settings, "apikey", "list", "--organization", name)
    assert key_id in listing.stdout and "ATS" in listing.stdout
    assert first_key not in listing.stdout and second_key not in listing.stdout  # never the secrets
    with sessions() as session:
        stored = session.scalars(select(ApiKey.secret_hash)).all()
    assert not any(second_key.split("_", 2)[2] in row for row in stored)

    platforms = "/jobs/publishing/platforms/"
    assert client.get(platforms, headers={"X-API-Key": second_key}).status_code == 200
    revoked = jobpub(settings, "apikey", "revoke", "--organization", name, key_id)
    assert revoked.returncode == 0, revoked.stderr
    assert client.get(platforms, headers={"X-API-Key": second_key}).status_code == 401
    assert client.get(platforms, headers={"X-API-Key": first_key}).status_code == 200  # the other key still works
    unknown = jobpub(settings, "apikey", "revoke", "--organization", name, "0000")
    assert unknown.returncode == 2 and "no key" in unknown.stderr


def test_an_operator_key_made_on_the_command_line_reaches_the_failures_and_a_recruiter_key_does_not(client, settings):
    name = f"acme-{secrets.token_hex(3)}"
    recruiter_key = re.search(r"(jp_\S+)", jobpub(settings, "org", "create", name).stdout).group(1)
    made = jobpub(settings, "apikey", "create", "--organization", name, "--scope", "operator", "--label", "on call")
    assert made.returncode == 0 and made.stdout.startswith("operator API key"), made.stderr
    operator_key = re.search(r"(jp_\S+)", made.stdout).group(1)

    assert client.get("/jobs/publishing/failures/", headers={"X-API-Key": operator_key}).json() == {
        "items": [],
        "next_cursor": None,
    }
    assert client.get("/jobs/publishing/failures/", headers={"X-API-Key": recruiter_key}).status_code == 403
    listing = jobpub(settings, "apikey", "list", "--organization", name).stdout
    assert re.search(rf"{operator_key.split('_')[1]}\s+operator\b", listing) and "recruiter" in listing
    wrong = jobpub(settings, "apikey", "create", "--organization", name, "--scope", "admin")
    assert wrong.returncode == 2 and "admin" in wrong.stderr
