"""What the publishing endpoints do to the database, apart from HTTP.

Each function works inside the caller's transaction; the route commits once, so the job, its
postings and their `JobPublishRequested` events are stored together or not at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from services.api.schemas.jobs import JobIn, JobPublishingOut, PostingStatusOut
from services.api.schemas.questions import ScreeningQuestionIn
from shared.locations import split_locations, too_many
from shared.models import Application, Job, Posting, PostingStatus
from shared.postings import mark_requested, new_external_id, request_publish_all


class FieldProblem(Exception):
    """Input that is well-formed but cannot be used; reported like a validation error."""

    def __init__(self, loc: tuple[str | int, ...], message: str, kind: str):
        super().__init__(message)
        self.loc, self.message, self.kind = loc, message, kind


class FieldProblems(Exception):
    """Several FieldProblems at once (a job's problems on each platform), answered in one 422."""

    def __init__(self, problems: list[FieldProblem]):
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = problems


class Conflict(Exception):
    """The request does not fit the job's current state (409)."""


class NothingToDo(Conflict):
    """No platform could be acted on: a 409 whose `skipped` says why, per platform."""

    def __init__(self, verb: str, skipped: dict[str, str]):
        super().__init__(f"nothing to {verb}: " + ("; ".join(skipped.values()) or "the job was never published"))
        self.skipped = skipped


def locked_postings(session: Session, job: Job) -> dict[str, list[Posting]]:
    """The job's postings by platform (part 1 first), locked until the transaction ends (workers
    wait for the decision)."""
    query = select(Posting).where(Posting.job_id == job.id).order_by(Posting.platform, Posting.part)
    by_platform: dict[str, list[Posting]] = {}
    for posting in session.scalars(query.with_for_update().execution_options(populate_existing=True)):
        by_platform.setdefault(posting.platform, []).append(posting)
    return by_platform


def new_part(session: Session, job: Job, platform: str, part: int, locations: list[str]) -> Posting:
    """A posting of the job on `platform` carrying `locations`, not yet requested."""
    posting = part_row(job, platform, part, locations)
    posting.external_id = new_external_id(job.id, part)
    session.add(posting)
    return posting


def part_row(job: Job, platform: str, part: int, locations: list[str]) -> Posting:
    """`new_part`'s posting before it has an external id (which names the job's id) or a session."""
    return Posting(organization_id=job.organization_id, job=job, platform=platform, part=part, locations=locations)


def requested_parts(job: Job, platforms: Sequence[str]) -> list[Posting]:
    """A new job's postings on `platforms` (as many parts as each needs), requested, in no session yet."""
    postings = []
    for platform in platforms:
        for number, chunk in enumerate(split_locations(platform, job.all_locations), 1):
            posting = part_row(job, platform, number, chunk)
            mark_requested(posting, "publish")
            postings.append(posting)
    return postings


def find_job(session: Session, organization_id: int, job_id: int) -> Job | None:
    return session.scalar(select(Job).where(Job.id == job_id, Job.organization_id == organization_id))


def create_job(session: Session, organization_id: int, job: JobIn) -> Job:
    row = job_row(organization_id, job)
    session.add(row)
    session.flush()
    return row


def job_row(organization_id: int, job: JobIn) -> Job:
    """The row a new job is stored as, in no session yet."""
    return Job(
        organization_id=organization_id,
        title=job.title,
        description=job.description,
        location=job.all_locations[0],
        locations=job.all_locations,
        employment_type=job.employment_type.value,
        workplace_type=job.workplace_type.value,
        apply_url=job.apply_url,
        company_name=job.company,
        salary=job.salary.model_dump() if job.salary else None,
        skills=list(job.skills),
        expires_at=job.expires_at,
        board_fields=dict(job.board_fields),
        screening_questions=stored_questions(job.screening_questions),
        postings=[],  # known empty: its postings are then listed without reading them back
    )


def stored_questions(
    questions: Sequence[ScreeningQuestionIn] | None, previous: Sequence[dict[str, Any]] | None = None
) -> list[dict[str, Any]] | None:
    """The questions as the job keeps them, each with its id: the one given, else the id an earlier
    question of the same text had (an edit that resends the list keeps it), else a new one."""
    if not questions:
        return None
    earlier = {item["text"]: item["id"] for item in previous or ()}
    taken = {question.id for question in questions if question.id}
    stored = []
    for question in questions:
        identifier = question.id or earlier.get(question.text)
        if identifier is None or (not question.id and identifier in taken):
            identifier = f"q-{uuid.uuid4().hex[:12]}"
        taken.add(identifier)
        stored.append({**question.model_dump(exclude_none=True, exclude={"id"}), "id": identifier})
    return stored


def check_connected(connected: set[str], platforms: Sequence[str]) -> None:
    """Refuse up front a platform the organization has not connected."""
    for platform in platforms:
        if platform not in connected:
            raise FieldProblem(
                ("body", "platforms"),
                f"{platform} is not connected for this organization: configure its credentials first",
                "platform_not_connected",
            )


def job_core(job: Job | JobIn) -> dict[str, Any]:
    """The job's core fields a platform's rules read (services/api/board_checks.py); `locations`
    only where the job names several (a problem is then named by its index)."""
    places = job.all_locations
    core: dict[str, Any] = {"title": job.title, "description": job.description, "location": places[0]}
    if len(places) > 1 or (isinstance(job, JobIn) and job.locations):
        core["locations"] = places
    return core


def check_locations(platforms: Sequence[str], locations: list[str], loc: tuple[str | int, ...]) -> None:
    """A 422 naming the platform when one of them cannot take this many locations (Naukri: nine)."""
    for platform in platforms:
        if problem := too_many(platform, locations):
            raise FieldProblem(loc, problem, "too_many_locations")


def publish_job(
    session: Session, job: Job, platforms: Sequence[str], correlation_id: str | None, *, new_job: bool = False
) -> dict[str, str]:
    """Request publication where the job is not already live or on its way; a failed platform is tried anew.
    A `new_job` (made in this transaction) has no postings to look for.

    Returns the platforms skipped, and why; raises NothingToDo when every one was.
    """
    existing = {} if new_job else locked_postings(session, job)
    skipped: dict[str, str] = {}
    requested: list[Posting] = []
    for platform in platforms:
        parts = existing.get(platform)
        if not parts:
            chunks = split_locations(platform, job.all_locations)
            wanted = [new_part(session, job, platform, number, chunk) for number, chunk in enumerate(chunks, 1)]
        else:
            wanted = [posting for posting in parts if posting.status == PostingStatus.FAILED]
            if not wanted:
                skipped[platform] = why_not_publish(parts[0])
                continue
        requested += wanted
    if len(skipped) == len(platforms):
        raise NothingToDo("publish", skipped)
    request_publish_all(session, requested, reason="publish", correlation_id=correlation_id)
    return skipped


def why_not_publish(posting: Posting) -> str:
    """Why publishing again would change nothing on a posting that has not failed."""
    platform = posting.platform
    if posting.status == PostingStatus.CLOSED:
        return f"{platform} is closed: repost it with POST /jobs/publishing/{posting.job_id}/repost/"
    if posting.status == PostingStatus.PUBLISHED:
        return f"{platform} is already published"
    return f"{platform} is already being published"


def retry_job(session: Session, job: Job, platforms: Sequence[str] | None, correlation_id: str | None) -> None:
    """Publish again every failed posting of the job (on the platforms named: each of their failed parts)."""
    by_platform: dict[str, list[Posting]] = {}
    for posting in job.postings:
        by_platform.setdefault(posting.platform, []).append(posting)
    if platforms is None:
        chosen = [p for p in job.postings if p.status == PostingStatus.FAILED]
        if not chosen:
            raise Conflict("nothing to retry: no platform of this job has failed")
    else:
        chosen = []
        for platform in platforms:
            parts = by_platform.get(platform)
            if not parts:
                raise Conflict(f"the job was never published to {platform}; publish it there instead")
            failed = [p for p in parts if p.status == PostingStatus.FAILED]
            if not failed:
                raise Conflict(f"{platform} is {parts[0].status}; only a failed platform can be retried")
            chosen.extend(failed)
    request_publish_all(session, chosen, reason="retry", correlation_id=correlation_id)


def applications_received(job: Job) -> dict[str, int]:
    """How many applications each platform brought for the job (erased ones included: they came)."""
    session = object_session(job)
    if session is None or job.id is None:
        return {}
    counts = session.execute(
        select(Application.platform, func.count()).where(Application.job_id == job.id).group_by(Application.platform)
    )
    return {platform: count for platform, count in counts}


def job_status(job: Job, *, new_job: bool = False) -> JobPublishingOut:
    """Where the job stands: every posting (by platform, then part), and each platform's first.
    A `new_job` (made in this transaction) has received no applications yet."""
    received = {} if new_job else applications_received(job)
    # Sorted here too: a new job's postings are listed as they were made, not read back in order.
    ordered = sorted(job.postings, key=lambda posting: (posting.platform, posting.part))
    postings = [posting_status(posting, received.get(posting.platform, 0)) for posting in ordered]
    platforms: dict[str, PostingStatusOut] = {}
    for posting in postings:
        platforms.setdefault(posting.platform, posting)
    return JobPublishingOut(job_id=job.id, title=job.title, platforms=platforms, postings=postings)


def posting_status(posting: Posting, applications_received: int = 0) -> PostingStatusOut:
    return PostingStatusOut(
        platform=posting.platform,
        part=posting.part,
        locations=posting.all_locations,
        status=posting.status,
        operation=posting.operation,
        operation_status=posting.operation_status,
        external_id=posting.external_id,
        platform_job_id=posting.platform_job_id,
        url=posting.url,
        attempts=posting.attempts,
        last_error=posting.last_error,
        next_attempt_at=posting.next_attempt_at,
        requested_at=posting.requested_at,
        published_at=posting.published_at,
        updated_at=posting.updated_at,
        applications_received=applications_received,
    )
