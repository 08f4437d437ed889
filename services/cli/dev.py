"""`jobpub dev`: the whole system in one process, on the embedded default.

SQLite in the current folder, dramatiq's in-process broker, the relay and the publishers on
threads, and both platform emulators on loopback ports. The organization "dev" is connected to
the emulators, and a fresh API key is printed with a ready `curl` line.
"""

from __future__ import annotations

import secrets
import threading
from functools import partial
from pathlib import Path
from typing import TypedDict

import dramatiq
import typer
import uvicorn
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from services.api.app import create_app
from services.emulators import linkedin, naukri
from services.emulators.server import RunningServer, serve_in_thread
from services.notifier.actors import declare_notify_actor
from services.publisher.actors import declare_publish_actors
from services.relay.relay import Relay
from services.syncer.actors import declare_sync_actor
from services.syncer.scheduler import run_scheduler
from shared import tenants
from shared.broker import build_broker
from shared.config import Settings
from shared.connections import save_connection
from shared.context import build_worker_context
from shared.crypto import cipher_from_settings, generate_key
from shared.db import build_engine, build_session_factory, unit_of_work
from shared.logging import configure_logging
from shared.migrate import migrate

DEV_ORGANIZATION = "dev"
DEV_KEY_FILE = Path("jobpub-dev.key")
DEV_LINKEDIN_URN = "urn:li:organization:1000"
WORKER_THREADS = 4
DEV_SYNC_INTERVAL_SECONDS = 30.0  # applications show up quickly while trying jobpub out


def run_dev(host: str, port: int) -> None:
    emulators = {"linkedin": linkedin.create_app(), "naukri": naukri.create_app()}
    linkedin_server = serve_in_thread(emulators["linkedin"])
    naukri_server = serve_in_thread(emulators["naukri"])
    settings = _dev_settings(linkedin_server, naukri_server, f"http://{host}:{port}")
    configure_logging(settings)
    engine = build_engine(settings)
    migrate(engine)
    sessions = build_session_factory(engine)
    api_key = _prepare_dev_organization(settings, sessions, emulators)

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
    _print_welcome(host, port, api_key, linkedin_server, naukri_server)
    try:
        uvicorn.run(create_app(settings, engine), host=host, port=port, log_config=None)
    finally:
        stop.set()
        worker.stop()
        linkedin_server.stop()
        naukri_server.stop()


class _DevOverrides(TypedDict):
    """The settings `jobpub dev` sets whatever the environment says (the others still come from it)."""

    public_base_url: str
    sync_interval_seconds: float
    linkedin_api_url: str
    linkedin_oauth_url: str
    linkedin_job_view_url: str
    naukri_api_url: str
    broker_url: str | None


def _dev_settings(linkedin_server: RunningServer, naukri_server: RunningServer, api_url: str) -> Settings:
    overrides = _DevOverrides(
        public_base_url=api_url,  # LinkedIn's emulator pushes applications to our webhook here
        sync_interval_seconds=DEV_SYNC_INTERVAL_SECONDS,
        linkedin_api_url=linkedin_server.url,
        linkedin_oauth_url=linkedin_server.url,
        linkedin_job_view_url=linkedin_server.url + "/jobs/view/{id}",
        naukri_api_url=naukri_server.url,
        broker_url=None,
    )
    settings = Settings(**overrides)
    if settings.encryption_keys is None:
        # Dev only: a key kept beside the dev database, so its stored credentials stay readable.
        if not DEV_KEY_FILE.exists():
            DEV_KEY_FILE.write_text(generate_key())
            DEV_KEY_FILE.chmod(0o600)
        settings = Settings(**overrides, encryption_keys=DEV_KEY_FILE.read_text().strip())
    return settings


def _prepare_dev_organization(
    settings: Settings, sessions: sessionmaker[Session], emulators: dict[str, FastAPI]
) -> str:
    """Find or create the dev organization, connect it to the emulators, and make a new key."""
    cipher = cipher_from_settings(settings)
    with unit_of_work(sessions) as session:
        organization = tenants.find_organization(session, DEV_ORGANIZATION) or tenants.create_organization(
            session, DEV_ORGANIZATION
        )
        for platform, urn in (("linkedin", DEV_LINKEDIN_URN), ("naukri", None)):
            client_id, secret = f"jobpub-dev-{platform}", secrets.token_urlsafe(24)
            emulators[platform].state.emulator.register_client(client_id, secret)
            save_connection(
                session,
                cipher,
                organization_id=organization.id,
                platform=platform,
                client_id=client_id,
                client_secret=secret,
                organization_urn=urn,
            )
        _, api_key = tenants.create_api_key(session, organization.id, label="jobpub dev")
    return api_key


def _print_welcome(
    host: str, port: int, api_key: str, linkedin_server: RunningServer, naukri_server: RunningServer
) -> None:
    base = f"http://{host}:{port}"
    body = (
        '{"platforms": ["both"], "job": {"title": "Backend Engineer", "company": "Acme", '
        '"location": "Bengaluru, India", "apply_url": "https://acme.example/careers/1", '
        '"description": "Build and run the services that publish our jobs. ' + "You will own APIs, queues and "
        'data end to end, with a small team that ships every day."}}'
    )
    typer.echo(
        f"""
jobpub dev is running (SQLite: jobpub-dev.db, in-process broker)
  API               {base}   docs: {base}/docs
  Console           {base}/console/   (paste the API key there)
  API key           {api_key}
  LinkedIn emulator {linkedin_server.url}
  Naukri emulator   {naukri_server.url}

Publish a job to both platforms:
  curl -s -X POST {base}/jobs/publishing/publish/ -H 'X-API-Key: {api_key}' -H 'Content-Type: application/json' -d '{body}'
Then follow it (use the job_id from the answer):
  curl -s {base}/jobs/publishing/1/status/ -H 'X-API-Key: {api_key}'
Let three candidates apply on Naukri (external_id: the naukri one from the status):
  curl -s -X POST {naukri_server.url}/_emulator/applications -H 'Content-Type: application/json' -d '{{"external_id": "EXTERNAL_ID", "count": 3}}'
They arrive within {DEV_SYNC_INTERVAL_SECONDS:.0f} s (LinkedIn's arrive at once, by webhook), or pull them now:
  curl -s -X POST {base}/jobs/publishing/sync-applications/ -H 'X-API-Key: {api_key}'
  curl -s {base}/jobs/publishing/applications/ -H 'X-API-Key: {api_key}'
"""
    )
