"""Operator commands for application statuses whose forwarding to the board failed: list them, and
forward them again (`jobpub failures statuses`, `jobpub failures replay-statuses`)."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer
from sqlalchemy import select

from services.cli.admin import database, fail, organization_or_fail
from services.cli.operations import OrgOption, PlatformOption, failures_app
from shared.application_status import failed_updates, replay_update
from shared.models import ApplicationStatusUpdate


@failures_app.command("statuses")
def failures_statuses(platform: PlatformOption = None, organization: OrgOption = None) -> None:
    """Application statuses the board refused (or that ran out of attempts), oldest first: status update
    id, organization, application, platform, status, when, attempts, error."""
    with database() as session:
        organization_id = organization_or_fail(session, organization).id if organization else None
        found = failed_updates(session, organization_id, platform=platform, limit=None)
        for update in found:
            error = (update.last_error or "").replace("\n", " ")[:120]
            typer.echo(
                f"{update.id:>8}  org {update.organization_id:<5} application {update.application_id:<8} "
                f"{update.platform:<9} {update.status:<18} {update.updated_at:%Y-%m-%d %H:%M}  "
                f"attempts {update.attempts:<2}  {error}"
            )
    typer.echo(f"{len(found)} failed", err=True)


@failures_app.command("replay-statuses")
def failures_replay_statuses(
    update_ids: Annotated[list[int], typer.Argument(help="Status update ids (from `failures statuses`).")],
    why: Annotated[str, typer.Option(help="Why, for the publishing log.")] = "replayed by an operator",
    by: Annotated[str | None, typer.Option(help="Who, for the publishing log (default: your user name).")] = None,
) -> None:
    """Forward failed application statuses again; safe to run twice (a replayed one is no longer failed)."""
    with database() as session:
        known = set(
            session.scalars(select(ApplicationStatusUpdate.id).where(ApplicationStatusUpdate.id.in_(update_ids)))
        )
        unknown = [str(i) for i in update_ids if i not in known]
        if unknown:
            fail(f"no status update {', '.join(unknown)}")
        who = by or getpass.getuser()
        replayed = sum(replay_update(session, update_id, by=who, why=why) for update_id in dict.fromkeys(update_ids))
    typer.echo(f"replayed {replayed}, no longer failed {len(set(update_ids)) - replayed}")
