"""Commands for applications: pull them now, import a Naukri CSV drop, and run the scheduler."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import select

from services.cli.admin import cipher_or_fail, database, fail, organization_or_fail, settings_with_database
from services.syncer.csv_import import NotACsvFile, import_naukri_csv
from services.syncer.syncing import Progress, SyncOutcome, preview_sync, run_sync
from shared.config import get_settings
from shared.connections import PLATFORMS
from shared.context import WorkerContext, build_worker_context
from shared.db import unit_of_work
from shared.logging import configure_logging
from shared.models import Organization, PlatformConnection
from shared.platforms.base import PlatformError
from shared.syncs import request_sync

PlatformOption = Annotated[
    str | None, typer.Option(help=f"One of {', '.join(PLATFORMS)} (default: every connected one).")
]
OrgOption = Annotated[str | None, typer.Option("--organization", "-o", help="Organization name or id (default: all).")]


def sync_applications(
    platform: PlatformOption = None,
    organization: OrgOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would be stored; store nothing.")] = False,
) -> None:
    """Pull applications now, from the stored cursor on; exits 1 if any platform's pull fails."""
    if platform is not None and platform not in PLATFORMS:
        fail(f"unknown platform {platform!r}: choose one of {', '.join(PLATFORMS)}")
    settings = settings_with_database()
    configure_logging(settings)  # the masking processors, before an adapter or the syncer logs a line
    cipher_or_fail(settings)  # one line naming JOBPUB_ENCRYPTION_KEYS, not a traceback from the context
    context = build_worker_context(settings)
    targets = _targets(platform, organization)
    if not targets:
        fail("no enabled platform connection matches; configure one with `jobpub platform configure`")
    failed = 0
    for organization_id, name, platform_name in targets:
        label = f"{name} {platform_name}"
        with Console(stderr=True).status(f"{label}: pulling…") as status:

            def show(outcome: SyncOutcome, label: str = label) -> None:
                status.update(f"{label}: {outcome.fetched} fetched, {outcome.new} new")

            outcome = _pull(context, organization_id, platform_name, dry_run, show)
        verb = "would store" if dry_run else "stored"
        typer.echo(
            f"{label}: fetched {outcome.fetched}, {verb} {outcome.new}, "
            f"already stored {outcome.duplicates}, not ours {outcome.unmatched}"
        )
        if outcome.error:
            typer.echo(f"error: {label}: {outcome.error}", err=True)
            failed += 1
    raise typer.Exit(1 if failed else 0)


def _targets(platform: str | None, organization: str | None) -> list[tuple[int, str, str]]:
    with database() as session:
        query = (
            select(Organization.id, Organization.name, PlatformConnection.platform)
            .join(PlatformConnection, PlatformConnection.organization_id == Organization.id)
            .where(PlatformConnection.enabled.is_(True))
        )
        if organization is not None:
            query = query.where(Organization.id == organization_or_fail(session, organization).id)
        if platform is not None:
            query = query.where(PlatformConnection.platform == platform)
        return [row._tuple() for row in session.execute(query.order_by(Organization.id, PlatformConnection.platform))]


def _pull(context: WorkerContext, organization_id: int, platform: str, dry_run: bool, show: Progress) -> SyncOutcome:
    if dry_run:
        try:
            return preview_sync(context, organization_id, platform, show)
        except PlatformError as error:
            return SyncOutcome(error=str(error))
    with unit_of_work(context.sessions) as session:
        sync_id = request_sync(session, organization_id, platform, trigger="cli", dispatch=False)
    # None only for a schedule window already requested, and the command line asks for none.
    assert sync_id is not None
    outcome = run_sync(context, sync_id, progress=show)
    # None only for a run already finished or claimed by a queue turn; this one was never dispatched.
    assert outcome is not None
    return outcome


def import_applications(
    platform: Annotated[str, typer.Argument(help="naukri (the file-drop route).")],
    file: Annotated[Path, typer.Argument(help="The CSV file.", exists=True, dir_okay=False, readable=True)],
    organization: Annotated[str, typer.Option("--organization", "-o", help="Organization name or id.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check the file and report; store nothing.")] = False,
) -> None:
    """Import applications from a Naukri CSV file; bad rows are reported by line and the rest stored."""
    if platform != "naukri":
        fail("only naukri delivers applications as files; LinkedIn pushes them to the webhook")
    configure_logging(get_settings())
    try:
        with database() as session, file.open(newline="", encoding="utf-8-sig") as lines:
            found = organization_or_fail(session, organization)
            report = import_naukri_csv(session, found.id, lines, dry_run=dry_run)
    except NotACsvFile as error:
        fail(f"{file}: {error}")
    except UnicodeDecodeError:
        fail(f"{file}: not UTF-8 text")
    for line, problem in report.problems:
        typer.echo(f"{file}:{line}: {problem}", err=True)
    verb = "would store" if dry_run else "stored"
    typer.echo(f"{verb} {report.stored}, already stored {report.duplicates}, bad rows {len(report.problems)}")
    raise typer.Exit(1 if report.problems else 0)


def scheduler() -> None:
    """Ask for every connected organization's pulls once per JOBPUB_SYNC_INTERVAL_SECONDS (safe to run twice)."""
    from services.syncer.scheduler import run_scheduler
    from shared.db import build_engine, build_session_factory

    settings = get_settings()
    configure_logging(settings)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    run_scheduler(build_session_factory(build_engine(settings)), settings, stop)
    sys.exit(0)
