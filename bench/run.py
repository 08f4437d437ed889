"""What every benchmark shares: a PostgreSQL database and Redis namespace of the run's own
(removed afterwards), the child processes it starts (all stopped on the way out), waiting for a
server or a count, the environment a `jobpub` or bare process runs with, a tenant, and publish
requests recorded as the API records them.

The benchmarks themselves: bench/pipeline.py, bench/publish_api.py, bench/quota.py,
bench/memory.py, bench/applications.py, bench/feed.py. `python -m bench` runs them all (bench/suite.py);
`python -m bench.run` is the same command.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
from sqlalchemy import func, select

from shared import tenants
from shared.config import Settings
from shared.connections import save_connection
from shared.crypto import cipher_from_settings
from shared.db import unit_of_work
from shared.models import Job, Posting, PublishingLog
from shared.postings import new_external_id, request_publish
from tests.support import DESCRIPTION

POSTGRES_ADMIN = os.environ.get("JOBPUB_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("JOBPUB_BENCH_REDIS", "redis://127.0.0.1:6379/0")
BIN = Path(sys.executable).parent


@contextmanager
def bench_database():
    name = f"jobpub_bench_{os.getpid()}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = POSTGRES_ADMIN.rsplit("/", 1)[0] + "/" + name
    try:
        yield url
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Processes:
    """Child processes of this run; all are stopped on the way out."""

    def __init__(self):
        self.children: list[subprocess.Popen] = []

    def start(self, args: list[str], env: dict) -> subprocess.Popen:
        child = subprocess.Popen(
            args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        self.children.append(child)
        return child

    def stop(self, child: subprocess.Popen) -> None:
        if child.poll() is None:
            os.killpg(child.pid, 15)
            try:
                child.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, 9)
                child.wait(5)

    def stop_all(self) -> None:
        for child in self.children:
            self.stop(child)


def wait_for_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


def wait_for_count(count, target: int, timeout: float) -> float:
    """Seconds until `count()` reaches `target`."""
    start = time.perf_counter()
    while count() < target:
        if time.perf_counter() - start > timeout:
            raise RuntimeError(f"only {count()} of {target} done after {timeout}s")
        time.sleep(0.02)
    return time.perf_counter() - start


def jobpub_env(settings: Settings) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOBPUB_")}
    env.update(
        JOBPUB_DATABASE_URL=settings.database_url,
        JOBPUB_BROKER_URL=settings.broker_url,
        JOBPUB_BROKER_NAMESPACE=settings.broker_namespace,
        JOBPUB_ENCRYPTION_KEYS=settings.encryption_keys.get_secret_value(),
        JOBPUB_NAUKRI_API_URL=settings.naukri_api_url,
        JOBPUB_LOG_LEVEL="WARNING",
        # One organization sends the whole load: lift its limit, but keep the limiter's cost in the figure.
        JOBPUB_RATE_LIMIT="1000000/minute",
    )
    return env


def bare_env(settings: Settings) -> dict:
    env = dict(os.environ)
    env.update(
        BENCH_DATABASE_URL=settings.database_url,
        BENCH_BROKER_URL=settings.broker_url,
        BENCH_NAMESPACE=settings.broker_namespace + "-bare",
        PYTHONPATH=str(Path(__file__).resolve().parent.parent),
    )
    return env


def make_tenant(settings: Settings, sessions, client_id: str, secret: str) -> tuple[int, str]:
    with unit_of_work(sessions) as session:
        organization = tenants.create_organization(session, "bench")
        _, key = tenants.create_api_key(session, organization.id)
        save_connection(
            session,
            cipher_from_settings(settings),
            organization_id=organization.id,
            platform="naukri",
            client_id=client_id,
            client_secret=secret,
        )
    return organization.id, key


def bench_job(organization_id: int, n: int) -> Job:
    """The job every benchmark publishes, the n-th of its run."""
    return Job(
        organization_id=organization_id,
        title=f"Bench job {n}",
        description=DESCRIPTION,
        location="Pune, India",
        employment_type="full_time",
        workplace_type="remote",
        apply_url="https://bench.example/apply",
        company_name="Bench",
        skills=[],
    )


def record_publish_requests(sessions, organization_id: int, count: int) -> None:
    """What the API does per request, for `count` jobs in one transaction."""
    with unit_of_work(sessions) as session:
        for n in range(count):
            job = bench_job(organization_id, n)
            session.add(job)
            session.flush()
            posting = Posting(
                organization_id=organization_id, job=job, platform="naukri", external_id=new_external_id(job.id)
            )
            session.add(posting)
            request_publish(session, posting, reason="publish")


def count_events(sessions, kind: str) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(PublishingLog).where(PublishingLog.event_type == kind))


if __name__ == "__main__":
    from bench.suite import main

    main()
