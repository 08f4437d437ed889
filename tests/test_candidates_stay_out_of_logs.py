"""Canary candidates go in by every route an application takes, and their e-mail, phone and name
show up where they belong (the database, the tenant's notification receiver, the operator's own
problem line) and in no log line: not in the DEBUG, JSON logs of real `jobpub api`, `jobpub relay`
and `jobpub worker` processes, nor in what `jobpub import-applications` and `jobpub sync-applications` print.

The routes: LinkedIn's signed webhook push (by the emulator, plus refused and unparsable pushes
sent directly), Naukri pulls asked for through the API and the command (one of them carrying a
phone longer than its column, stored cut), a Naukri CSV file imported with the command, and
a look-up by e-mail in a query string. Notifications go to a receiver on loopback, so the
notifier's lines are searched too.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import re
import secrets
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import redis

from shared import tenants
from shared.db import build_engine, build_session_factory, unit_of_work
from tests.conftest import REDIS_URL, RUN_ID, own_database, run_settings, settings_env
from tests.support import free_port, publish_and_wait, wait_until

JOBPUB = str(Path(sys.executable).parent / "jobpub")
WEBHOOK = "/jobs/publishing/webhooks/linkedin/applications/"


@dataclass(frozen=True)
class Candidate:
    """A person no log line may name: every field holds a token made for this run."""

    first_name: str
    last_name: str  # the token a search looks for
    email: str
    phone: str

    @classmethod
    def made_up(cls) -> Candidate:
        token = secrets.token_hex(5)
        digits = "9" + "".join(secrets.choice("0123456789") for _ in range(9))
        return cls("Canary", f"Zq{token}", f"canary-{token}@candidates.example", f"+91 {digits}")

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def phone_digits(self) -> str:
        return re.sub(r"\D", "", self.phone)[2:]  # without the country code, so "+91 ..." and "091..." both match

    def found_in(self, text: str) -> list[str]:
        """Which of the candidate's fields the text holds, in any case or spacing."""
        lowered = text.lower()
        local_part = self.email.split("@")[0]
        found = [what for what in (self.email, local_part, self.last_name) if what.lower() in lowered]
        if self.phone_digits in re.sub(r"[\s().+-]", "", text):
            found.append(self.phone)
        return found


class Receiver:
    """The tenant's notification endpoint, on loopback: it keeps every body it is sent."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        received = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                received.append(json.loads(self.rfile.read(int(self.headers["content-length"]))))
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def of_applications(self) -> list[dict]:
        return [body for body in self.bodies if body["type"].startswith("application")]


def test_a_candidates_email_phone_and_name_reach_the_database_and_no_log_line(emulators, tmp_path):
    pushed, pulled, imported, refused, misfiled, unstorable, searched = (Candidate.made_up() for _ in range(7))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    receiver = Receiver()
    with own_database("_candidates") as url:
        settings = run_settings(
            url,
            emulators,
            broker_namespace=f"jobpub-candidates-{RUN_ID}",
            public_base_url=base,  # LinkedIn's pushes come to this API
            log_level="DEBUG",
            log_json=True,
        )
        engine = build_engine(settings)
        with unit_of_work(build_session_factory(engine)) as session:
            organization = tenants.create_organization(session, "candidates-org")
            _, api_key = tenants.create_api_key(session, organization.id)
        engine.dispose()
        env = settings_env(settings)
        logs = {name: tmp_path / f"{name}.log" for name in ("api", "relay", "worker")}
        commands = (["api", "--port", str(port)], ["relay"], ["worker", "--processes", "1", "--threads", "2"])
        processes = [
            subprocess.Popen(
                [JOBPUB, *command], env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
            )
            for command, log in zip(commands, logs.values(), strict=True)
        ]
        try:
            http = connected_tenant(base, api_key, emulators, receiver)
            _, status = publish_and_wait(http)
            external_ids = {platform: state["external_id"] for platform, state in status["platforms"].items()}
            push_through_linkedin(http, emulators, external_ids["linkedin"], pushed, refused)
            pull_from_naukri(http, emulators, external_ids["naukri"], pulled)
            pull_a_phone_longer_than_its_column(http, emulators, external_ids["naukri"], unstorable)
            # The command pulls in its own process: what it prints is searched too.
            pulled_by_hand = jobpub(env, "sync-applications", "-o", "candidates-org", "--platform", "naukri")
            search_by_query_string(http, searched)
            drop = tmp_path / "naukri-applications.csv"
            command = import_csv(env, drop, external_ids["naukri"], imported, misfiled)
            stored = wait_until(
                lambda: len(items := http.get("/jobs/publishing/applications/").json()["items"]) == 4 and items,
                30,
                what="the four applications to be stored",
            )
            wait_until(
                lambda: len(receiver.of_applications()) == 4, 30, what="a notification per pull, push and import"
            )
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(30)
            receiver.server.shutdown()
            client = redis.Redis.from_url(REDIS_URL)
            for key in client.scan_iter(f"{settings.broker_namespace}*"):
                client.delete(key)

    # Every candidate went all the way through, so the search below searched lines about them.
    by_email = {a["candidate_email"]: a for a in stored}
    for source, person in (("LinkedIn apply", pushed), ("Naukri", pulled), ("Naukri CSV", imported)):
        kept = [by_email[person.email][field] for field in ("source", "candidate_name", "candidate_phone")]
        assert kept == [source, person.name, person.phone]
    assert by_email[unstorable.email]["candidate_phone"] == too_long_phone(unstorable)[:64]
    # The tenant's own receiver is told who applied by push, and which applications each pull and import stored.
    told = sorted(receiver.of_applications(), key=lambda body: body["type"])
    assert [body["type"] for body in told] == ["application.received"] + ["applications.received"] * 3
    assert told[0]["data"]["candidate_name"] == pushed.name
    # The operator is shown the bad row's e-mail, on its problem line, and nowhere else.
    [problem] = [line for line in command.stderr.splitlines() if misfiled.found_in(line)]
    assert problem.startswith(f"{drop}:3: email ")

    written = {name: log.read_text() for name, log in logs.items()}
    assert "notify.attempted" in written["worker"] and WEBHOOK in written["api"]  # the logs did record it
    written["import-applications output"] = command.stdout + command.stderr.replace(problem, "")
    written["sync-applications output"] = pulled_by_hand.stdout + pulled_by_hand.stderr
    everyone = (pushed, pulled, imported, refused, misfiled, unstorable, searched)
    leaks = [(name, found) for name, text in written.items() for person in everyone if (found := person.found_in(text))]
    assert not leaks, "\n".join(f"{name} holds {found}" for name, found in leaks)


def connected_tenant(base: str, api_key: str, emulators, receiver: Receiver) -> httpx.Client:
    """The tenant's client, with both platforms connected and a notification endpoint."""
    wait_until(lambda: _answers(base), 30, what="jobpub api to answer")
    http = httpx.Client(base_url=base, headers={"X-API-Key": api_key}, timeout=10)
    for platform in ("linkedin", "naukri"):
        secret = secrets.token_urlsafe(16)
        getattr(emulators, platform).register_client(f"candidates-{platform}", secret)
        body = {"client_id": f"candidates-{platform}", "client_secret": secret}
        if platform == "linkedin":
            body["organization_urn"] = "urn:li:organization:78"
        assert http.put(f"/jobs/publishing/platforms/{platform}/", json=body).status_code == 201
    answer = http.post("/jobs/publishing/notifications/", json={"url": receiver.url, "description": "ATS"})
    assert answer.status_code == 201, answer.text
    return http


def push_through_linkedin(http, emulators, external_id: str, pushed: Candidate, refused: Candidate) -> None:
    """The emulator's signed push of `pushed`; then pushes about `refused` that are wrongly signed or no application."""
    emulators.linkedin.apply(external_id, candidate=asdict(pushed), client_id="candidates-linkedin")
    assert emulators.linkedin.wait_for_webhooks(20)
    payload = {
        "jobApplicationId": f"urn:li:jobApplication:{secrets.randbelow(10**9)}",
        "externalJobId": external_id,
        "appliedAt": 1_764_000_000_000,
        "candidate": {"firstName": refused.first_name, "lastName": refused.last_name, "email": refused.email},
    }
    payload["candidate"]["phoneNumber"] = refused.phone
    body = json.dumps(payload).encode()
    wrongly_signed = http.post(WEBHOOK, content=body, headers=_signed(body, "not-the-secret"))
    assert wrongly_signed.status_code == 401
    secret = emulators.linkedin.first_secret("candidates-linkedin")
    unparsable = json.dumps({**payload, "appliedAt": refused.email}).encode()
    assert http.post(WEBHOOK, content=unparsable, headers=_signed(unparsable, secret)).status_code == 422
    not_json = f"{{'email': '{refused.email}', 'phone': '{refused.phone}'".encode()
    assert http.post(WEBHOOK, content=not_json, headers=_signed(not_json, secret)).status_code == 400


def pull_from_naukri(http: httpx.Client, emulators, external_id: str, pulled: Candidate) -> None:
    _apply_on_naukri(emulators, external_id, asdict(pulled))
    sync_id = _pull_now(http)
    wait_until(
        lambda: http.get(f"/jobs/publishing/sync-applications/{sync_id}/").json()["status"] == "succeeded",
        30,
        what="the Naukri pull",
    )


def pull_a_phone_longer_than_its_column(http: httpx.Client, emulators, external_id: str, unstorable: Candidate):
    """A Naukri candidate whose phone is longer than the column holds: stored cut to the column
    (one value must never fail its page), and nothing said about it names the candidate."""
    _apply_on_naukri(emulators, external_id, {**asdict(unstorable), "phone": too_long_phone(unstorable)})
    sync_id = _pull_now(http)
    wait_until(
        lambda: http.get(f"/jobs/publishing/sync-applications/{sync_id}/").json()["status"] == "succeeded",
        30,
        what="the pull of an application with a phone too long for its column",
    )


def too_long_phone(candidate: Candidate) -> str:
    return candidate.phone + " ext " + "1" * 64


def _apply_on_naukri(emulators, external_id: str, candidate: dict) -> None:
    answer = httpx.post(
        emulators.naukri_url + "/_emulator/applications",
        json={"external_id": external_id, "client_id": "candidates-naukri", "candidate": candidate},
    )
    assert answer.status_code == 201, answer.text


def _pull_now(http: httpx.Client) -> int:
    [sync] = http.post("/jobs/publishing/sync-applications/", json={"platform": "naukri"}).json()["items"]
    return sync["id"]


def import_csv(env: dict, drop: Path, reference: str, imported: Candidate, misfiled: Candidate):
    """`jobpub import-applications` of a file with `imported` on line 2 and `misfiled`'s bad e-mail on line 3."""
    with drop.open("w", newline="") as file:
        rows = csv.writer(file)
        rows.writerow(["application_id", "job_reference", "candidate_name", "email", "phone", "applied_at"])
        rows.writerow(["CSV-OK", reference, imported.name, imported.email, imported.phone, "2026-06-01T10:00:00Z"])
        bad_email = misfiled.email.replace("@", " at ")
        rows.writerow(["CSV-BAD", reference, misfiled.name, bad_email, misfiled.phone, "2026-06-01T10:00:00Z"])
    run = jobpub(env, "import-applications", "naukri", str(drop), "--organization", "candidates-org")
    assert run.returncode == 1 and "stored 1" in run.stdout, run.stdout + run.stderr
    return run


def search_by_query_string(http: httpx.Client, searched: Candidate) -> None:
    """A tenant's tool that looks a candidate up in the query string: no route takes these
    parameters (they are ignored), so only the access log could keep them."""
    params = {"email": searched.email, "phone": searched.phone, "q": searched.name}
    assert http.get("/jobs/publishing/applications/", params=params).status_code == 200


def jobpub(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([JOBPUB, *args], env=env, capture_output=True, text=True, timeout=60)


def _signed(body: bytes, secret: str | None) -> dict:
    digest = hmac.new((secret or "").encode(), body, hashlib.sha256).hexdigest()
    return {"X-LI-Signature": "hmacsha256=" + digest}


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/livez", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
