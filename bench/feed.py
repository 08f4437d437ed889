"""How fast the job feed serves 10,000 live jobs, beside a bare serialisation of the same rows.

    .venv/bin/python -m bench.feed [--jobs 10000] [--rounds 3]

`python -m bench` runs it too, as its `feed` part (`--feed-jobs`, `--feed-rounds`), its rows
beside the others (bench/suite.py).

1. Ours: `GET /feeds/{token}/indeed.xml` from a `jobpub api` process on loopback (token check,
   validators query, batches of rows through the ORM, lxml with CDATA, streamed), read to the end
   with httpx; the best of `--rounds`. The API process's peak resident memory (VmHWM) is printed
   beside its resident memory before the first request: the stream's bound on memory, measured.
2. Ceiling: the same rows in one psycopg 3 query, written as the same XML by string formatting
   (no ORM, no lxml, no HTTP), in this process.

Correctness is checked in the run: both hold one <job> per live job. A PostgreSQL database of this
run's own, dropped afterwards.
"""

from __future__ import annotations

import argparse
import secrets
import time
from datetime import UTC, datetime, timedelta

import httpx
import psycopg
from sqlalchemy import insert, select

from bench.procfs import memory_kib
from bench.run import BIN, REDIS_URL, Processes, bench_database, jobpub_env, wait_for_http
from shared import tenants
from shared.config import Settings
from shared.connections import save_connection
from shared.crypto import cipher_from_settings, generate_key
from shared.db import build_engine, build_session_factory, unit_of_work
from shared.feed_address import FEED_PLATFORM, feed_token, feed_url, new_feed_secret
from shared.migrate import migrate
from shared.models import Job, Posting, PostingStatus
from tests.support import DESCRIPTION, free_port

INSERT_BATCH = 1_000
BARE_QUERY = """
SELECT p.external_id, p.published_at, j.title, j.description, j.location, j.employment_type, j.company_name
FROM postings p JOIN jobs j ON j.id = p.job_id
WHERE p.organization_id = %s AND p.platform = 'feed' AND p.status = 'published' ORDER BY p.id
"""


def seed(settings: Settings, jobs: int) -> str:
    """An organization with `jobs` live feed jobs; returns its feed's token."""
    sessions = build_session_factory(build_engine(settings))
    secret, now = new_feed_secret(), datetime.now(UTC)
    with unit_of_work(sessions) as session:
        organization_id = tenants.create_organization(session, "bench-feed").id
        save_connection(
            session,
            cipher_from_settings(settings),
            organization_id=organization_id,
            platform=FEED_PLATFORM,
            client_id="job feed",
            client_secret=secret,
        )
    for start in range(0, jobs, INSERT_BATCH):
        with unit_of_work(sessions) as session:
            rows = [
                {
                    "organization_id": organization_id,
                    "title": f"Engineer {number} & <friends>",
                    "description": DESCRIPTION,
                    "location": "Bengaluru, Karnataka, India",
                    "employment_type": "full_time",
                    "workplace_type": "hybrid",
                    "apply_url": f"https://acme.example/careers/{number}",
                    "company_name": "Acme",
                    "salary": {"minimum": 2_400_000, "maximum": 3_600_000, "currency": "INR", "period": "yearly"},
                    "skills": [],
                    "expires_at": now + timedelta(days=30),
                }
                for number in range(start, min(start + INSERT_BATCH, jobs))
            ]
            job_ids = session.scalars(insert(Job).returning(Job.id), rows).all()
            session.execute(
                insert(Posting),
                [
                    {
                        "organization_id": organization_id,
                        "job_id": job_id,
                        "platform": FEED_PLATFORM,
                        "status": PostingStatus.PUBLISHED,
                        "external_id": f"jobpub-{job_id}-{secrets.token_hex(8)}",
                        "published_at": now,
                    }
                    for job_id in job_ids
                ],
            )
    with sessions() as session:
        assert len(session.scalars(select(Posting.id)).all()) == jobs
    return feed_token(organization_id, secret)


def bare_feed(database_url: str, organization_id: int) -> tuple[float, int, int]:
    """Seconds, bytes and jobs of the same rows written as XML by hand, straight from psycopg."""
    started = time.perf_counter()
    with psycopg.connect(database_url.replace("+psycopg", "")) as connection:
        rows = connection.execute(BARE_QUERY, (organization_id,)).fetchall()
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n<source>\n']
    for reference, published_at, title, description, location, job_type, company in rows:
        fields = (title, published_at.isoformat(), reference, company, location, description, job_type)
        tags = ("title", "date", "referencenumber", "company", "city", "description", "jobtype")
        parts.append(
            "<job>" + "".join(f"<{t}><![CDATA[{v}]]></{t}>" for t, v in zip(tags, fields, strict=True)) + "</job>\n"
        )
    parts.append("</source>\n")
    body = "".join(parts).encode()
    return time.perf_counter() - started, len(body), body.count(b"<job>")


def served_feed(url: str) -> tuple[float, int, int]:
    started = time.perf_counter()
    with httpx.stream("GET", url, timeout=120) as answer:
        answer.raise_for_status()
        body = b"".join(answer.iter_bytes())
    return time.perf_counter() - started, len(body), body.count(b"<job>")


def bench_feed(procs: Processes, url: str, jobs: int, rounds: int) -> dict:
    """Seconds and bytes of ours and of the ceiling (best of `rounds` each), and the API's memory in KiB."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    settings = Settings(
        database_url=url,
        broker_url=REDIS_URL,
        broker_namespace=f"bench-feed-{secrets.token_hex(4)}",
        encryption_keys=generate_key(),
        public_base_url=base_url,
    )
    engine = build_engine(settings)
    migrate(engine)
    engine.dispose()
    token = seed(settings, jobs)
    api = procs.start(
        [str(BIN / "jobpub"), "api", "--port", str(port)],
        jobpub_env(settings) | {"JOBPUB_PUBLIC_BASE_URL": base_url},
    )
    try:
        wait_for_http(f"{base_url}/livez")
        before = memory_kib(api.pid)["rss"]
        ours = min(served_feed(feed_url(base_url, token)) for _ in range(rounds))
        peak = memory_kib(api.pid)["peak"]
    finally:
        procs.stop(api)
    bare = min(bare_feed(url, int(token.split("-", 1)[0])) for _ in range(rounds))
    assert ours[2] == bare[2] == jobs, (ours, bare)  # both hold one <job> per live job
    return {"ours": ours, "bare": bare, "before_kib": before, "peak_kib": peak}


def run(jobs: int, rounds: int) -> None:
    procs = Processes()
    try:
        with bench_database() as url:
            measured = bench_feed(procs, url, jobs, rounds)
    finally:
        procs.stop_all()
    ours, bare = measured["ours"], measured["bare"]
    print(f"| feed of {jobs} live jobs | seconds | MB | jobs/s |")
    print("|---|---|---|---|")
    print(f"| ours: GET /feeds/…/indeed.xml | {ours[0]:.2f} | {ours[1] / 1e6:.1f} | {jobs / ours[0]:,.0f} |")
    print(f"| ceiling: one query + string XML | {bare[0]:.2f} | {bare[1] / 1e6:.1f} | {jobs / bare[0]:,.0f} |")
    print(f"\nours / ceiling: {ours[0] / bare[0]:.1f}× the time")
    before, peak = measured["before_kib"] / 1024, measured["peak_kib"] / 1024
    print(f"API process memory: {before:.0f} MiB before, {peak:.0f} MiB at its peak")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    run(args.jobs, args.rounds)


if __name__ == "__main__":
    main()
