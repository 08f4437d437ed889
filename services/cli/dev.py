"""`jobpub dev`: the whole system in one process, on the embedded default, kept in one data directory.

SQLite, dramatiq's in-process broker, the relay, publishers and scheduler on threads, and every
platform emulator (services/emulators/registry.py) on a loopback port, each platform connected to
its own. Everything that must outlive a restart lives in the data directory (shared/data_dir.py):
the database, the encryption key, the organization "dev" and its API key, the emulators' ports,
the settings that point jobpub at them, and what they hold. So a restart resumes where the last run
stopped, and every other `jobpub` command finds the same setup with nothing configured.

Nothing is printed or written before the data directory is locked and every port is taken
(dev_home.py): a second `jobpub dev`, or a busy port, stops with one line.
"""

from __future__ import annotations

import secrets
import threading
from functools import partial
from pathlib import Path
from typing import Any

import dramatiq
import typer
import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from services.api.app import create_app
from services.cli.dev_banner import print_welcome
from services.cli.dev_home import Claimed, DevRefused, claim, record_addresses
from services.emulators import persistence
from services.emulators.registry import EMULATORS
from services.emulators.server import RunningServer, serve_in_thread
from services.notifier.actors import declare_notify_actor
from services.publisher.actors import declare_publish_actors
from services.relay.relay import Relay
from services.syncer.actors import declare_sync_actor
from services.syncer.scheduler import run_scheduler
from shared import tenants
from shared.broker import build_broker
from shared.config import Settings
from shared.connections import credentials_of, find_connection, save_connection
from shared.context import build_worker_context
from shared.crypto import CredentialCipher, CredentialDecryptError, cipher_from_settings, generate_key
from shared.data_dir import DataDir, write_private_file
from shared.db import build_engine, build_session_factory, unit_of_work
from shared.logging import configure_logging
from shared.migrate import migrate
from shared.platforms import PLATFORM_NAMES

DEV_ORGANIZATION = "dev"
DEV_LINKEDIN_URN = "urn:li:organization:1000"
WORKER_THREADS = 4
DEV_SYNC_INTERVAL_SECONDS = 30.0  # applications show up quickly while trying jobpub out


def run_dev(host: str, port: int, data_dir: Path) -> None:
    home = DataDir(data_dir)
    try:
        claimed = claim(home, host, port)
        emulators = _restored_emulators(home)
    except (DevRefused, persistence.UnreadableState) as refusal:
        typer.echo(f"error: {refusal}", err=True)
        raise typer.Exit(2) from None
    servers = {name: serve_in_thread(app, sock=claimed.emulators[name]) for name, app in emulators.items()}
    api_url = f"http://{host}:{port}"
    pointed = _emulator_settings(servers)
    record_addresses(home, {"api": api_url, **{name: server.url for name, server in servers.items()}}, pointed)
    settings = _dev_settings(home, pointed, api_url)
    configure_logging(settings)
    engine = build_engine(settings)
    migrate(engine)
    sessions = build_session_factory(engine)
    api_key = _prepare_dev_organization(settings, sessions, emulators, home)
    state_files = [
        persistence.StateFile(app.state.emulator, home.emulator_state(name)) for name, app in emulators.items()
    ]
    for state_file in state_files:
        state_file.start()
    try:
        _serve(settings, sessions, engine, claimed, home, api_key, servers)
    finally:
        for server in servers.values():
            server.stop()
        for state_file in state_files:
            state_file.stop()


def _restored_emulators(home: DataDir) -> dict[str, FastAPI]:
    emulators = {name: entry.create_app() for name, entry in EMULATORS.items()}
    for name, app in emulators.items():
        persistence.load(app.state.emulator, home.emulator_state(name))
    return emulators


def _serve(
    settings: Settings,
    sessions: sessionmaker[Session],
    engine: Engine,
    claimed: Claimed,
    home: DataDir,
    api_key: str,
    servers: dict[str, RunningServer],
) -> None:
    """The publishers, relay and scheduler on threads, the API in the foreground until Ctrl+C."""
    broker = build_broker(settings)
    context = build_worker_context(settings, sessions)
    declare_publish_actors(broker, context)
    declare_sync_actor(broker, context)
    declare_notify_actor(broker, context)
    worker = dramatiq.Worker(broker, worker_threads=WORKER_THREADS)
    worker.start()
    stop = threading.Event()
    for name, loop in (
        ("relay", Relay(settings, sessions, broker).run),
        ("scheduler", partial(run_scheduler, sessions, settings)),
    ):
        threading.Thread(target=loop, args=(stop,), name=name, daemon=True).start()
    print_welcome(settings.public_base_url, api_key, home, servers, DEV_SYNC_INTERVAL_SECONDS)
    host, port = claimed.api.getsockname()[:2]
    config = uvicorn.Config(create_app(settings, engine), host=host, port=port, log_config=None)
    try:
        uvicorn.Server(config).run(sockets=[claimed.api])
    finally:
        stop.set()
        worker.stop()


def _emulator_settings(servers: dict[str, RunningServer]) -> dict[str, str]:
    """The settings that point each platform's adapter at its running emulator, as its registry
    entry names them."""
    return {
        setting: url
        for name, server in servers.items()
        for setting, url in EMULATORS[name].settings_for(server.url).items()
    }


def _dev_settings(home: DataDir, emulator_settings: dict[str, str], api_url: str) -> Settings:
    overrides: dict[str, Any] = dict(
        data_dir=home.path,
        public_base_url=api_url,  # where an emulator that pushes applications finds our webhooks
        sync_interval_seconds=DEV_SYNC_INTERVAL_SECONDS,
        broker_url=None,
        **emulator_settings,
    )
    settings = Settings(**overrides)
    if settings.encryption_keys is None:
        # Dev only: a key kept beside the dev database, so its stored credentials stay readable.
        if home.read_encryption_key() is None:
            write_private_file(home.encryption_key, generate_key() + "\n")
        settings = Settings(**overrides, encryption_keys=home.read_encryption_key())
    return settings


def _prepare_dev_organization(
    settings: Settings, sessions: sessionmaker[Session], emulators: dict[str, FastAPI], home: DataDir
) -> str:
    """Find or create the dev organization, connect it to every platform (each with an emulator
    told of its client; the feed has none to tell), and keep its API key."""
    cipher = cipher_from_settings(settings)
    with unit_of_work(sessions) as session:
        organization = tenants.find_organization(session, DEV_ORGANIZATION) or tenants.create_organization(
            session, DEV_ORGANIZATION
        )
        for platform in PLATFORM_NAMES:
            urn = DEV_LINKEDIN_URN if platform == "linkedin" else None  # only LinkedIn's connection has one
            client_id, secret = _connection(session, cipher, organization.id, platform, urn)
            if platform in emulators:
                emulators[platform].state.emulator.register_client(client_id, secret)
        return _kept_api_key(session, organization.id, home)


def _connection(
    session: Session, cipher: CredentialCipher, organization_id: int, platform: str, urn: str | None
) -> tuple[str, str]:
    """The stored credentials, as they are (a restart must not change what the emulators accept);
    new ones only for an organization that has none, or whose secret no key here decrypts."""
    connection = find_connection(session, organization_id, platform)
    if connection is not None:
        try:
            credentials = credentials_of(cipher, connection)
            return credentials.client_id, credentials.client_secret
        except CredentialDecryptError:
            pass  # the encryption key file was replaced: connect afresh
    client_id, secret = f"jobpub-dev-{platform}", secrets.token_urlsafe(24)
    save_connection(
        session,
        cipher,
        organization_id=organization_id,
        platform=platform,
        client_id=client_id,
        client_secret=secret,
        organization_urn=urn,
    )
    return client_id, secret


def _kept_api_key(session: Session, organization_id: int, home: DataDir) -> str:
    """The key kept in the data directory while it still works; else a new one, kept there.
    (The database has only its hash, so the plain key lives in a file only its owner reads.)"""
    if home.api_key.is_file():
        kept = home.api_key.read_text().strip()
        row = tenants.authenticate(session, kept)
        if row is not None and row.organization_id == organization_id:
            return kept
    _, api_key = tenants.create_api_key(session, organization_id, label="jobpub dev")
    write_private_file(home.api_key, api_key + "\n")
    return api_key
