"""Operator commands: organizations, API keys, platform credentials and their encryption keys."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, NoReturn

import typer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared import tenants
from shared.config import Settings, get_settings
from shared.connections import PLATFORMS, save_connection
from shared.crypto import CredentialCipher, cipher_from_settings
from shared.data_dir import DataDir
from shared.db import build_engine, build_session_factory, unit_of_work
from shared.key_revocations import KEY_CACHE_SECONDS, announce_revocation
from shared.key_rotation import rotate_secrets
from shared.models import ApiKey, KeyScope, Organization
from shared.source_tracking import PARAMETER_NAME, parameters_of, template_problem

org_app = typer.Typer(help="Organizations (tenants).", no_args_is_help=True)
apikey_app = typer.Typer(help="An organization's API keys.", no_args_is_help=True)
platform_app = typer.Typer(help="An organization's platform connections.", no_args_is_help=True)

OrgOption = Annotated[str, typer.Option("--organization", "-o", help="Organization name or id.")]


def fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def settings_with_database() -> Settings:
    """The settings, once their database is known to be there: on the dev default (nothing set)
    before any `jobpub dev`, say what to do in one line rather than leave an empty database behind."""
    settings = get_settings()
    if settings.uses_data_dir and not DataDir(settings.data_dir).database.is_file():
        fail(f"no jobpub database in {settings.data_dir}: start `jobpub dev` there first, or set JOBPUB_DATABASE_URL")
    return settings


def cipher_or_fail(settings: Settings) -> CredentialCipher:
    try:
        return cipher_from_settings(settings)
    except ValueError as error:
        fail(str(error))


@contextmanager
def database() -> Iterator[Session]:
    with unit_of_work(build_session_factory(build_engine(settings_with_database()))) as session:
        yield session


def organization_or_fail(session: Session, name_or_id: str) -> Organization:
    organization = tenants.find_organization(session, name_or_id)
    if organization is None:
        fail(f"no organization {name_or_id!r}")
    return organization


@org_app.command("create")
def org_create(name: Annotated[str, typer.Argument(help="A unique name.")]) -> None:
    """Create an organization and print its first API key (shown once)."""
    if not name.strip():
        fail("the organization name must not be empty")
    try:
        with database() as session:
            organization = tenants.create_organization(session, name.strip())
            _, key = tenants.create_api_key(session, organization.id, label="first key")
    except IntegrityError:
        fail(f"an organization named {name!r} exists already")
    typer.echo(f"organization {organization.name} (id {organization.id}) created")
    typer.echo(f"API key (shown once, keep it safe): {key}")


@org_app.command("source-tracking")
def org_source_tracking(
    organization: Annotated[str, typer.Argument(help="Organization name or id.")],
    param: Annotated[
        list[str] | None, typer.Option("--param", help="NAME=TEMPLATE of {platform}, {job_id}, {external_id}; repeat.")
    ] = None,
    off: Annotated[bool, typer.Option("--off", help="Every board gets the apply URL as the job gives it.")] = False,
    default: Annotated[bool, typer.Option("--default", help="Back to the default UTM parameters.")] = False,
) -> None:
    """Show or set the parameters every board's apply URL carries (where candidates came from)."""
    if sum((bool(param), off, default)) > 1:
        fail("give one of --param, --off or --default")
    with database() as session:
        found = organization_or_fail(session, organization)
        if off:
            found.source_tracking = {"enabled": False, "parameters": None}
        elif default:
            found.source_tracking = None
        elif param:
            found.source_tracking = {"enabled": True, "parameters": _parameters(param)}
        shown = parameters_of(found.source_tracking)
    typer.echo(
        "&".join(f"{name}={template}" for name, template in shown.items()) or "off: apply URLs are left as given"
    )


def _parameters(given: list[str]) -> dict[str, str]:
    parameters = {}
    for item in given:
        name, _, template = item.partition("=")
        if not PARAMETER_NAME.fullmatch(name) or not template or template_problem(template):
            fail(
                f"--param {item!r}: give NAME=TEMPLATE, NAME of letters, digits and _.-,"
                " TEMPLATE of {platform}, {job_id}, {external_id} and text"
            )
        parameters[name] = template
    return parameters


@apikey_app.command("create")
def apikey_create(
    organization: OrgOption,
    label: Annotated[str, typer.Option(help="What the key is for.")] = "",
    scope: Annotated[
        KeyScope, typer.Option(help="operator: may also list and replay the organization's failures.")
    ] = KeyScope.RECRUITER,
) -> None:
    """Make a new API key (shown once)."""
    with database() as session:
        found = organization_or_fail(session, organization)
        row, key = tenants.create_api_key(session, found.id, label=label, scope=scope)
    typer.echo(f"{scope} API key {row.key_id} (shown once, keep it safe): {key}")


@apikey_app.command("list")
def apikey_list(organization: OrgOption) -> None:
    """List an organization's keys (never the secrets)."""
    with database() as session:
        found = organization_or_fail(session, organization)
        rows = session.scalars(select(ApiKey).where(ApiKey.organization_id == found.id).order_by(ApiKey.id)).all()
        for row in rows:
            state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "active"
            created = f"created {row.created_at:%Y-%m-%d %H:%M}"
            typer.echo(f"{row.key_id}  {row.scope:<9}  {state:<24}  {created}  {row.label}")


@apikey_app.command("revoke")
def apikey_revoke(
    organization: OrgOption, key_id: Annotated[str, typer.Argument(help="The key's id (jp_<id>_…).")]
) -> None:
    """Revoke a key; it is refused from the next request on."""
    with database() as session:
        found = organization_or_fail(session, organization)
        if not tenants.revoke_api_key(session, found.id, key_id):
            fail(f"organization {found.name} has no key {key_id!r}")
    typer.echo(f"key {key_id} revoked")
    if not announce_revocation(settings_with_database()):
        typer.echo(
            f"warning: Redis could not be told; an API process may accept the key for up to {KEY_CACHE_SECONDS:.0f} s",
            err=True,
        )


@platform_app.command("configure")
def platform_configure(
    organization: Annotated[str, typer.Argument(help="Organization name or id.")],
    platform: Annotated[str, typer.Argument(help=f"One of: {', '.join(PLATFORMS)}.")],
    client_id: Annotated[str, typer.Option(help="The platform client id.")],
    client_secret: Annotated[
        str | None,
        typer.Option(
            help="The client secret (Naukri: the API key). Left out: asked for, not shown as typed"
            " (and kept out of the shell's history); a script pipes it in."
        ),
    ] = None,
    organization_urn: Annotated[str | None, typer.Option(help="LinkedIn: urn:li:organization:<id>.")] = None,
    disabled: Annotated[bool, typer.Option("--disabled", help="Store the connection but do not use it.")] = False,
    with_apply_secret: Annotated[
        bool,
        typer.Option(
            "--with-apply-secret",
            help="Indeed: also ask for the Indeed Apply token's API secret, which signs pushed applications"
            " (after the client secret; a script pipes it in). Left out: the client secret verifies them.",
        ),
    ] = False,
) -> None:
    """Store an organization's credentials for a platform, encrypted. They are never printed back."""
    if platform not in PLATFORMS:
        fail(f"unknown platform {platform!r}: choose one of {', '.join(PLATFORMS)}")
    if with_apply_secret and platform != "indeed":
        fail("--with-apply-secret: only Indeed has an apply secret (the Indeed Apply token's API secret)")
    if platform == "linkedin" and not (organization_urn or "").startswith("urn:li:organization:"):
        fail("LinkedIn needs --organization-urn urn:li:organization:<id>")
    cipher = cipher_or_fail(settings_with_database())
    if client_secret is None:
        client_secret = typer.prompt("Client secret", hide_input=True)
    if not client_secret.strip():
        fail("the client secret must not be empty")
    apply_secret = typer.prompt("Indeed Apply secret", hide_input=True) if with_apply_secret else None
    if apply_secret is not None and not apply_secret.strip():
        fail("the Indeed Apply secret must not be empty")
    with database() as session:
        found = organization_or_fail(session, organization)
        save_connection(
            session,
            cipher,
            organization_id=found.id,
            platform=platform,
            client_id=client_id,
            client_secret=client_secret,
            organization_urn=organization_urn,
            enabled=not disabled,
            apply_secret=apply_secret,
        )
    typer.echo(
        f"{platform} {'stored (disabled)' if disabled else 'connected'} for {found.name}; secret stored encrypted"
    )


def rotate_keys(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would be rotated; change nothing.")] = False,
) -> None:
    """Re-encrypt every stored secret (platform credentials, notification signing secrets) under the
    newest key; one line per kind; exits 1 if any cannot be decrypted."""
    cipher = cipher_or_fail(settings_with_database())
    with database() as session:
        report = rotate_secrets(session, cipher, dry_run=dry_run)
    for row in report.undecryptable:
        typer.echo(f"error: {row.kind}: {row.row}: {row.reason}", err=True)
    verb = "would rotate" if dry_run else "rotated"
    for kind in report.kinds:
        counts = (
            f"{verb} {kind.rotated}, already current {kind.already_current}, undecryptable {len(kind.undecryptable)}"
        )
        typer.echo(f"{kind.kind}: {counts}")
    # Undecryptable rows usually mean a key was removed while rows still needed it: make that loud.
    raise typer.Exit(1 if report.undecryptable else 0)
