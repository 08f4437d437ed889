"""The `jobpub` command: every process jobpub runs, and the operator's tools."""

from __future__ import annotations

from typing import Annotated

import typer

from services.cli import admin, applications, operations
from shared.config import get_settings

app = typer.Typer(help="Publish jobs to LinkedIn and Naukri, and bring the applications back.", no_args_is_help=True)
app.add_typer(admin.org_app, name="org")
app.add_typer(admin.apikey_app, name="apikey")
app.add_typer(admin.platform_app, name="platform")
app.command("sync-applications")(applications.sync_applications)
app.command("import-applications")(applications.import_applications)
app.command("scheduler")(applications.scheduler)
app.command("log")(operations.log)
app.add_typer(operations.failures_app, name="failures")

Host = Annotated[str, typer.Option(help="Address to listen on.")]
Port = Annotated[int, typer.Option(help="Port to listen on.")]


@app.command()
def dev(host: Host = "127.0.0.1", port: Port = 8000) -> None:
    """Run everything in one process: API, relay, publishers and both platform emulators (SQLite, in-process broker)."""
    from services.cli.dev import run_dev

    run_dev(host, port)


@app.command()
def api(
    host: Host = "127.0.0.1", port: Port = 8000, workers: int = typer.Option(1, help="uvicorn worker processes.")
) -> None:
    """Serve the HTTP API."""
    import uvicorn

    from shared.logging import configure_logging

    configure_logging(get_settings())
    uvicorn.run("services.api.app:create_app", factory=True, host=host, port=port, workers=workers, log_config=None)


@app.command()
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


@app.command()
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


@app.command()
def migrate(revision: Annotated[str, typer.Argument(help="Alembic revision.")] = "head") -> None:
    """Apply database migrations."""
    from shared.db import build_engine
    from shared.migrate import migrate as apply

    apply(build_engine(get_settings()), revision)
    typer.echo(f"database is at {revision}")


@app.command()
def keygen() -> None:
    """Print a new encryption key for JOBPUB_ENCRYPTION_KEYS."""
    from shared.crypto import generate_key

    typer.echo(generate_key())


app.command("rotate-keys")(admin.rotate_keys)


@app.command()
def emulator(
    platform: Annotated[str, typer.Argument(help="linkedin or naukri")],
    host: Host = "127.0.0.1",
    port: Port = 8100,
    client: Annotated[list[str] | None, typer.Option(help="Register a client as ID:SECRET (repeatable).")] = None,
) -> None:
    """Run a platform emulator on its own (a stand-in for the real platform's API)."""
    from services.emulators import linkedin, naukri
    from services.emulators.server import serve_forever

    modules = {"linkedin": linkedin, "naukri": naukri}
    if platform not in modules:
        _fail(f"unknown platform {platform!r}: choose linkedin or naukri")
    emulator_app = modules[platform].create_app()
    for entry in client or []:
        client_id, sep, secret = entry.partition(":")
        if not sep or not client_id or not secret:
            _fail(f"--client takes ID:SECRET, got {entry.split(':')[0]!r}…")
        emulator_app.state.emulator.register_client(client_id, secret)
    serve_forever(emulator_app, host, port)


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)
