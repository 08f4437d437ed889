"""One request followed through the logs: its X-Request-ID travels through the outbox and the
queue into the JSON log lines of a real `jobpub worker` process."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import redis
from fastapi.testclient import TestClient

from services.api.app import create_app
from services.relay.relay import Relay
from shared.broker import build_broker
from shared.db import build_engine, build_session_factory
from tests.conftest import REDIS_URL, RUN_ID, create_tenant, own_database, run_settings, settings_env
from tests.support import job_body, wait_until

JOBPUB = str(Path(sys.executable).parent / "jobpub")


def test_a_request_id_reaches_the_worker_log_lines_of_that_job(emulators, tmp_path):
    trace = "trace-" + RUN_ID.replace("_", "-")
    log_file = tmp_path / "worker.log"
    with own_database("_trace") as url:
        settings = run_settings(url, emulators, broker_namespace=f"jobpub-trace-{RUN_ID}", log_json=True)
        engine = build_engine(settings)
        sessions = build_session_factory(engine)
        tenant = create_tenant(sessions, settings, emulators, platforms=("naukri",))
        stop = threading.Event()
        relay = threading.Thread(
            target=Relay(settings, sessions, build_broker(settings)).run, args=(stop,), daemon=True
        )
        worker = subprocess.Popen(
            [JOBPUB, "worker", "--processes", "1", "--threads", "2"],
            env=settings_env(settings),
            stdout=log_file.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        relay.start()
        try:
            with TestClient(create_app(settings, engine)) as client:
                answer = client.post(
                    "/jobs/publishing/publish/",
                    json={"job": job_body(), "platforms": ["naukri"]},
                    headers={**tenant.headers, "X-Request-ID": trace},
                )
                job_id = answer.json()["job_id"]
                wait_until(
                    lambda: (
                        client.get(f"/jobs/publishing/{job_id}/status/", headers=tenant.headers).json()["platforms"][
                            "naukri"
                        ]["status"]
                        == "published"
                    ),
                    30,
                    what="the worker to publish",
                )
        finally:
            stop.set()
            worker.terminate()
            worker.wait(30)
            relay.join(5)
            engine.dispose()
            client_redis = redis.Redis.from_url(REDIS_URL)
            for key in client_redis.scan_iter(f"{settings.broker_namespace}*"):
                client_redis.delete(key)

    lines = [json.loads(line) for line in log_file.read_text().splitlines() if line.startswith("{")]
    of_the_job = [line for line in lines if line.get("job_id") == job_id]
    assert any(line["event"] == "publish.published" for line in of_the_job)
    assert of_the_job and all(line.get("correlation_id") == trace for line in of_the_job)
