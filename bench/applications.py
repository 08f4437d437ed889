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

Correctness is checked in the run: after (1) the table holds exactly N − duplicates rows; after
(3) it holds what the emulator holds. Everything runs on loopback in a PostgreSQL database of
this run's own, dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import sys
import time
from datetime import UTC, datetime, timedelta

import httpx
import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy import func, select, text

from bench.run import BIN, Processes, bench_database, make_tenant, wait_for_http
from services.syncer.syncing import run_sync
from shared.applications import store_applications
from shared.config import Settings
from shared.context import build_worker_context
from shared.crypto import generate_key
from shared.db import build_engine, build_session_factory, unit_of_work
from shared.migrate import migrate
from shared.models import Application, Job, Posting, PostingStatus
from shared.platforms.base import EmploymentType, PlatformCredentials, PostingContent, WorkplaceType
from shared.platforms.naukri import NaukriPlatform, parse_application
from shared.postings import new_external_id
from shared.syncs import request_sync
from tests.support import DESCRIPTION, free_port

PAGE_SIZE = 100  # the syncer's page (Settings.sync_page_size, at most 100 on both platforms)
JOBS = 20
# Applications per `POST /_emulator/applications`: small enough that a page of the pull mixes
# several jobs, as a real organization's would; large enough that setup stays in seconds.
APPLY_BATCH = 10
COLUMNS = (
    "organization_id",
    "job_id",
    "posting_id",
    "platform",
    "external_application_id",
    "source",
    "candidate_name",
    "candidate_email",
    "candidate_phone",
    "resume_url",
    "cover_letter",
    "answers",
    "applied_at",
    "raw",
    "received_at",
)
NOTICE_PERIODS = ("Immediate", "15 days", "30 days", "60 days", "90 days")


def wire(number: int, reference: str, applied_at: datetime) -> dict:
    """A Naukri application as the pull delivers it (the emulator's shape), so `raw` is realistic."""
    return {
        "applicationId": f"NB{90_000_000 + number}",
        "jobId": f"NK{70_000_000 + number % JOBS}",
        "reference": reference,
        "appliedAt": applied_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "candidate": {
            "name": f"Candidate {number}",
            "email": f"candidate.{number}@candidates.example",
            "phone": f"+91 98{number * 7919 % 10**8:08d}",
        },
        "resumeUrl": f"http://127.0.0.1/media/resumes/{number}.pdf",
        "coverLetter": "I am interested in the Bench position at Bench. Please find my resume attached.",
        "answers": {"noticePeriod": NOTICE_PERIODS[number % 5], "currentCtc": f"{6 + number % 20} LPA"},
    }


def application_stream(total: int, duplicate_share: float, references: list[str]) -> tuple[list, int]:
    """`total` applications in arrival order, and how many of them repeat an earlier one.

    Application i is a repeat when floor((i+1)·share) steps up, so repeats are spread evenly
    (share 0.1: every 10th). A repeat is an earlier application sent again, picked at random
    from those already sent: most land on an earlier page, where only the database catches them.
    """
    rng = random.Random(7)  # the same stream every run
    start = datetime(2025, 1, 1, tzinfo=UTC)
    stream, unique = [], []
    for i in range(total):
        if i and int((i + 1) * duplicate_share) > int(i * duplicate_share):
            stream.append(rng.choice(unique))
            continue
        n = len(unique) + 1
        application = parse_application(wire(n, references[n % len(references)], start + timedelta(seconds=n)))
        unique.append(application)
        stream.append(application)
    return stream, total - len(unique)


def pages(items: list) -> list[list]:
    return [items[start : start + PAGE_SIZE] for start in range(0, len(items), PAGE_SIZE)]


def create_postings(sessions, organization_id: int, platform: NaukriPlatform, credentials) -> dict[str, Posting]:
    """JOBS published jobs: created on the emulator through its real API, recorded as ours."""
    made = {}
    with unit_of_work(sessions) as session:
        for n in range(JOBS):
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
            external_id = new_external_id(job.id)
            state = platform.create_posting(content_of(job, external_id), credentials)
            posting = Posting(
                organization_id=organization_id,
                job=job,
                platform="naukri",
                external_id=external_id,
                status=PostingStatus.PUBLISHED,
                platform_job_id=state.platform_job_id,
                url=state.url,
            )
            session.add(posting)
            session.flush()
            made[posting.external_id] = posting
    return made


def content_of(job: Job, external_id: str) -> PostingContent:
    return PostingContent(
        external_id=external_id,
        title=job.title,
        description=job.description,
        location=job.location,
        employment_type=EmploymentType.FULL_TIME,
        workplace_type=WorkplaceType.REMOTE,
        apply_url=job.apply_url,
        company_name=job.company_name,
        listed_at=datetime.now(UTC),
    )


def count_applications(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Application))


def bench_ingest(sessions, organization_id: int, stream: list) -> dict:
    new = duplicates = 0
    start = time.perf_counter()
    for page in pages(stream):
        with unit_of_work(sessions) as session:  # one transaction a page, as `_pull_page` does
            stored = store_applications(session, organization_id, "naukri", "Naukri", page)
        new, duplicates = new + stored.new, duplicates + stored.duplicates
    elapsed = time.perf_counter() - start
    return {"per_second": len(stream) / elapsed, "seconds": elapsed, "new": new, "duplicates": duplicates}


def ceiling_rows(stream: list, organization_id: int, postings: dict[str, Posting]) -> list[tuple]:
    """The rows `store_applications` writes, made before the clock starts: the ceiling only inserts."""
    now = datetime.now(UTC)
    rows = []
    for a in stream:
        posting = postings[a.job_external_id]
        rows.append(
            (
                organization_id,
                posting.job_id,
                posting.id,
                "naukri",
                a.external_id,
                "Naukri",
                a.candidate_name,
                a.candidate_email,
                a.candidate_phone,
                a.resume_url,
                a.cover_letter,
                Jsonb(a.answers),
                a.applied_at,
                Jsonb(a.raw),
                now,
            )
        )
    return rows


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
        start = time.perf_counter()
        for page in pages(rows):
            connection.execute(head + ", ".join([row_marks] * len(page)) + tail, [v for row in page for v in row])
            connection.commit()
        elapsed = time.perf_counter() - start
        stored = connection.execute("SELECT count(*) FROM bench_applications").fetchone()[0]
    return {"per_second": len(rows) / elapsed, "seconds": elapsed, "stored": stored}


def apply_on_emulator(emulator_url: str, references: list[str], total: int) -> float:
    """Candidates apply, APPLY_BATCH at a time, round-robin over the postings. Returns seconds."""
    start = time.perf_counter()
    with httpx.Client(base_url=emulator_url, timeout=60) as client:
        for made in range(0, total, APPLY_BATCH):
            body = {
                "external_id": references[(made // APPLY_BATCH) % len(references)],
                "count": min(APPLY_BATCH, total - made),
            }
            client.post("/_emulator/applications", json=body).raise_for_status()
    return time.perf_counter() - start


def bench_pull(settings: Settings, sessions, organization_id: int, emulator_url: str) -> dict:
    context = build_worker_context(settings, sessions)
    with unit_of_work(sessions) as session:
        sync_id = request_sync(session, organization_id, "naukri", trigger="cli", dispatch=False)
    start = time.perf_counter()
    outcome = run_sync(context, sync_id)
    elapsed = time.perf_counter() - start
    held = httpx.get(f"{emulator_url}/_emulator/stats").json()["applications"]
    return {"per_second": outcome.fetched / elapsed, "seconds": elapsed, "outcome": outcome, "held": held}


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


def start_emulator(procs: Processes, client_id: str, secret: str) -> str:
    port = free_port()
    procs.start(
        [str(BIN / "jobpub"), "emulator", "naukri", "--port", str(port), "--client", f"{client_id}:{secret}"],
        dict(os.environ),
    )
    url = f"http://127.0.0.1:{port}"
    wait_for_http(f"{url}/_emulator/stats")
    return url


def run_all(procs: Processes, url: str, args) -> list[tuple]:
    client_id, secret = "bench", secrets.token_urlsafe(16)
    emulator_url = start_emulator(procs, client_id, secret)
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
        ingest = bench_ingest(sessions, organization_id, stream)
        check("applications stored after ingest", count_applications(sessions), len(stream) - duplicates)
        check("duplicates reported by store_applications", ingest["duplicates"], duplicates)

        make_ceiling_table(url)
        ceiling = bench_ceiling(url, ceiling_rows(stream, organization_id, postings))
        check("rows in the ceiling table", ceiling["stored"], len(stream) - duplicates)

        with engine.begin() as connection:  # the pull starts from an empty table, as ingest did
            connection.execute(text("TRUNCATE applications"))
        applying = apply_on_emulator(emulator_url, references, args.pull_applications)
        pull = bench_pull(settings, sessions, organization_id, emulator_url)
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
        ),
        (
            "whole pull applications/s (run_sync)",
            pull["per_second"],
            ceiling["per_second"],
            (
                f"N={args.pull_applications} from the emulator, {pull['seconds']:.1f} s; reading the pages alone: "
                f"{fetch['per_second']:.0f}/s; candidates applied in {applying:.1f} s"
            ),
        ),
    ]


def print_table(rows: list[tuple], elapsed: float) -> None:
    print(f"\njobpub applications bench — {os.cpu_count()} cores; ceilings measured in the same run\n")
    print(f"| {'measure':<46} | {'jobpub':>9} | {'ceiling':>9} | {'ratio':>6} | notes")
    print(f"|{'-' * 48}|{'-' * 11}|{'-' * 11}|{'-' * 8}|------")
    for name, ours, ceiling, notes in rows:
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
