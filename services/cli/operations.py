"""Operator commands: a job's publishing log, and the failures to list and replay."""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime
from typing import Annotated

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.cli.admin import database, fail, organization_or_fail
from shared.config import get_settings
from shared.db import build_engine, build_session_factory
from shared.models import Job, Posting, PublishingLog
from shared.replays import FailureFilter, failed_postings, replay_postings, what_failed

# The payload fields worth a glance on one line, in this order; --json shows everything.
HEADLINE_FIELDS = (
    "operation",
    "reason",
    "attempt",
    "platform_job_id",
    "url",
    "error",
    "retry_at",
    "new",
    "duplicates",
    "change",
    "listing_status",
    "by",
    "why",
)


def log(
    job_id: Annotated[int, typer.Argument(help="The job's id.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per event, with its whole payload.")] = False,
) -> None:
    """Print a job's publishing log, oldest first: every event, its platform and what it said."""
    with database() as session:
        job = session.get(Job, job_id)
        if job is None:
            fail(f"no job {job_id}")
        rows = session.scalars(
            select(PublishingLog).where(PublishingLog.job_id == job_id).order_by(PublishingLog.id)
        ).all()
        typer.echo(f"job {job.id} “{job.title}” (organization {job.organization_id}): {len(rows)} events", err=as_json)
        for row in rows:
            typer.echo(_as_json(row) if as_json else _as_line(row))


def _as_line(row: PublishingLog) -> str:
    details = "  ".join(f"{name}={row.payload[name]}" for name in HEADLINE_FIELDS if row.payload.get(name) is not None)
    sent = (
        ""
        if row.dispatch_queue is None
        else (f"  → {row.dispatch_queue}" + ("" if row.dispatched_at else " (waiting)"))
    )
    return f"{row.created_at:%Y-%m-%d %H:%M:%S}  {row.event_type:<26} {row.platform or '-':<9} {details}{sent}"


def _as_json(row: PublishingLog) -> str:
    return json.dumps(
        {
            "id": row.id,
            "event_type": row.event_type,
            "platform": row.platform,
            "created_at": row.created_at.isoformat(),
            "correlation_id": row.correlation_id,
            "dispatched_at": row.dispatched_at.isoformat() if row.dispatched_at else None,
            "payload": row.payload,
        }
    )


failures_app = typer.Typer(help="Postings that failed: list them, publish them again.", no_args_is_help=True)
PlatformOption = Annotated[str | None, typer.Option(help="linkedin or naukri.")]
OrgOption = Annotated[str | None, typer.Option("--organization", "-o", help="Organization name or id.")]
ErrorOption = Annotated[str | None, typer.Option("--error-contains", help="Only failures whose error contains this.")]
SinceOption = Annotated[datetime | None, typer.Option(help="Only failures since (ISO 8601, UTC if no zone).")]


def _filter(
    session: Session,
    platform: str | None,
    organization: str | None,
    error_contains: str | None,
    since: datetime | None,
) -> FailureFilter:
    organization_id = organization_or_fail(session, organization).id if organization else None
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return FailureFilter(platform=platform, organization_id=organization_id, error_contains=error_contains, since=since)


@failures_app.command("list")
def failures_list(
    platform: PlatformOption = None,
    organization: OrgOption = None,
    error_contains: ErrorOption = None,
    since: SinceOption = None,
) -> None:
    """Failed postings, oldest first: posting id, organization, job, platform, what failed (publish, update,
    close, renew), when, attempts, error."""
    with database() as session:
        found = failed_postings(session, _filter(session, platform, organization, error_contains, since))
        for posting in found:
            error = (posting.last_error or "").replace("\n", " ")[:120]
            typer.echo(
                f"{posting.id:>8}  org {posting.organization_id:<5} job {posting.job_id:<8} {posting.platform:<9} "
                f"{what_failed(posting):<8} "
                f"{posting.updated_at:%Y-%m-%d %H:%M}  attempts {posting.attempts:<2}  {error}"
            )
    typer.echo(f"{len(found)} failed", err=True)


@failures_app.command("replay")
def failures_replay(
    posting_ids: Annotated[list[int] | None, typer.Argument(help="Posting ids (from `failures list`).")] = None,
    replay_all: Annotated[bool, typer.Option("--all", help="Every failure matching the filters.")] = False,
    platform: PlatformOption = None,
    organization: OrgOption = None,
    error_contains: ErrorOption = None,
    since: SinceOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print how many would be replayed; change nothing.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask before a bulk replay.")] = False,
    why: Annotated[str, typer.Option(help="Why, for the publishing log.")] = "replayed by an operator",
    by: Annotated[str | None, typer.Option(help="Who, for the publishing log (default: your user name).")] = None,
) -> None:
    """Do failed publishes and operations again; safe to run twice (a replayed posting is no longer failed)."""
    if bool(posting_ids) == replay_all:
        fail("name posting ids, or --all (with filters), not both or neither")
    with database() as session:
        which = _filter(session, platform, organization, error_contains, since)
        if posting_ids:  # then not --all (checked above)
            chosen = _existing(session, posting_ids)
        else:
            chosen = [p.id for p in failed_postings(session, which)]
    if dry_run:
        typer.echo(f"would replay {len(chosen)}")
        return
    if replay_all and chosen and not yes and not typer.confirm(f"replay {len(chosen)} failed postings?"):
        fail("nothing replayed")
    settings = get_settings()
    sessions = build_session_factory(build_engine(settings))
    who = by or getpass.getuser()
    replayed = replay_postings(sessions, chosen, by=who, why=why, per_second=settings.replay_per_second)
    typer.echo(f"replayed {replayed}, no longer failed {len(chosen) - replayed}")


def _existing(session: Session, posting_ids: list[int]) -> list[int]:
    known = set(session.scalars(select(Posting.id).where(Posting.id.in_(posting_ids))))
    unknown = [str(i) for i in posting_ids if i not in known]
    if unknown:
        fail(f"no posting {', '.join(unknown)}")
    return list(posting_ids)
