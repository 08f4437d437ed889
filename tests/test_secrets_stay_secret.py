"""A canary secret goes in through the API and is found nowhere afterwards: not in any API answer,
not in the DEBUG logs of real `jobpub api`, `jobpub relay` and `jobpub worker` processes that
published, pulled and tested connections (one of them with a refused secret), and not in clear
text in a `pg_dump` of the database."""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path

import httpx
import redis

from shared import tenants
from shared.db import build_engine, build_session_factory, unit_of_work
from tests.conftest import REDIS_URL, RUN_ID, own_database, run_settings, settings_env
from tests.support import free_port, publish_and_wait, wait_until

JOBPUB = str(Path(sys.executable).parent / "jobpub")


def test_a_canary_secret_appears_in_no_answer_no_log_line_and_no_database_dump(emulators, tmp_path):
    canary = "CANARY-" + secrets.token_hex(12)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with own_database("_canary") as url:
        settings = run_settings(
            url,
            emulators,
            broker_namespace=f"jobpub-canary-{RUN_ID}",
            public_base_url=base,
            log_level="DEBUG",
            log_json=True,
        )
        engine = build_engine(settings)
        with unit_of_work(build_session_factory(engine)) as session:
            organization = tenants.create_organization(session, "canary-org")
            _, api_key = tenants.create_api_key(session, organization.id)
        engine.dispose()
        env = settings_env(settings)
        logs = [tmp_path / f"{name}.log" for name in ("api", "relay", "worker")]
        commands = (["api", "--port", str(port)], ["relay"], ["worker", "--processes", "1", "--threads", "2"])
        processes = [
            subprocess.Popen(
                [JOBPUB, *command], env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
            )
            for command, log in zip(commands, logs, strict=True)
        ]
        answers: list[httpx.Response] = []
        try:
            answers = run_a_tenants_day(base, api_key, canary, emulators)
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(30)
            client = redis.Redis.from_url(REDIS_URL)
            for key in client.scan_iter(f"{settings.broker_namespace}*"):
                client.delete(key)
        dump = subprocess.run(
            ["pg_dump", "--data-only", url.replace("+psycopg", "")], capture_output=True, text=True, check=True
        )

    written = {log.name: log.read_text() for log in logs}
    assert "publish.published" in written["worker.log"]  # the logs did record the run
    tokens = emulators.linkedin.issued_tokens("canary-linkedin")
    assert tokens  # the worker and the API did get LinkedIn access tokens
    for name, text in written.items():
        assert canary not in text, f"the canary is in {name}"
        assert api_key not in text, f"the API key is in {name}"
        assert not any(token in text for token in tokens), f"a LinkedIn access token is in {name}"
    for answer in answers:
        assert canary not in answer.text, answer.request.url
    assert "canary-linkedin" in dump.stdout  # the dump does hold the connections
    assert canary not in dump.stdout


def run_a_tenants_day(base: str, api_key: str, canary: str, emulators) -> list[httpx.Response]:
    """Configure three platforms with the canary (Indeed's apply secret too), publish, let candidates
    apply, pull, test connections."""
    headers = {"X-API-Key": api_key}
    wait_until(lambda: _answers(base), 30, what="jobpub api to answer")
    emulators.linkedin.register_client("canary-linkedin", canary)
    emulators.naukri.register_client("canary-naukri", canary)
    emulators.indeed.register_client("canary-indeed", canary)
    emulators.indeed.set_apply_secret("canary-indeed", f"{canary}-apply")  # Indeed signs its pushes with it
    http = httpx.Client(base_url=base, headers=headers, timeout=10)
    answers = [
        http.put(
            "/jobs/publishing/platforms/linkedin/",
            json={
                "client_id": "canary-linkedin",
                "client_secret": canary,
                "organization_urn": "urn:li:organization:77",
            },
        ),
        http.put("/jobs/publishing/platforms/naukri/", json={"client_id": "canary-naukri", "client_secret": canary}),
        http.put(
            "/jobs/publishing/platforms/indeed/",
            json={"client_id": "canary-indeed", "client_secret": canary, "apply_secret": f"{canary}-apply"},
        ),
    ]
    boards = ["linkedin", "naukri", "indeed"]
    published, status = publish_and_wait(http, boards)
    job_id = published.json()["job_id"]
    for platform in boards:
        getattr(emulators, platform).apply(
            status["platforms"][platform]["external_id"], count=2, client_id=f"canary-{platform}"
        )
    assert emulators.linkedin.wait_for_webhooks(20)
    assert [d["status"] for d in emulators.indeed.deliveries() if d["url"].startswith(base)] == [200, 200]
    syncs = http.post("/jobs/publishing/sync-applications/", json={})
    answers += [
        published,
        syncs,
        http.get(f"/jobs/publishing/{job_id}/status/"),
        http.get("/jobs/publishing/platforms/"),
    ]
    for sync in syncs.json()["items"]:
        wait_until(
            lambda sync=sync: (
                http.get(f"/jobs/publishing/sync-applications/{sync['id']}/").json()["status"] == "succeeded"
            ),
            30,
        )
    answers.append(http.get("/jobs/publishing/applications/"))
    answers.append(http.post("/jobs/publishing/platforms/linkedin/test-connection/"))
    # A refused secret: the error path must not echo it either.
    answers.append(http.patch("/jobs/publishing/platforms/naukri/", json={"client_secret": canary + "-wrong"}))
    answers.append(http.post("/jobs/publishing/platforms/naukri/test-connection/"))
    # An apply secret where none belongs: refused, not echoed.
    answers.append(http.patch("/jobs/publishing/platforms/naukri/", json={"apply_secret": f"{canary}-apply"}))
    answers.append(
        http.put("/jobs/publishing/platforms/linkedin/", json={"client_id": "x", "client_secret": canary})
    )  # 422
    assert answers[-1].status_code == 422 and answers[-2].status_code == 422 and answers[-3].json()["ok"] is False
    # Two each from LinkedIn and Naukri, and two Indeed pushed signed with the apply secret.
    assert len(http.get("/jobs/publishing/applications/").json()["items"]) == 6
    return answers


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/livez", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
