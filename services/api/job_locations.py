"""A change of a published job's locations, carried to its postings (inside the caller's transaction).

Each platform in use splits the new locations its own way (shared/locations.py); then, part by
part: a part that still has locations keeps them in its row (its update sends them), a part
that is new is created and published, a part closed earlier that is needed again is reposted,
and a part left without locations is closed. A platform whose postings are all closed (or being
closed) is left alone: editing a job does not reopen it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from services.api.job_publishing import check_locations, new_part
from shared.locations import split_locations
from shared.models import Job, Operation, Posting, PostingStatus
from shared.operations import in_flight, request_operation
from shared.postings import request_publish, request_repost, why_not_repost


@dataclass
class Reshaped:
    """What a change of locations did: postings it already asked for (no update for them)."""

    handled: set[int] = field(default_factory=set)  # ids of parts closed or reposted
    platforms: set[str] = field(default_factory=set)  # platforms where something was asked for


def in_use(parts: list[Posting]) -> bool:
    """Some part of the platform is live, on its way or failed (not closed, not being closed)."""
    return any(p.status != PostingStatus.CLOSED and in_flight(p) != Operation.CLOSE for p in parts)


def check_new_locations(by_platform: dict[str, list[Posting]], locations: list[str]) -> None:
    """A 422 (nothing stored) when a platform the job is on cannot take the new locations."""
    platforms = [platform for platform, parts in by_platform.items() if in_use(parts)]
    check_locations(platforms, locations, ("body", "locations"))


def reshape_parts(
    session: Session, job: Job, by_platform: dict[str, list[Posting]], correlation_id: str | None
) -> Reshaped:
    """Give every platform in use as many postings as the job's locations now need there."""
    done = Reshaped()
    for platform, parts in by_platform.items():
        if not in_use(parts):
            continue
        chunks = split_locations(platform, job.all_locations)
        numbered = {posting.part: posting for posting in parts}
        for number, chunk in enumerate(chunks, 1):
            posting = numbered.get(number)
            if posting is None:
                posting = new_part(session, job, platform, number, chunk)
                request_publish(session, posting, reason="publish", correlation_id=correlation_id)
                done.platforms.add(platform)
                continue
            posting.locations = chunk
            if posting.status == PostingStatus.CLOSED and why_not_repost(posting) is None:
                request_repost(session, posting, correlation_id=correlation_id)
                done.handled.add(posting.id)
                done.platforms.add(platform)
        for posting in parts:
            if (
                posting.part > len(chunks)
                and posting.status != PostingStatus.CLOSED
                and in_flight(posting) != Operation.CLOSE
            ):
                request_operation(session, posting, Operation.CLOSE, correlation_id=correlation_id)
                done.handled.add(posting.id)
                done.platforms.add(platform)
    return done
