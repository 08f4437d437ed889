"""Candidates' personal data, for an operator: erase a person's applications, or export them.

The same erasure and export as the API's (shared/privacy.py, shared/candidate_export.py), each
recorded as an event naming `--by` (default: your user name) and the reason, never the e-mail.
"""

from __future__ import annotations

import getpass
import json
from typing import Annotated

import typer

from services.cli.admin import database, fail, organization_or_fail
from shared.candidate_export import export_candidate
from shared.privacy import applications_of, erase_applications

candidates_app = typer.Typer(help="Candidates' personal data: erase or export one person's.", no_args_is_help=True)

OrgOption = Annotated[str, typer.Option("--organization", "-o", help="Organization name or id.")]
ByOption = Annotated[str | None, typer.Option(help="Who, for the publishing log (default: your user name).")]


@candidates_app.command("erase")
def erase(
    organization: OrgOption,
    reason: Annotated[str, typer.Option(help="Why (e.g. the request's ticket), for the publishing log.")],
    email: Annotated[str | None, typer.Option(help="Every application with this e-mail, whatever its case.")] = None,
    application_id: Annotated[
        list[int] | None, typer.Option("--application-id", help="This application (repeatable).")
    ] = None,
    by: ByOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would be erased; erase nothing.")] = False,
) -> None:
    """Erase a person's applications and every copy of their data, in one transaction."""
    if not (email and email.strip()) and not application_id:
        fail("name the person: --email, --application-id, or both")
    if not reason.strip():
        fail("--reason must say why")
    with database() as session:
        found = organization_or_fail(session, organization)
        applications = applications_of(session, found.id, email=email, application_ids=application_id or ())
        unknown = sorted(set(application_id or ()) - {application.id for application in applications})
        if unknown:
            fail(f"no application {unknown[0]} in {found.name}")
        ids = [application.id for application in applications]
        if dry_run:
            typer.echo(f"would erase {len(ids)} application(s) in {found.name}: {_listed(ids)}")
            return
        erased = erase_applications(
            session, found.id, ids, cause="request", reason=reason.strip(), by=by or getpass.getuser()
        )
    already = len(ids) - len(erased)
    typer.echo(
        f"erased {len(erased)} application(s) in {found.name}: {_listed(erased)}"
        + (f" ({already} erased before)" if already else "")
    )


@candidates_app.command("export")
def export(
    organization: OrgOption,
    email: Annotated[str, typer.Option(help="The person's e-mail, whatever its case.")],
    reason: Annotated[str, typer.Option(help="Why, for the publishing log.")] = "access request by the candidate",
    by: ByOption = None,
) -> None:
    """Print, as JSON, everything held about a person: applications and the notifications mentioning them."""
    with database() as session:
        found = organization_or_fail(session, organization)
        exported = export_candidate(session, found.id, email, reason=reason, by=by or getpass.getuser())
    typer.echo(json.dumps(exported, indent=2, default=str, ensure_ascii=False))


def _listed(ids: list[int]) -> str:
    return ", ".join(str(i) for i in ids) if ids else "none"
