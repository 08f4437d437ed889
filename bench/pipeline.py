"""The whole-pipeline benchmark: publish requests recorded in PostgreSQL → relay → Redis →
`jobpub worker` → Naukri emulator → `JobPublished`, in publishes per second, with where the CPU
went and the round trips per publish (bench/counting.py); beside bare dramatiq: the same worker
settings running an actor that inserts one row per message (bench/bare_worker.py).

Every server runs as its own process on loopback; the load is recorded by this process.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import psycopg
from sqlalchemy import text

from bench.counting import Window, counted_env
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
    counts: Path | None = None,
) -> dict:
    """`jobs` publishes recorded at once, relay and `jobpub worker --processes N` draining them;
    the relay's and workers' round trips counted into `counts` (None: not counted)."""
    env = jobpub_env(settings) if counts is None else counted_env(jobpub_env(settings), counts)
    relay = procs.start([str(BIN / "jobpub"), "relay"], env)
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
        env,
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
    round_trips = Window(counts)
    # The clock starts once the requests are recorded (committed), as the figure says: writing them
    # is the API's work, measured in its own row, and took seconds of the run when it was inside.
    record_publish_requests(sessions, organization_id, jobs)
    round_trips.start()
    cpu.start()
    start = time.perf_counter()
    wait_for_count(lambda: count_events(sessions, "JobPublished") - published_before, jobs, timeout=600)
    elapsed = time.perf_counter() - start
    used = cpu.stop()
    counted = round_trips.stop()
    procs.stop(worker)
    procs.stop(relay)
    return {"per_second": jobs / elapsed, "seconds": elapsed, "cpu": used, "counts": counted}


def cpu_note(used: dict) -> str:
    """Where the CPU went: each group's share of the machine's cores over the run, and the machine's busy share."""
    capacity = used["seconds"] * os.cpu_count()
    parts = ", ".join(f"{name} {seconds / capacity:.0%}" for name, seconds in used["groups"].items())
    return f"CPU of {os.cpu_count()} cores: {parts}; machine busy {used['machine_busy_share']:.0%}"


def bench_bare_dramatiq(procs: Processes, settings, sessions, jobs: int, counts: Path | None = None) -> dict:
    """The ceiling; its round trips are the worker's and this process's sends (the relay's share in jobpub)."""
    env = bare_env(settings)
    worker = procs.start(
        [str(BIN / "dramatiq"), "bench.bare_worker", "--processes", "1", "--threads", str(WORKER_THREADS)],
        env if counts is None else counted_env(env, counts),
    )
    time.sleep(3)
    os.environ.update({k: env[k] for k in ("BENCH_DATABASE_URL", "BENCH_BROKER_URL", "BENCH_NAMESPACE")})
    from bench.bare_worker import insert_row  # builds its broker from the environment set just above

    before = count_bench_rows(sessions)
    workers, sends = Window(counts), Window(None, here=counts is not None)
    cpu = CpuWatch(
        {
            "worker": lambda: descendants(worker.pid),
            "PostgreSQL": lambda: database_backends(settings.database_url.replace("+psycopg", "")),
        }
    )
    workers.start()
    cpu.start()
    start = time.perf_counter()
    sends.start()
    for n in range(jobs):
        insert_row.send(n)
    sent = sends.stop()
    wait_for_count(lambda: count_bench_rows(sessions) - before, jobs, timeout=600)
    elapsed = time.perf_counter() - start
    used = cpu.stop()
    consumed = workers.stop()
    procs.stop(worker)
    counted = None if consumed is None or sent is None else {name: consumed[name] + sent[name] for name in consumed}
    return {"per_second": jobs / elapsed, "seconds": elapsed, "cpu": used, "counts": counted}
