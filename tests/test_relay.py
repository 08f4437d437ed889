"""The outbox relay: nothing the API accepted is lost while Redis is down.

This test runs its own redis-server on a free loopback port and its own database, so stopping
that Redis disturbs nothing else (not the machine's Redis, not the other tests' relay).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from services.api.app import create_app
from shared.db import build_engine, build_session_factory
from tests.conftest import Pipeline, create_tenant, held_on, log_of, own_database, run_settings
from tests.support import free_port, job_body, wait_until


class OwnRedis:
    def __init__(self, port: int):
        self.port = port
        self.process = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is needed for this test (.ci/run installs it)"
        self.process = subprocess.Popen(
            [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        wait_until(self._answers, 10, what="redis-server to answer")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(10)


@dataclass
class Isolated:
    client: TestClient
    sessions: object
    settings: object
    redis: OwnRedis
    pipeline: Pipeline


@pytest.fixture
def isolated(request, emulators):
    """API, relay and (unless the test says `no_worker`) a worker, on their own Redis and database."""
    redis_server = OwnRedis(free_port())
    redis_server.start()
    with own_database("_relay") as url:
        settings = run_settings(
            url, emulators, broker_url=f"redis://127.0.0.1:{redis_server.port}/0", recovery_stalled_after_seconds=2.0
        )
        engine = build_engine(settings)
        sessions = build_session_factory(engine)
        pipeline = Pipeline(settings, sessions).start(with_worker="no_worker" not in request.keywords)
        try:
            with TestClient(create_app(settings, engine)) as client:
                yield Isolated(client, sessions, settings, redis_server, pipeline)
        finally:
            # Worker first, while its Redis still answers: a worker thread cut off from its
            # broker mid-message would hold up the worker's stop.
            pipeline.stop_workers()
            if redis_server.process.poll() is None:
                redis_server.stop()
            engine.dispose()


def status_of(client, tenant, job_id) -> str:
    return client.get(f"/jobs/publishing/{job_id}/status/", headers=tenant.headers).json()["platforms"]["naukri"][
        "status"
    ]


def publisher(isolated: Isolated, tenant):
    return lambda: isolated.client.post(
        "/jobs/publishing/publish/", json={"job": job_body(), "platforms": ["naukri"]}, headers=tenant.headers
    )


def test_requests_accepted_while_redis_is_down_are_published_when_it_returns(isolated, emulators):
    client, sessions, settings, redis_server = isolated.client, isolated.sessions, isolated.settings, isolated.redis
    tenant = create_tenant(sessions, settings, emulators, platforms=("naukri",))
    publish = publisher(isolated, tenant)
    before = publish().json()["job_id"]
    wait_until(lambda: status_of(client, tenant, before) == "published", what="the first job to publish")

    redis_server.stop()
    during = [publish() for _ in range(3)]
    assert [answer.status_code for answer in during] == [202, 202, 202]
    time.sleep(1.0)  # the relay tries, fails and keeps the rows
    for answer in during:
        job_id = answer.json()["job_id"]
        assert status_of(client, tenant, job_id) == "pending"
        [request] = [row for row in log_of(sessions, job_id) if row.event_type == "JobPublishRequested"]
        assert request.dispatched_at is None

    redis_server.start()
    for answer in during:
        job_id = answer.json()["job_id"]
        wait_until(
            lambda job_id=job_id: status_of(client, tenant, job_id) == "published",
            30,
            what=f"job {job_id} after Redis returned",
        )
        assert len(held_on(emulators, sessions, job_id, "naukri")) == 1


@pytest.mark.no_worker
def test_messages_lost_in_a_redis_restart_are_recovered_from_the_database(isolated, emulators):
    tenant = create_tenant(isolated.sessions, isolated.settings, emulators, platforms=("naukri",))
    job_id = publisher(isolated, tenant)().json()["job_id"]
    wait_until(
        lambda: all(r.dispatched_at for r in log_of(isolated.sessions, job_id)), what="the relay to send the request"
    )
    isolated.redis.stop()  # no persistence: the queued message is gone with it
    isolated.redis.start()
    isolated.pipeline.start_worker()

    wait_until(
        lambda: status_of(isolated.client, tenant, job_id) == "published", 30, what="recovery to publish the job"
    )
    assert len(held_on(emulators, isolated.sessions, job_id, "naukri")) == 1
    reasons = [
        r.payload.get("reason") for r in log_of(isolated.sessions, job_id) if r.event_type == "JobPublishRequested"
    ]
    assert reasons[0] == "publish" and "recovered" in reasons


@pytest.mark.no_worker
def test_readyz_says_not_ready_while_redis_is_stopped_and_livez_stays_up(isolated):
    assert isolated.client.get("/readyz").json() == {"status": "ready", "checks": {"database": "ok", "broker": "ok"}}
    isolated.redis.stop()
    down = isolated.client.get("/readyz")
    assert down.status_code == 503 and down.json()["checks"]["broker"].startswith("unavailable")
    assert isolated.client.get("/livez").status_code == 200
    isolated.redis.start()
    assert isolated.client.get("/readyz").status_code == 200
