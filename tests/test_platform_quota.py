"""Two worker processes share one platform request quota, as two hosts would.

Each test runs a Naukri emulator of its own that enforces a quota per client id (429 with
Retry-After beyond it, and refusing until that time), two real `jobpub worker` processes, and
counts what the emulator saw. Counts, not timings.
"""

from __future__ import annotations

import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from services.api.app import create_app
from services.emulators import naukri
from services.emulators.server import serve_in_thread
from shared.db import build_engine, build_session_factory
from shared.models import Posting, PostingStatus, PublishingLog
from tests.conftest import Emulators, Pipeline, create_tenant, own_database, run_settings, settings_env
from tests.support import job_body, wait_until
from tests.test_worker_crash import kill_group

JOBS = 30


@contextmanager
def quota_run(emulators: Emulators, quota: dict, **settings_overrides):
    """An emulator with `quota`, a database, a Redis namespace, the API, the relay and two worker processes."""
    app = naukri.create_app()
    app.state.emulator.set_quota(**quota)
    server = serve_in_thread(app)
    own = emulators.replacing("naukri", app.state.emulator, server.url)
    workers = []
    with own_database("_quota") as url:
        values = dict(
            naukri_api_url=server.url,
            broker_namespace=f"{run_settings(url, own).broker_namespace}-quota",
            publish_max_attempts=20,
        )
        settings = run_settings(url, own, **{**values, **settings_overrides})
        engine = build_engine(settings)
        sessions = build_session_factory(engine)
        pipeline = Pipeline(settings, sessions).start(with_worker=False)
        try:
            workers = [start_worker(settings) for _ in range(2)]
            with TestClient(create_app(settings, engine)) as client:
                yield (
                    client,
                    sessions,
                    create_tenant(sessions, settings, own, platforms=("naukri",)),
                    app.state.emulator,
                )
        finally:
            for worker in workers:
                kill_group(worker)
            pipeline.stop()
            engine.dispose()
            server.stop()


def start_worker(settings) -> subprocess.Popen:
    jobpub = Path(sys.executable).parent / "jobpub"
    return subprocess.Popen(
        [str(jobpub), "worker", "--queues", "publish.naukri", "--processes", "1", "--threads", "4"],
        env=settings_env(settings, log_level="WARNING"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def publish_all(client, tenant, sessions, jobs: int = JOBS) -> None:
    for _ in range(jobs):
        answer = client.post(
            "/jobs/publishing/publish/", json={"job": job_body(), "platforms": ["naukri"]}, headers=tenant.headers
        )
        assert answer.status_code == 202, answer.text

    def published() -> int:
        with sessions() as session:
            return session.scalar(
                select(func.count()).select_from(Posting).where(Posting.status == PostingStatus.PUBLISHED)
            )

    wait_until(lambda: published() == jobs, 90, what=f"all {jobs} jobs to publish")


@pytest.mark.no_worker
def test_two_worker_processes_pacing_to_the_shared_quota_cause_no_429s(emulators):
    with quota_run(emulators, {"requests_per_second": 10}, naukri_requests_per_second=10) as (
        client,
        sessions,
        tenant,
        emulator,
    ):
        publish_all(client, tenant, sessions)
        quota = emulator.stats()["quota"]
        held = emulator.posting_count()
    assert quota["refused"] == 0
    assert quota["accepted"] == JOBS  # one create per job: nothing was refused, so nothing looked up
    assert held == JOBS


@pytest.mark.no_worker
def test_a_429s_retry_after_holds_back_both_worker_processes(emulators):
    # No pacing: the workers send as fast as they can, run into the quota and must wait out each Retry-After.
    with quota_run(emulators, {"requests_per_second": 5}, naukri_requests_per_second=0) as (
        client,
        sessions,
        tenant,
        emulator,
    ):
        publish_all(client, tenant, sessions)
        quota = emulator.stats()["quota"]
        held = emulator.posting_count()
    assert quota["refused"] >= 1  # the quota was reached, with a Retry-After …
    assert quota["ignored_retry_after"] == 0  # … and neither process sent again before it passed
    assert held == JOBS


@pytest.mark.no_worker
def test_a_turn_too_far_away_is_given_back_as_a_scheduled_retry_that_uses_no_attempt(emulators):
    # Two requests a second, and a worker may wait at most half a second (a third of its lease):
    # most publishes find their turn too far away. With one attempt allowed, none may fail for it.
    jobs = 8
    slow_pace = dict(naukri_requests_per_second=2, lease_seconds=1.5, http_timeout_seconds=1.0, publish_max_attempts=1)
    with quota_run(emulators, {"requests_per_second": 2}, **slow_pace) as (client, sessions, tenant, emulator):
        publish_all(client, tenant, sessions, jobs)
        quota = emulator.stats()["quota"]
        with sessions() as session:
            deferred = session.scalar(
                select(func.count())
                .select_from(PublishingLog)
                .where(PublishingLog.event_type == "JobPublishRetryScheduled")
            )
    assert deferred >= 1  # turns were given back …
    assert quota["refused"] == 0 and emulator.posting_count() == jobs  # … and every job still published, once
    assert quota["accepted"] == jobs  # a turn given back sent nothing, so nothing was looked up after it
