"""The whole-pipeline benchmark: publish requests recorded in PostgreSQL → relay → Redis →
`jobpub worker` → Naukri emulator → `JobPublished`, in publishes per second, with where the CPU
went; beside bare dramatiq: the same worker settings running an actor that inserts one row per
message (bench/bare_worker.py).

Every server runs as its own process on loopback; the load is recorded by this process.
"""

from __future__ import annotations

import os
import subprocess
import time

import psycopg
from sqlalchemy import text

from bench.procfs import CpuWatch, descendants
from bench.run import BIN, Processes, bare_env, count_events, jobpub_env, record_publish_requests, wait_for_count

WORKER_THREADS = 8


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
    procs: Processes,
    settings,
    sessions,
    organization_id: int,
    jobs: int,
    emulator: subprocess.Popen,
    processes: int = 1,
) -> dict:
    """`jobs` publishes recorded at once, relay and `jobpub worker --processes N` draining them."""
    relay = procs.start([str(BIN / "jobpub"), "relay"], jobpub_env(settings))
    worker = procs.start(
        [
            str(BIN / "jobpub"),
            "worker",
            "--queues",
            "publish.naukri",
            "--processes",
            str(processes),
            "--threads",
            str(WORKER_THREADS),
        ],
        jobpub_env(settings),
    )
    time.sleep(3 + processes)  # let the worker processes boot before the clock starts
    published_before = count_events(sessions, "JobPublished")
    cpu = CpuWatch(
        {
            "workers": lambda: descendants(worker.pid),
            "PostgreSQL": lambda: database_backends(settings.database_url.replace("+psycopg", "")),
            "emulator": lambda: descendants(emulator.pid),
            "relay": lambda: descendants(relay.pid),
        }
    )
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
