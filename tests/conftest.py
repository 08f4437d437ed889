"""Fixtures on real services: a PostgreSQL database and a Redis namespace of this run's own,
every platform's emulator (services/emulators/registry.py) as an HTTP server on loopback,
tenants, and the publish pipeline (relay + a real dramatiq worker) running in this process."""

from __future__ import annotations

import os
import secrets
import threading
from contextlib import contextmanager
from dataclasses import dataclass

import dramatiq
import psycopg
import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import select

from services.api.app import create_app
from services.emulators.registry import EMULATORS
from services.emulators.server import serve_in_thread
from services.notifier.actors import declare_notify_actor
from services.publisher.actors import declare_publish_actors
from services.relay.relay import Relay
from services.syncer.actors import declare_sync_actor
from shared import tenants
from shared.broker import build_broker
from shared.config import Settings
from shared.connections import save_connection
from shared.context import build_worker_context
from shared.crypto import cipher_from_settings, generate_key
from shared.db import build_engine, build_session_factory, unit_of_work
from shared.migrate import migrate
from shared.models import KeyScope, Posting, PublishingLog, SyncRun
from tests.support import free_port, wait_until

RUN_ID = f"{os.getpid()}_{secrets.token_hex(3)}"
# The API also listens on a real port, so the LinkedIn emulator can push applications to it.
LIVE_API_PORT = free_port()
POSTGRES_ADMIN = os.environ.get("JOBPUB_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("JOBPUB_TEST_REDIS", "redis://127.0.0.1:6379/0")


@contextmanager
def own_database(suffix: str = ""):
    """A PostgreSQL database of this run's own (dropped afterwards), migrated to head."""
    name = f"jobpub_test_{RUN_ID}{suffix}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = POSTGRES_ADMIN.rsplit("/", 1)[0] + "/" + name
    engine = build_engine(Settings(database_url=url))
    migrate(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database_url():
    with own_database() as url:
        yield url


class Emulators:
    """The running emulators by platform name: `emulators.naukri` is its state object (the control
    API), `emulators.naukri_url` where it listens; one of each per registry entry."""

    def __init__(self, states: dict[str, object], urls: dict[str, str]):
        self.states, self.urls = states, urls

    def __getattr__(self, name: str):
        states, urls = self.__dict__.get("states", {}), self.__dict__.get("urls", {})
        if name in states:
            return states[name]
        if name.endswith("_url") and name.removesuffix("_url") in urls:
            return urls[name.removesuffix("_url")]
        raise AttributeError(f"no emulator attribute {name!r}; emulators: {', '.join(states)}")

    def replacing(self, platform: str, state: object, url: str) -> Emulators:
        """These emulators, but `platform`'s own one instead of the shared one."""
        return Emulators({**self.states, platform: state}, {**self.urls, platform: url})

    def settings(self) -> dict[str, str]:
        """The settings that point every adapter at its emulator (what `jobpub dev` sets too)."""
        return {
            key: value for name, url in self.urls.items() for key, value in EMULATORS[name].settings_for(url).items()
        }


@pytest.fixture(scope="session")
def emulators():
    apps = {name: entry.create_app() for name, entry in EMULATORS.items()}
    servers = {name: serve_in_thread(app) for name, app in apps.items()}
    yield Emulators(
        {name: app.state.emulator for name, app in apps.items()}, {name: server.url for name, server in servers.items()}
    )
    for server in servers.values():
        server.stop()


@pytest.fixture(autouse=True)
def _clear_emulator_faults(request):
    yield
    if "emulators" in request.fixturenames:
        for emulator in request.getfixturevalue("emulators").states.values():
            emulator.clear_faults()


def run_settings(database_url: str, emulators: Emulators, **overrides) -> Settings:
    """Settings for this run, with timings shrunk so retries and polls take milliseconds."""
    values = dict(
        database_url=database_url,
        broker_url=REDIS_URL,
        broker_namespace=f"jobpub-test-{RUN_ID}",
        encryption_keys=generate_key(),
        **emulators.settings(),
        public_base_url=f"http://127.0.0.1:{LIVE_API_PORT}",
        webhook_allowed_networks="127.0.0.0/8",  # the tests' notification receivers listen on loopback
        notify_backoff_seconds=0.05,
        http_timeout_seconds=2.0,
        retry_backoff_seconds=0.05,
        retry_backoff_max_seconds=0.5,
        task_poll_interval_seconds=0.02,
        task_poll_timeout_seconds=1.0,
        lease_seconds=5.0,
        relay_poll_interval_seconds=0.02,
        worker_heartbeat_timeout_ms=2_000,
    )
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="session")
def settings(database_url, emulators) -> Settings:
    return run_settings(database_url, emulators)


@pytest.fixture(scope="session")
def engine(settings):
    engine = build_engine(settings)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def sessions(engine):
    return build_session_factory(engine)


@pytest.fixture(scope="session")
def client(settings, engine):
    with TestClient(create_app(settings, engine)) as client:
        yield client


@pytest.fixture(scope="session")
def live_api(settings, engine):
    """The API on LIVE_API_PORT, where LinkedIn postings' webhook URLs point."""
    server = serve_in_thread(create_app(settings, engine), port=LIVE_API_PORT)
    yield server
    server.stop()


@dataclass
class Tenant:
    id: int
    name: str
    api_key: str
    clients: dict  # platform -> (client_id, secret)

    @property
    def headers(self) -> dict:
        return {"X-API-Key": self.api_key}


def create_tenant(
    sessions, settings: Settings, emulators: Emulators, platforms=("linkedin", "naukri"), scope=KeyScope.RECRUITER
) -> Tenant:
    """A new organization with a key of `scope`, connected to the given platforms on the emulators."""
    cipher = cipher_from_settings(settings)
    name = f"org-{secrets.token_hex(4)}"
    clients = {}
    with unit_of_work(sessions) as session:
        organization = tenants.create_organization(session, name)
        _, key = tenants.create_api_key(session, organization.id, scope=scope)
        for platform in platforms:
            client_id, secret = f"{name}-{platform}", secrets.token_urlsafe(16)
            getattr(emulators, platform).register_client(client_id, secret)
            save_connection(
                session,
                cipher,
                organization_id=organization.id,
                platform=platform,
                client_id=client_id,
                client_secret=secret,
                organization_urn=f"urn:li:organization:{organization.id}" if platform == "linkedin" else None,
            )
            clients[platform] = (client_id, secret)
    return Tenant(organization.id, name, key, clients)


@pytest.fixture
def make_tenant(sessions, settings, emulators):
    return lambda platforms=("linkedin", "naukri"), scope=KeyScope.RECRUITER: create_tenant(
        sessions, settings, emulators, platforms, scope
    )


@pytest.fixture
def tenant(make_tenant) -> Tenant:
    return make_tenant()


WORKER_STOP_TIMEOUT_MS = 10_000


class Pipeline:
    """Relay and publish workers of this test run, on real Redis, in this process."""

    def __init__(self, settings: Settings, sessions):
        self.settings = settings
        self.broker = build_broker(settings)
        self.context = build_worker_context(settings, sessions)
        self.actors = declare_publish_actors(self.broker, self.context)
        self.actors["sync"] = declare_sync_actor(self.broker, self.context)
        self.actors["notify"] = declare_notify_actor(self.broker, self.context)
        self.relay = Relay(settings, sessions, self.broker)
        self._stop = threading.Event()
        self._relay_thread = None
        self.worker = None

    def start(self, with_worker: bool = True) -> Pipeline:
        if with_worker:
            self.start_worker()
        self._relay_thread = threading.Thread(target=self.relay.run, args=(self._stop,), daemon=True)
        self._relay_thread.start()
        return self

    def start_worker(self) -> None:
        self.worker = dramatiq.Worker(self.broker, worker_threads=8, worker_timeout=100)
        self.worker.start()

    def stop_workers(self) -> None:
        """Stop the relay and the worker, waiting a bounded time (dramatiq's default is 10 minutes)."""
        self._stop.set()
        if self._relay_thread:
            self._relay_thread.join(5)
        if self.worker:
            self.worker.stop(timeout=WORKER_STOP_TIMEOUT_MS)

    def stop(self) -> None:
        self.stop_workers()
        self.broker.close()
        client = redis.Redis.from_url(self.settings.broker_url)
        for key in client.scan_iter(f"{self.settings.broker_namespace}*"):
            client.delete(key)


@pytest.fixture(scope="session")
def pipeline(settings, sessions, live_api):
    running = Pipeline(settings, sessions).start()
    yield running
    running.stop()


def postings_of(sessions, job_id: int) -> dict[str, Posting]:
    with sessions() as session:
        first_parts = select(Posting).where(Posting.job_id == job_id, Posting.part == 1)
        return {p.platform: p for p in session.scalars(first_parts)}


def log_of(sessions, job_id: int) -> list[PublishingLog]:
    with sessions() as session:
        return list(
            session.scalars(select(PublishingLog).where(PublishingLog.job_id == job_id).order_by(PublishingLog.id))
        )


def held_on(emulators: Emulators, sessions, job_id: int, platform: str) -> list[dict]:
    """The postings a platform's emulator holds for the job (the tests expect exactly one)."""
    return getattr(emulators, platform).postings_for(postings_of(sessions, job_id)[platform].external_id)


def settings_env(settings, **extra) -> dict:
    """The environment a `jobpub` subprocess needs to run on these settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOBPUB_")}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        if hasattr(value, "get_secret_value"):
            value = value.get_secret_value()
        env[f"JOBPUB_{name.upper()}"] = str(value)
    env.update({f"JOBPUB_{k.upper()}": str(v) for k, v in extra.items()})
    return env


def wait_for_syncs_to_settle(sessions) -> None:
    """Wait until no pull is pending or running: a fault aimed at pulls must meet the test's own."""

    def settled() -> bool:
        with sessions() as session:
            busy = session.scalar(select(SyncRun.id).where(SyncRun.status.in_(["pending", "running"])).limit(1))
        return busy is None

    wait_until(settled, 60, what="the pulls under way to finish")
