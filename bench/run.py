"""The pipeline and publish API benchmarks, and what every benchmark shares (a database and
Redis namespace of the run's own, child processes, a tenant). `python -m bench` runs them all
(bench/suite.py); `python -m bench.run` is the same command.

1. Whole pipeline: publish requests recorded in PostgreSQL → relay → Redis → `jobpub worker`
   → Naukri emulator → `JobPublished`, in publishes per second; beside bare dramatiq: the same
   worker settings running an actor that inserts one row per message.
2. The publish endpoint (`jobpub api`, one uvicorn process) in requests per second with p50/p99
   latency; beside a bare FastAPI endpoint doing one INSERT and one dramatiq send.

Every server runs as its own process on loopback; the load comes from this process. It uses
its own PostgreSQL database and Redis namespace and removes both afterwards.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
from sqlalchemy import func, select, text

from bench.procfs import CpuWatch, descendants
from shared import tenants
from shared.config import Settings
from shared.connections import save_connection
from shared.crypto import cipher_from_settings
from shared.db import unit_of_work
from shared.models import Job, Posting, PublishingLog
from shared.postings import new_external_id, request_publish
from tests.support import DESCRIPTION, free_port, job_body

POSTGRES_ADMIN = os.environ.get("JOBPUB_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("JOBPUB_BENCH_REDIS", "redis://127.0.0.1:6379/0")
BIN = Path(sys.executable).parent
WORKER_THREADS = 8


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
        child = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
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


def record_publish_requests(sessions, organization_id: int, count: int) -> None:
    """What the API does per request, for `count` jobs in one transaction."""
    with unit_of_work(sessions) as session:
        for n in range(count):
            job = Job(
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
            session.add(job)
            session.flush()
            posting = Posting(organization_id=organization_id, job=job, platform="naukri", external_id=new_external_id(job.id))
            session.add(posting)
            request_publish(session, posting, reason="publish")


def count_events(sessions, kind: str) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(PublishingLog).where(PublishingLog.event_type == kind))


def count_bench_rows(sessions) -> int:
    with sessions() as session:
        return session.scalar(text("SELECT count(*) FROM bench_rows"))


def database_backends(url: str) -> list[int]:
    """PostgreSQL's server processes serving this run's database (the server is shared with others)."""
    with psycopg.connect(url, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return [pid for (pid,) in rows]


def bench_pipeline(
    procs: Processes, settings, sessions, organization_id: int, jobs: int, emulator: subprocess.Popen, processes: int = 1
) -> dict:
    """`jobs` publishes recorded at once, relay and `jobpub worker --processes N` draining them."""
    relay = procs.start([str(BIN / "jobpub"), "relay"], jobpub_env(settings))
    worker = procs.start(
        [str(BIN / "jobpub"), "worker", "--queues", "publish.naukri", "--processes", str(processes),
         "--threads", str(WORKER_THREADS)],
        jobpub_env(settings),
    )
    time.sleep(3 + processes)  # let the worker processes boot before the clock starts
    published_before = count_events(sessions, "JobPublished")
    cpu = CpuWatch({
        "workers": lambda: descendants(worker.pid),
        "PostgreSQL": lambda: database_backends(settings.database_url.replace("+psycopg", "")),
        "emulator": lambda: descendants(emulator.pid),
        "relay": lambda: descendants(relay.pid),
    })
    cpu.start()
    start = time.perf_counter()
    record_publish_requests(sessions, organization_id, jobs)
    wait_for_count(lambda: count_events(sessions, "JobPublished") - published_before, jobs, timeout=600)
    elapsed = time.perf_counter() - start
    used = cpu.stop()
    procs.stop(worker)
    procs.stop(relay)
    return {"per_second": jobs / elapsed, "seconds": elapsed, "cpu": used}


def cpu_note(used: dict) -> str:
    """Where the CPU went: each group's share of the machine's cores over the run, and the machine's busy share."""
    capacity = used["seconds"] * os.cpu_count()
    parts = ", ".join(f"{name} {seconds / capacity:.0%}" for name, seconds in used["groups"].items())
    return f"CPU of {os.cpu_count()} cores: {parts}; machine busy {used['machine_busy_share']:.0%}"


def bench_bare_dramatiq(procs: Processes, settings, sessions, jobs: int) -> dict:
    env = bare_env(settings)
    worker = procs.start(
        [str(BIN / "dramatiq"), "bench.bare_worker", "--processes", "1", "--threads", str(WORKER_THREADS)], env
    )
    time.sleep(3)
    os.environ.update({k: env[k] for k in ("BENCH_DATABASE_URL", "BENCH_BROKER_URL", "BENCH_NAMESPACE")})
    from bench.bare_worker import insert_row  # builds its broker from the environment set just above

    before = count_bench_rows(sessions)
    start = time.perf_counter()
    for n in range(jobs):
        insert_row.send(n)
    wait_for_count(lambda: count_bench_rows(sessions) - before, jobs, timeout=600)
    elapsed = time.perf_counter() - start
    procs.stop(worker)
    return {"per_second": jobs / elapsed, "seconds": elapsed}


def load(url: str, body: dict, headers: dict, total: int, concurrency: int) -> dict:
    """`total` POSTs from `concurrency` threads, each with its own connection."""
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    remaining = iter(range(total))

    def run():
        nonlocal failures
        with httpx.Client(timeout=30) as client:
            while True:
                with lock:
                    if next(remaining, None) is None:
                        return
                began = time.perf_counter()
                status = client.post(url, json=body, headers=headers).status_code
                took = time.perf_counter() - began
                with lock:
                    latencies.append(took)
                    failures += status != 202

    threads = [threading.Thread(target=run) for _ in range(concurrency)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    ordered = sorted(latencies)
    return {
        "per_second": total / elapsed,
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[int(len(ordered) * 0.99) - 1] * 1000,
        "failures": failures,
    }


def bench_api(procs: Processes, settings, api_key: str, requests: int, concurrency: int) -> tuple[dict, dict]:
    body = {"job": job_body(), "platforms": ["naukri"]}
    port = free_port()
    api = procs.start([str(BIN / "jobpub"), "api", "--port", str(port)], jobpub_env(settings))
    wait_for_http(f"http://127.0.0.1:{port}/livez")
    load(f"http://127.0.0.1:{port}/jobs/publishing/publish/", body, {"X-API-Key": api_key}, 100, concurrency)  # warm-up
    ours = load(f"http://127.0.0.1:{port}/jobs/publishing/publish/", body, {"X-API-Key": api_key}, requests, concurrency)
    procs.stop(api)

    port = free_port()
    bare = procs.start(
        [str(BIN / "uvicorn"), "bench.bare_api:app", "--port", str(port), "--log-level", "warning", "--no-access-log"],
        bare_env(settings),
    )
    wait_for_http(f"http://127.0.0.1:{port}/docs")
    load(f"http://127.0.0.1:{port}/publish/", body, {}, 100, concurrency)
    ceiling = load(f"http://127.0.0.1:{port}/publish/", body, {}, requests, concurrency)
    procs.stop(bare)
    return ours, ceiling


if __name__ == "__main__":
    from bench.suite import main

    main()
