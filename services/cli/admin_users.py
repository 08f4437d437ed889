"""`jobpub admin`: the admin site's users (the site at /admin/ is off until the first exists)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from services.cli.admin import database, fail
from shared.admin_users import MIN_PASSWORD_LENGTH, AdminUserProblem, create_admin_user

admin_app = typer.Typer(help="The admin site's users (see docs/admin.md).", no_args_is_help=True)


@admin_app.command("create-user")
def create_user(name: Annotated[str, typer.Argument(help="The admin user's name, to sign in with.")]) -> None:
    """Create an admin user for the admin site at /admin/. The password is asked for (twice, not shown);
    a script pipes it in on standard input instead (one line)."""
    if sys.stdin.isatty():
        password = typer.prompt(
            f"Password (at least {MIN_PASSWORD_LENGTH} characters)", hide_input=True, confirmation_prompt=True
        )
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        with database() as session:
            user = create_admin_user(session, name, password)
    except AdminUserProblem as problem:
        fail(str(problem))
    typer.echo(f"admin user {user.name} created; sign in at /admin/ on the API")
