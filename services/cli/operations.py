"""Operator commands for looking into what happened: a job's publishing log."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from sqlalchemy import select

from services.cli.admin import database, fail
from shared.models import Job, PublishingLog

# The payload fields worth a glance on one line, in this order; --json shows everything.
HEADLINE_FIELDS = ("reason", "attempt", "platform_job_id", "url", "error", "retry_at", "new", "duplicates", "change")


def log(
    job_id: Annotated[int, typer.Argument(help="The job's id.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per event, with its whole payload.")] = False,
) -> None:
    """Print a job's publishing log, oldest first: every event, its platform and what it said."""
    with database() as session:
        job = session.get(Job, job_id)
        if job is None:
            fail(f"no job {job_id}")
        rows = session.scalars(select(PublishingLog).where(PublishingLog.job_id == job_id).order_by(PublishingLog.id)).all()
        typer.echo(f"job {job.id} “{job.title}” (organization {job.organization_id}): {len(rows)} events", err=as_json)
        for row in rows:
            typer.echo(_as_json(row) if as_json else _as_line(row))


def _as_line(row: PublishingLog) -> str:
    details = "  ".join(f"{name}={row.payload[name]}" for name in HEADLINE_FIELDS if row.payload.get(name) is not None)
    sent = "" if row.dispatch_queue is None else (f"  → {row.dispatch_queue}" + ("" if row.dispatched_at else " (waiting)"))
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
