"""jobpub's benchmarks in one command, each figure beside its ceiling measured in the same run on
the same machine; prints one Markdown table.

    .venv/bin/python -m bench [--jobs 1000] [--requests 2000] [--concurrency 16] [--quota 50]
                              [--memory-messages 100000] [--applications 100000]
                              [--feed-jobs 10000] [--feed-rounds 3] [--skip part …] [--no-counts]

Parts, in order: the pipeline with 1, 2 and 4 worker processes (bench/pipeline.py) and its ceiling,
bare dramatiq; the publish API (bench/publish_api.py) and its ceiling, a bare FastAPI endpoint; the
quota use of two worker processes sharing one platform quota (bench/quota.py); a worker's memory
over many messages (bench/memory.py); applications ingest and pull (bench/applications.py); the
job feed served by the API beside a bare serialisation of the same rows (bench/feed.py).
Every server is its own process on loopback; every part uses a database and Redis namespace of
this run's own, removed afterwards. Beside the pipeline, API and applications figures: the round
trips per unit (database statements, transactions and round trips; Redis commands and round
trips) counted in the run's processes (bench/counting.py), jobpub's and the ceiling's, and the CPU
milliseconds per unit of jobpub's processes (bench/per_unit.py).
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import sys
import tempfile
import time
from pathlib import Path

import redis
from sqlalchemy import text

from bench import applications, counting
from bench.feed import bench_feed
from bench.memory import bench_memory
from bench.per_unit import cpu_ms, round_trips
from bench.pipeline import WORKER_THREADS, bench_bare_dramatiq, bench_pipeline, cpu_note
from bench.publish_api import bench_api
from bench.quota import LATENCY_SECONDS, WORKER_PROCESSES, bench_quota
from bench.run import BIN, REDIS_URL, Processes, bench_database, make_tenant, wait_for_http
from shared.config import Settings
from shared.crypto import generate_key
from shared.db import build_engine, build_session_factory
from shared.migrate import migrate
from tests.support import free_port

PARTS = ("pipeline", "api", "quota", "memory", "applications", "feed")
SCALING_PROCESSES = (1, 2, 4)


def run_publishing(procs: Processes, url: str, namespace: str, args) -> list[tuple]:
    client_id, secret = "bench", secrets.token_urlsafe(16)
    emulator_port = free_port()
    emulator_url = f"http://127.0.0.1:{emulator_port}"
    emulator = procs.start(
        [str(BIN / "jobpub"), "emulator", "naukri", "--port", str(emulator_port), "--client", f"{client_id}:{secret}"],
        dict(os.environ),
    )
    wait_for_http(f"{emulator_url}/_emulator/stats")
    settings = Settings(
        database_url=url,
        broker_url=REDIS_URL,
        broker_namespace=namespace,
        encryption_keys=generate_key(),
        naukri_api_url=emulator_url,
    )
    engine = build_engine(settings)
    migrate(engine)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE bench_rows (id BIGSERIAL PRIMARY KEY, payload TEXT)"))
    sessions = build_session_factory(engine)
    organization_id, api_key = make_tenant(settings, sessions, client_id, secret)
    rows: list[tuple] = []
    if "pipeline" not in args.skip:
        rows += pipeline_rows(procs, settings, sessions, organization_id, emulator, args)
    if "api" not in args.skip:
        rows += api_rows(procs, settings, api_key, args)
    if "quota" not in args.skip:
        rows += quota_rows(procs, settings, sessions, (organization_id, client_id, secret), args)
    if "memory" not in args.skip:
        if "pipeline" in args.skip:  # the memory run re-sends publishes of published postings
            bench_pipeline(procs, settings, sessions, organization_id, 100, emulator)
        rows += memory_rows(procs, settings, sessions, args)
    engine.dispose()
    return rows


def pipeline_rows(procs, settings, sessions, organization_id, emulator, args) -> list[tuple]:
    def counts(name: str) -> Path | None:
        return args.counts and args.counts / name

    runs = {
        n: bench_pipeline(procs, settings, sessions, organization_id, args.jobs, emulator, n, counts(f"pipeline-{n}"))
        for n in SCALING_PROCESSES
    }
    bare = bench_bare_dramatiq(procs, settings, sessions, args.jobs, counts("bare-dramatiq"))
    one = runs[1]["per_second"]
    rows = [
        (
            f"pipeline publishes/s, request recorded → `JobPublished` ({args.jobs:,} jobs; 1 worker process, "
            f"{WORKER_THREADS} threads; Naukri emulator)",
            one,
            bare["per_second"],
            "bare dramatiq actor doing one INSERT",
            cpu_note(runs[1]["cpu"]),
            round_trips(runs[1]["counts"], args.jobs),
            round_trips(bare["counts"], args.jobs),
            cpu_ms(runs[1]["cpu"], args.jobs, bare["cpu"]),
        )
    ]
    for n in SCALING_PROCESSES[1:]:
        rows.append(
            (
                f"scaling: pipeline publishes/s with {n} worker processes ({WORKER_THREADS} threads each)",
                runs[n]["per_second"],
                one * n,
                f"{n} × the 1-process figure (linear)",
                cpu_note(runs[n]["cpu"]),
                round_trips(runs[n]["counts"], args.jobs),
                "",
                cpu_ms(runs[n]["cpu"], args.jobs),
            )
        )
    return rows


def api_rows(procs, settings, api_key, args) -> list[tuple]:
    ours, bare = bench_api(procs, settings, api_key, args.requests, args.concurrency, args.counts)
    load = f"{args.requests:,} requests, {args.concurrency} clients, one uvicorn process; rate limiter on"
    return [
        (
            f"publish API requests/s ({load})",
            ours["per_second"],
            bare["per_second"],
            "bare FastAPI doing one INSERT and one dramatiq send",
            f"non-202 answers: {ours['failures']}",
            round_trips(ours["counts"], args.requests),
            round_trips(bare["counts"], args.requests),
            cpu_ms(ours["cpu"], args.requests, bare["cpu"]),
        ),
        ("publish API latency p50, ms", ours["p50_ms"], bare["p50_ms"], "", ""),
        ("publish API latency p99, ms", ours["p99_ms"], bare["p99_ms"], "", ""),
    ]


def quota_rows(procs, settings, sessions, tenant, args) -> list[tuple]:
    common = dict(per_second=args.quota, seconds=args.quota_seconds, threads=args.quota_threads)
    paced = bench_quota(procs, settings, sessions, tenant, paced=True, **common)
    unpaced = bench_quota(procs, settings, sessions, tenant, paced=False, **common)
    setup = (
        f"N = {args.quota:g} requests/s per client, {LATENCY_SECONDS * 1000:.0f} ms answers; {WORKER_PROCESSES} "
        f"worker processes × {args.quota_threads} threads; {args.quota_seconds:g} s window"
    )
    return [
        (
            f"quota use: platform requests/s admitted ({setup}; paced)",
            paced["per_second"],
            args.quota,
            "N, the platform's quota",
            f"429s: {paced['refused']}; sent before a Retry-After passed: {paced['ignored_retry_after']}; "
            f"{paced['jobs']:,} jobs",
        ),
        (
            "quota use without pacing (`NAUKRI_REQUESTS_PER_SECOND=0`; Retry-After still honoured)",
            unpaced["per_second"],
            args.quota,
            "N",
            f"429s: {unpaced['refused']}; sent before a Retry-After passed: {unpaced['ignored_retry_after']}",
        ),
    ]


def memory_rows(procs, settings, sessions, args) -> list[tuple]:
    memory = bench_memory(procs, settings, sessions, args.memory_messages)
    return [
        (
            f"worker resident memory over {args.memory_messages:,} messages, MiB: start / end / peak "
            "(duplicate publishes of published postings)",
            f"{memory['start']:.0f} / {memory['end']:.0f} / {memory['peak']:.0f}",
            None,
            "",
            f"{memory['per_second']:,.0f} messages/s, {WORKER_THREADS} threads",
        )
    ]


def feed_rows(procs: Processes, url: str, args) -> list[tuple]:
    measured = bench_feed(procs, url, args.feed_jobs, args.feed_rounds)
    (ours, size, _), (bare, _, _) = measured["ours"], measured["bare"]
    jobs = args.feed_jobs
    return [
        (
            f"job feed: jobs/s served by `GET /feeds/{{token}}/indeed.xml`, {jobs:,} live jobs ({size / 1e6:.1f} MB), "
            f"`jobpub api` on loopback, read to the end",
            jobs / ours,
            jobs / bare,
            "one psycopg query of the same rows written as XML by string formatting, in process",
            f"best of {args.feed_rounds}; {ours:.2f} s vs ceiling {bare:.2f} s",
        ),
        (
            "job feed: the API process's resident memory while serving it, MiB: before / peak",
            f"{measured['before_kib'] / 1024:.0f} / {measured['peak_kib'] / 1024:.0f}",
            None,
            "",
            "streamed 500 rows a batch: the whole feed is never held",
        ),
    ]


def print_table(rows: list[tuple], elapsed: float) -> None:
    print(f"\njobpub bench — {machine()}; every ceiling measured in the same run\n")
    print(
        "| measure | jobpub | ceiling | ratio | round trips per unit, jobpub | round trips per unit, ceiling "
        "| CPU ms per unit, jobpub | notes |"
    )
    print("|---|---:|---:|---:|---|---|---|---|")
    for name, ours, ceiling, label, notes, *per_unit in rows:
        ours_trips, ceiling_trips, cpu = (*per_unit, "", "", "")[:3]
        # Latencies have no ratio worth reading (lower is better); their row carries no ceiling label.
        ratio = f"{ours / ceiling:.2f}" if isinstance(ours, float) and ceiling and label else ""
        ceiling_text = f"{ceiling:,.1f}" + (f" — {label}" if label else "") if ceiling else "—"
        ours_text = f"{ours:,.1f}" if isinstance(ours, float) else str(ours)
        print(f"| {name} | {ours_text} | {ceiling_text} | {ratio} | {ours_trips} | {ceiling_trips} | {cpu} | {notes} |")
    print(f"\ncommand: {' '.join([os.path.relpath(sys.executable), '-m', 'bench', *sys.argv[1:]])}")
    print(f"whole run: {elapsed / 60:.1f} min")


def machine() -> str:
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    system = f"{platform.system()} {platform.release()}"
    return f"{os.cpu_count()} cores, {memory_gib:.0f} GiB, {system}, Python {platform.python_version()}"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=1000, help="publishes through the pipeline, per run")
    parser.add_argument("--requests", type=int, default=2000, help="requests to each API")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent API clients")
    parser.add_argument("--quota", type=float, default=50, help="the emulator's quota N, requests/s")
    parser.add_argument("--quota-seconds", type=float, default=20, help="the measured window of a quota run")
    parser.add_argument("--quota-threads", type=int, default=16, help="threads per worker process in the quota runs")
    parser.add_argument("--memory-messages", type=int, default=100_000)
    parser.add_argument("--applications", type=int, default=100_000, help="applications fed to ingest and ceiling")
    parser.add_argument("--duplicate-share", type=float, default=0.1, help="share of applications repeating one")
    parser.add_argument("--feed-jobs", type=int, default=10_000, help="live jobs in the feed part's feed")
    parser.add_argument("--feed-rounds", type=int, default=3, help="feed reads per side; the best counts")
    parser.add_argument("--skip", nargs="*", default=[], choices=PARTS, help="parts not to run")
    parser.add_argument(
        "--no-counts", action="store_true", help="do not count round trips (to see what counting costs)"
    )
    args = parser.parse_args()
    args.pull_applications = args.applications
    return args


def main() -> None:
    args = parse_args()
    start = time.perf_counter()
    procs = Processes()
    namespace = f"jobpub-bench-{os.getpid()}"
    rows: list[tuple] = []
    scratch = tempfile.TemporaryDirectory(prefix="jobpub-bench-counts-")
    args.counts = None if args.no_counts else Path(scratch.name)
    if args.counts:
        counting.install()  # the load this process generates itself: the ceilings' sends, the applications
    try:
        if set(PARTS[:4]) - set(args.skip):  # the parts that publish share a database and an emulator
            with bench_database() as url:
                rows += run_publishing(procs, url, namespace, args)
        procs.stop_all()
        if "applications" not in args.skip:
            with bench_database() as url:
                rows += [
                    (name, ours, ceiling, "raw `INSERT … ON CONFLICT DO NOTHING` of the same rows", *rest)
                    for name, ours, ceiling, *rest in applications.run_all(procs, url, args)
                ]
        if "feed" not in args.skip:
            with bench_database() as url:
                rows += feed_rows(procs, url, args)
    finally:
        procs.stop_all()
        scratch.cleanup()
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{namespace}*"):
            client.delete(key)
    print_table(rows, time.perf_counter() - start)


if __name__ == "__main__":
    main()
