"""The applications the ingest benchmark (bench/applications.py) feeds jobpub and its ceiling: a
stream of Naukri applications with a share of repeats, the postings they apply to, the same rows
as the raw INSERT takes them, and candidates applying on the emulator for the pull."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

import httpx
from psycopg.types.json import Jsonb

from bench.run import bench_job
from shared.db import unit_of_work
from shared.models import Job, Posting, PostingStatus
from shared.platforms.base import EmploymentType, PostingContent, WorkplaceType
from shared.platforms.naukri import NaukriPlatform, parse_application
from shared.postings import new_external_id

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
            job = bench_job(organization_id, n)
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
