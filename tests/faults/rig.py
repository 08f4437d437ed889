"""A fault scenario's whole deployment: its own Redis (a private redis-server), its own database
(on the shared PostgreSQL, or on a private cluster when the scenario restarts PostgreSQL), the
API in this process, and `jobpub relay` / `jobpub worker` as real processes.

Timings are shrunk so every recovery path (heartbeat, maintenance, lease, backoff, the relay's
recovery of lost messages) plays out in seconds, not minutes.
"""

from __future__ import annotations

import secrets
import tempfile
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from services.api.app import create_app
from shared.db import build_engine, build_session_factory
from shared.migrate import migrate
from shared.models import Posting, PostingStatus
from tests.conftest import RUN_ID, Tenant, create_tenant, own_database, run_settings
from tests.faults import processes
from tests.faults.servers import OwnPostgres
from tests.support import PUBLISH, free_port, job_body, wait_until
from tests.test_relay import OwnRedis

# What every scenario runs with (each may override): a dead worker is noticed within two seconds
# (an idle live one heartbeats about every second, its poll interval), maintenance runs on every
# broker command, a killed attempt's lease lapses in two seconds.
FAULT_TIMINGS = dict(
    worker_heartbeat_timeout_ms=2_000,
    worker_maintenance_chance=1_000_000,
    lease_seconds=2.0,
    http_timeout_seconds=1.0,
    recovery_stalled_after_seconds=5.0,
    publish_max_attempts=10,  # a posting struck by several faults in a row still gets through
    rate_limit="",  # one organization posts 500 jobs in seconds here; scenario 9 sets its own limit
    log_level="WARNING",
)


@dataclass
class Rig:
    settings: object
    sessions: object
    client: TestClient
    redis: OwnRedis
    emulators: object
    folder: Path
    postgres: OwnPostgres | None = None
    running: list = field(default_factory=list)

    def tenant(self, platforms=("naukri",)) -> Tenant:
        return create_tenant(self.sessions, self.settings, self.emulators, platforms)

    def publish(self, tenant: Tenant, platforms=("naukri",)) -> int:
        body = {"job": job_body(), "platforms": list(platforms)}
        answer = self.client.post(PUBLISH, json=body, headers=tenant.headers)
        assert answer.status_code == 202, answer.text
        return answer.json()["job_id"]

    def publish_many(self, tenant: Tenant, count: int, platforms=("naukri",)) -> list[int]:
        return [self.publish(tenant, platforms) for _ in range(count)]

    def start_relay(self, **extra) -> processes.Process:
        relay = processes.start_relay(self.settings, self.folder, **extra)
        self.running.append(relay)
        return relay

    def start_worker(self, name: str = "a", **options) -> processes.Process:
        worker = processes.start_worker(self.settings, self.folder, name, **options)
        self.running.append(worker)
        return worker

    def start_api(self) -> str:
        """A `jobpub api` process on a free loopback port; returns its base URL once it answers."""
        port = free_port()
        self.running.append(processes.start_api(self.settings, self.folder, port))
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: _answers(url + "/livez"), 30, what="the API process to answer")
        return url

    def count_postings(self, *statuses: str) -> int:
        with self.sessions() as session:
            query = select(func.count()).select_from(Posting)
            if statuses:
                query = query.where(Posting.status.in_(statuses))
            return session.scalar(query)

    def unsettled(self) -> int:
        return self.count_postings() - self.count_postings(PostingStatus.PUBLISHED, PostingStatus.FAILED)

    def wait_until_settled(self, timeout: float, what: str = "every posting to settle") -> float:
        """Poll the database (not the API, one query per poll) until no posting is on its way."""
        started = time.monotonic()
        wait_until(lambda: self.unsettled() == 0, timeout, interval=0.2, what=what)
        return time.monotonic() - started

    def stop_processes(self) -> None:
        for process in self.running:
            process.kill()
        self.running.clear()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def _database(own_cluster: bool):
    if not own_cluster:
        with own_database(f"_faults_{secrets.token_hex(3)}") as url:
            yield url, None
        return
    cluster = OwnPostgres().create()
    try:
        with psycopg.connect(cluster.admin_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "jobpub_faults_{RUN_ID}"')
        url = cluster.url_of(f"jobpub_faults_{RUN_ID}")
        yield url, cluster
    finally:
        cluster.destroy()


@contextmanager
def fault_rig(emulators, *, own_postgres: bool = False, **overrides):
    """Everything a scenario needs, torn down afterwards whatever happened."""
    with ExitStack() as stack:
        redis_server = OwnRedis(free_port())
        redis_server.start()
        stack.callback(lambda: redis_server.process.poll() is None and redis_server.stop())
        url, cluster = stack.enter_context(_database(own_postgres))
        settings = run_settings(
            url, emulators, broker_url=f"redis://127.0.0.1:{redis_server.port}/0", **{**FAULT_TIMINGS, **overrides}
        )
        engine = build_engine(settings)
        if cluster is not None:
            migrate(engine)
        stack.callback(engine.dispose)
        client = stack.enter_context(TestClient(create_app(settings, engine)))
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="jobpub-faults-")))
        rig = Rig(settings, build_session_factory(engine), client, redis_server, emulators, folder, cluster)
        stack.callback(rig.stop_processes)  # first of the teardown: processes before their servers
        try:
            yield rig
        except BaseException:
            _show_logs(folder)
            raise


def _show_logs(folder: Path) -> None:
    """On failure, the tail of each process's log: the first place to look."""
    for log in sorted(folder.glob("*.log")):
        tail = log.read_text(errors="replace").splitlines()[-30:]
        print(f"--- {log.name} (last {len(tail)} lines)", *tail, sep="\n")
