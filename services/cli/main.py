"""The `jobpub` command: every process jobpub runs, and the operator's tools.

`jobpub --help` lists the commands in the order a user meets them, each with an example: trying it
(`dev`), setting up, the processes of a deployment, then the operator's tools (`LISTING`, at the end).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from services.cli import admin, admin_users, applications, candidates, operations
from services.cli import status_failures as _status_failures  # noqa: F401 (adds its commands to `failures`)
from services.cli.help import show_no_type_for_flags
from shared.config import get_settings
from shared.data_dir import default_data_dir


class InListingOrder(TyperGroup):
    """Lists the commands as LISTING orders them (typer would put every group after every command)."""

    def list_commands(self, ctx: object) -> list[str]:
        return [name for _, name, _ in LISTING if name in self.commands]


show_no_type_for_flags()
app = typer.Typer(
    cls=InListingOrder,
    help="Publish jobs to LinkedIn and Naukri, and bring the applications back.",
    no_args_is_help=True,
    # A crash's traceback must not print local variables: they hold candidates' rows and decrypted
    # secrets, and an operator's terminal output is often kept in a log (older typers showed them by default).
    pretty_exceptions_show_locals=False,
)

TRY, SETUP, RUN, OPERATE = "Try it", "Set up", "Run (one process per role)", "Operate"
Host = Annotated[str, typer.Option(help="Address to listen on.")]
Port = Annotated[int, typer.Option(help="Port to listen on.")]


def dev(
    host: Host = "127.0.0.1",
    port: Port = 8000,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            envvar="JOBPUB_DATA_DIR",
            file_okay=False,
            show_default=False,
            help=f"Where the database, keys and the emulators' state are kept (default: {default_data_dir()})",
        ),
    ] = None,
) -> None:
    """Run everything on this machine, in one process: the API, relay, publishers, scheduler and
    every platform's emulator (SQLite, an in-process broker; nothing to install or configure).

    All it keeps (the SQLite database, the encryption key, the organization "dev" and its API key,
    the emulators' ports and postings) lives in one data directory, so a restart resumes with the
    same key and links, and every other jobpub command finds it with nothing set. One jobpub dev
    per data directory.
    """
    from services.cli.dev import run_dev

    run_dev(host, port, (data_dir or default_data_dir()).expanduser().absolute())


def api(
    host: Host = "127.0.0.1", port: Port = 8000, workers: int = typer.Option(1, help="uvicorn worker processes.")
) -> None:
    """Serve the HTTP API."""
    import uvicorn

    from shared.logging import configure_logging

    configure_logging(get_settings())
    uvicorn.run("services.api.app:create_app", factory=True, host=host, port=port, workers=workers, log_config=None)


def relay() -> None:
    """Move recorded events from the database to the broker's queues (run one or more)."""
    import signal
    import threading

    from services.relay.relay import Relay
    from shared.broker import build_broker
    from shared.db import build_engine, build_session_factory
    from shared.logging import configure_logging

    settings = get_settings()
    configure_logging(settings)
    if not settings.broker_url:
        _fail("JOBPUB_BROKER_URL is not set: the relay needs Redis (jobpub dev runs everything in one process)")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    Relay(settings, build_session_factory(build_engine(settings)), build_broker(settings)).run(stop)


def worker(
    queues: Annotated[
        list[str] | None, typer.Option("--queues", "-Q", help="Queues to consume (default: all).")
    ] = None,
    processes: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    threads: Annotated[int, typer.Option(help="Threads per process.")] = 8,
) -> None:
    """Run the publish and sync actors: the dramatiq worker, with jobpub's broker and actors."""
    from dramatiq.cli import main as dramatiq_main
    from dramatiq.cli import make_argument_parser

    args = ["services.workers", "--processes", str(processes), "--threads", str(threads)]
    if queues:
        args += ["--queues", *queues]
    raise typer.Exit(dramatiq_main(make_argument_parser().parse_args(args)))


def migrate(revision: Annotated[str, typer.Argument(help="Alembic revision.")] = "head") -> None:
    """Apply database migrations."""
    from shared.db import build_engine
    from shared.migrate import migrate as apply

    settings = get_settings()
    if settings.uses_data_dir:  # the dev default: the database is made here, so its folder must be there
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    apply(build_engine(settings), revision)
    typer.echo(f"database is at {revision}")


def keygen() -> None:
    """Print a new encryption key for JOBPUB_ENCRYPTION_KEYS."""
    from shared.crypto import generate_key

    typer.echo(generate_key())


def emulator(
    platform: Annotated[str, typer.Argument(help="The platform whose emulator to run, e.g. naukri.")],
    host: Host = "127.0.0.1",
    port: Port = 8100,
    client: Annotated[list[str] | None, typer.Option(help="Register a client as ID:SECRET (repeatable).")] = None,
) -> None:
    """Run a platform emulator on its own (a stand-in for the real platform's API)."""
    # Imported here, not at the top: every emulator's app would otherwise load for any jobpub command.
    from services.emulators.registry import EMULATORS
    from services.emulators.server import serve_forever

    if platform not in EMULATORS:
        _fail(f"unknown platform {platform!r}: choose {_one_of(list(EMULATORS))}")
    emulator_app = EMULATORS[platform].create_app()
    for entry in client or []:
        client_id, sep, secret = entry.partition(":")
        if not sep or not client_id or not secret:
            _fail(f"--client takes ID:SECRET, got {entry.split(':')[0]!r}…")
        emulator_app.state.emulator.register_client(client_id, secret)
    serve_forever(emulator_app, host, port)


def _one_of(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


# The listing of `jobpub --help`, in the order a user meets the commands: what each does, and an example.
LISTING: list[tuple[str, str, str]] = [
    (TRY, "dev", "Everything in one process, with every platform's emulator:  jobpub dev"),
    (SETUP, "org", "Create an organization:  jobpub org create acme"),
    (SETUP, "apikey", "An organization's API keys:  jobpub apikey create -o acme --label ATS"),
    (SETUP, "platform", "Connect an organization to a platform:  jobpub platform configure acme naukri --client-id ID"),
    (SETUP, "admin", "A user of the admin site at /admin/:  jobpub admin create-user alice"),
    (SETUP, "keygen", "A new encryption key for JOBPUB_ENCRYPTION_KEYS:  jobpub keygen"),
    (SETUP, "migrate", "Apply the database migrations:  jobpub migrate"),
    (RUN, "api", "The HTTP API:  jobpub api --port 8000 --workers 4"),
    (RUN, "relay", "Send recorded events to the broker:  jobpub relay"),
    (RUN, "worker", "The publish, sync and notify actors:  jobpub worker -Q publish.linkedin"),
    (RUN, "scheduler", "Ask for application pulls on schedule:  jobpub scheduler"),
    (OPERATE, "log", "A job's publishing log:  jobpub log 42"),
    (OPERATE, "failures", "Failed postings, and replaying them:  jobpub failures list"),
    (OPERATE, "sync-applications", "Pull applications now:  jobpub sync-applications --dry-run"),
    (OPERATE, "import-applications", "Import a Naukri CSV:  jobpub import-applications naukri drop.csv -o acme"),
    (OPERATE, "candidates", "Erase or export a person's data:  jobpub candidates erase -o acme --email … --reason …"),
    (OPERATE, "rotate-keys", "Re-encrypt stored secrets under the newest key:  jobpub rotate-keys --dry-run"),
    (OPERATE, "emulator", "One platform emulator alone:  jobpub emulator naukri --port 8100"),
]
COMMANDS: dict[str, Callable[..., None]] = {
    "dev": dev,
    "keygen": keygen,
    "migrate": migrate,
    "api": api,
    "relay": relay,
    "worker": worker,
    "scheduler": applications.scheduler,
    "log": operations.log,
    "sync-applications": applications.sync_applications,
    "import-applications": applications.import_applications,
    "rotate-keys": admin.rotate_keys,
    "emulator": emulator,
}
GROUPS = {
    "org": admin.org_app,
    "apikey": admin.apikey_app,
    "platform": admin.platform_app,
    "failures": operations.failures_app,  # with status_failures' commands on it (statuses, replay-statuses)
    "candidates": candidates.candidates_app,
    "admin": admin_users.admin_app,
}
for panel, name, listing in LISTING:
    if name in GROUPS:
        app.add_typer(GROUPS[name], name=name, short_help=listing, rich_help_panel=panel)
    else:
        app.command(name, short_help=listing, rich_help_panel=panel)(COMMANDS[name])
