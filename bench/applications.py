"""How fast jobpub takes applications in, beside a raw bulk INSERT measured in the same run.

    .venv/bin/python -m bench.applications [--applications 100000] [--duplicate-share 0.1]
                                           [--pull-applications N (default: --applications)]

1. Ingest: `store_applications` (the path every route ends in) fed pages of 100 Naukri
   applications, one transaction a page as the syncer does; a share of them repeat an
   application sent earlier (spread evenly through the stream), over 20 jobs of one organization.
2. Ceiling: the same rows, 100 per INSERT … ON CONFLICT DO NOTHING and per transaction, with
   psycopg 3 directly, into a fresh copy of the applications table (same unique constraint and
   foreign keys) — no posting look-up, no dedup in Python, no ORM.
3. A whole pull: the real `run_sync` against a Naukri emulator run as a subprocess, after
   candidates applied there through `POST /_emulator/applications` to postings created through
   its `POST /v1/jobs`; page size 100. Beside it, reading the same pages without storing them.

Each beside the round trips per application its process counted (bench/counting.py, when the
suite installed it) and the CPU milliseconds per application of this process and PostgreSQL.

Correctness is checked in the run: after (1) the table holds exactly N − duplicates rows; after
(3) it holds what the emulator holds. Everything runs on loopback in a PostgreSQL database of
this run's own, dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time

import httpx
import psycopg
from sqlalchemy import func, select, text

from bench.application_data import (
    COLUMNS,
    JOBS,
    PAGE_SIZE,
    application_stream,
    apply_on_emulator,
    ceiling_rows,
    create_postings,
    pages,
)
from bench.counting import Window
from bench.per_unit import cpu_ms, round_trips
from bench.pipeline import database_backends
from bench.procfs import CpuWatch, descendants
from bench.run import BIN, Processes, bench_database, make_tenant, wait_for_http
from services.syncer.syncing import run_sync
from shared.applications import store_applications
from shared.config import Settings
from shared.context import build_worker_context
from shared.crypto import generate_key
from shared.db import build_engine, build_session_factory, unit_of_work
from shared.migrate import migrate
from shared.models import Application
from shared.platforms.base import PlatformCredentials
from shared.platforms.naukri import NaukriPlatform
from shared.syncs import request_sync
from tests.support import free_port


def count_applications(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Application))


class Cost:
    """This process's round trips and its and its database's CPU (and an emulator's, apart) over a block."""

    def __init__(self, url: str, emulator_pid: int | None = None):
        groups = {"this process": lambda: [os.getpid()], "PostgreSQL": lambda: database_backends(url)}
        if emulator_pid is not None:
            groups["emulator"] = lambda: descendants(emulator_pid)
        self._cpu, self._round_trips = CpuWatch(groups), Window(None, here=True)

    def __enter__(self):
        self._round_trips.start()
        self._cpu.start()
        return self

    def __exit__(self, *_):
        self.cpu, self.counts = self._cpu.stop(), self._round_trips.stop()


def bench_ingest(url: str, sessions, organization_id: int, stream: list) -> dict:
    new = duplicates = 0
    with Cost(url) as cost:
        start = time.perf_counter()
        for page in pages(stream):
            with unit_of_work(sessions) as session:  # one transaction a page, as `_pull_page` does
                stored = store_applications(session, organization_id, "naukri", "Naukri", page)
            new, duplicates = new + stored.new, duplicates + stored.duplicates
        elapsed = time.perf_counter() - start
    return {
        "per_second": len(stream) / elapsed,
        "seconds": elapsed,
        "new": new,
        "duplicates": duplicates,
        "cpu": cost.cpu,
        "counts": cost.counts,
    }


def make_ceiling_table(url: str) -> None:
    # LIKE copies columns, defaults, indexes and the unique key but not foreign keys; the three
    # are added so every inserted row is checked against the same parents as in `applications`.
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("CREATE TABLE bench_applications (LIKE applications INCLUDING ALL)")
        for column, parent in (("organization_id", "organizations"), ("job_id", "jobs"), ("posting_id", "postings")):
            connection.execute(f"ALTER TABLE bench_applications ADD FOREIGN KEY ({column}) REFERENCES {parent} (id)")


def bench_ceiling(url: str, rows: list[tuple]) -> dict:
    row_marks = "(" + ", ".join(["%s"] * len(COLUMNS)) + ")"
    head = f"INSERT INTO bench_applications ({', '.join(COLUMNS)}) VALUES "
    tail = " ON CONFLICT (organization_id, platform, external_application_id) DO NOTHING"
    with psycopg.connect(url) as connection:
        with Cost(url) as cost:
            start = time.perf_counter()
            for page in pages(rows):
                connection.execute(head + ", ".join([row_marks] * len(page)) + tail, [v for row in page for v in row])
                connection.commit()
            elapsed = time.perf_counter() - start
        stored = connection.execute("SELECT count(*) FROM bench_applications").fetchone()[0]
    return {
        "per_second": len(rows) / elapsed,
        "seconds": elapsed,
        "stored": stored,
        "cpu": cost.cpu,
        "counts": cost.counts,
    }


def bench_pull(settings: Settings, sessions, organization_id: int, emulator: tuple[str, int]) -> dict:
    emulator_url, emulator_pid = emulator
    context = build_worker_context(settings, sessions)
    with unit_of_work(sessions) as session:
        sync_id = request_sync(session, organization_id, "naukri", trigger="cli", dispatch=False)
    with Cost(settings.database_url.replace("+psycopg", ""), emulator_pid) as cost:
        start = time.perf_counter()
        outcome = run_sync(context, sync_id)
        elapsed = time.perf_counter() - start
    held = httpx.get(f"{emulator_url}/_emulator/stats").json()["applications"]
    return {
        "per_second": outcome.fetched / elapsed,
        "seconds": elapsed,
        "outcome": outcome,
        "held": held,
        "cpu": cost.cpu,
        "counts": cost.counts,
    }


def bench_fetch_only(platform: NaukriPlatform, credentials) -> dict:
    """The same pages read and parsed by the adapter, nothing stored: what the pull cannot beat."""
    fetched, cursor, has_more = 0, None, True
    start = time.perf_counter()
    while has_more:
        page = platform.fetch_applications(credentials, cursor, page_size=PAGE_SIZE)
        fetched += len(page.applications)
        cursor, has_more = page.next_cursor, page.has_more and bool(page.applications)
    elapsed = time.perf_counter() - start
    return {"per_second": fetched / elapsed, "seconds": elapsed}


def check(what: str, got: int, expected: int) -> None:
    print(f"check: {what}: {got} (expected {expected}) {'ok' if got == expected else 'MISMATCH'}")


def start_emulator(procs: Processes, client_id: str, secret: str) -> tuple[str, int]:
    """The emulator's URL and process id."""
    port = free_port()
    emulator = procs.start(
        [str(BIN / "jobpub"), "emulator", "naukri", "--port", str(port), "--client", f"{client_id}:{secret}"],
        dict(os.environ),
    )
    url = f"http://127.0.0.1:{port}"
    wait_for_http(f"{url}/_emulator/stats")
    return url, emulator.pid


def run_all(procs: Processes, url: str, args) -> list[tuple]:
    client_id, secret = "bench", secrets.token_urlsafe(16)
    emulator = start_emulator(procs, client_id, secret)
    emulator_url = emulator[0]
    settings = Settings(
        database_url=url,
        encryption_keys=generate_key(),
        naukri_api_url=emulator_url,
        sync_page_size=PAGE_SIZE,
        log_level="WARNING",
    )
    engine = build_engine(settings)
    migrate(engine)
    sessions = build_session_factory(engine)
    organization_id, _ = make_tenant(settings, sessions, client_id, secret)
    credentials = PlatformCredentials(client_id, secret)
    with httpx.Client(timeout=30) as http:
        platform = NaukriPlatform(http, api_url=emulator_url)
        postings = create_postings(sessions, organization_id, platform, credentials)
        references = list(postings)

        stream, duplicates = application_stream(args.applications, args.duplicate_share, references)
        ingest = bench_ingest(url, sessions, organization_id, stream)
        check("applications stored after ingest", count_applications(sessions), len(stream) - duplicates)
        check("duplicates reported by store_applications", ingest["duplicates"], duplicates)

        make_ceiling_table(url)
        ceiling = bench_ceiling(url, ceiling_rows(stream, organization_id, postings))
        check("rows in the ceiling table", ceiling["stored"], len(stream) - duplicates)

        with engine.begin() as connection:  # the pull starts from an empty table, as ingest did
            connection.execute(text("TRUNCATE applications CASCADE"))  # and the status updates referring to them
        applying = apply_on_emulator(emulator_url, references, args.pull_applications)
        pull = bench_pull(settings, sessions, organization_id, emulator)
        check("applications fetched by the pull vs held by the emulator", pull["outcome"].fetched, pull["held"])
        check("applications stored by the pull vs held by the emulator", count_applications(sessions), pull["held"])
        fetch = bench_fetch_only(platform, credentials)
    engine.dispose()
    share = f"{duplicates} ({duplicates / len(stream):.0%}) repeats"
    return [
        (
            "ingest applications/s (store_applications)",
            ingest["per_second"],
            ceiling["per_second"],
            (
                f"{len(stream)} applications, {share}, {JOBS} jobs, {PAGE_SIZE} a page; "
                f"{ingest['seconds']:.1f} s vs ceiling {ceiling['seconds']:.1f} s"
            ),
            round_trips(ingest["counts"], len(stream)),
            round_trips(ceiling["counts"], len(stream)),
            cpu_ms(ingest["cpu"], len(stream), ceiling["cpu"]),
        ),
        (
            "whole pull applications/s (run_sync)",
            pull["per_second"],
            ceiling["per_second"],
            (
                f"N={args.pull_applications} from the emulator, {pull['seconds']:.1f} s; reading the pages alone: "
                f"{fetch['per_second']:.0f}/s; candidates applied in {applying:.1f} s"
            ),
            round_trips(pull["counts"], pull["outcome"].fetched),
            round_trips(ceiling["counts"], len(stream)),
            cpu_ms(pull["cpu"], pull["outcome"].fetched),
        ),
    ]


def print_table(rows: list[tuple], elapsed: float) -> None:
    print(f"\njobpub applications bench — {os.cpu_count()} cores; ceilings measured in the same run\n")
    print(f"| {'measure':<46} | {'jobpub':>9} | {'ceiling':>9} | {'ratio':>6} | notes")
    print(f"|{'-' * 48}|{'-' * 11}|{'-' * 11}|{'-' * 8}|------")
    for name, ours, ceiling, notes, *_per_unit in rows:
        print(f"| {name:<46} | {ours:>9.1f} | {ceiling:>9.1f} | {ours / ceiling:>6.2f} | {notes}")
    print("\nceiling: the same rows as bulk INSERT … ON CONFLICT DO NOTHING from this process with psycopg 3, into a")
    print("copy of the applications table with its unique key and foreign keys. The emulator shares the machine.")
    print(f"command: {' '.join([os.path.relpath(sys.executable), '-m', 'bench.applications', *sys.argv[1:]])}")
    print(f"whole run: {elapsed:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applications", type=int, default=100_000, help="applications fed to ingest and ceiling")
    parser.add_argument("--duplicate-share", type=float, default=0.1, help="share of them repeating an earlier one")
    parser.add_argument(
        "--pull-applications", type=int, help="applications the pull brings back (default: --applications)"
    )
    args = parser.parse_args()
    args.pull_applications = args.pull_applications or args.applications
    start = time.perf_counter()
    procs = Processes()
    with bench_database() as url:
        try:
            rows = run_all(procs, url, args)
        finally:
            procs.stop_all()
    print_table(rows, time.perf_counter() - start)


if __name__ == "__main__":
    main()
