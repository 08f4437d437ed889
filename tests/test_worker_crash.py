"""A publisher worker process killed mid-publish: the job still ends published, exactly once.

The worker is a real `jobpub worker` process (the dramatiq CLI) and is killed with SIGKILL
while the platform is answering its create. A second worker picks the message up once the
first one's heartbeat lapses, waits out its lease, finds the posting on the platform, and
records it instead of creating it again.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from shared.models import PostingStatus
from tests.conftest import create_tenant, held_on, log_of, postings_of, settings_env
from tests.support import job_body, wait_until
from tests.test_relay import isolated  # noqa: F401  (fixture: own Redis, database, relay)


def start_worker(settings, **extra) -> subprocess.Popen:
    env = settings_env(settings, worker_maintenance_chance=1_000_000, log_level="WARNING", **extra)
    jobpub = Path(sys.executable).parent / "jobpub"
    return subprocess.Popen(
        [str(jobpub), "worker", "--queues", "publish.naukri", "--processes", "1", "--threads", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def kill_group(process: subprocess.Popen) -> None:
    # The dramatiq CLI forks worker processes: kill the whole group, as an OOM or a node loss would.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(10)


@pytest.mark.no_worker
def test_a_worker_killed_mid_publish_neither_loses_nor_doubles_the_posting(isolated, emulators):  # noqa: F811
    tenant = create_tenant(isolated.sessions, isolated.settings, emulators, platforms=("naukri",))
    emulators.naukri.set_faults({"slow": {"times": 1, "seconds": 1.0}})
    first = start_worker(isolated.settings)
    second = None
    try:
        answer = isolated.client.post(
            "/jobs/publishing/publish/", json={"job": job_body(), "platforms": ["naukri"]}, headers=tenant.headers
        )
        job_id = answer.json()["job_id"]
        wait_until(
            lambda: postings_of(isolated.sessions, job_id)["naukri"].status == PostingStatus.PUBLISHING,
            30,
            what="the first worker to claim the posting",
        )
        kill_group(first)
        second = start_worker(isolated.settings)
        wait_until(
            lambda: postings_of(isolated.sessions, job_id)["naukri"].status == PostingStatus.PUBLISHED,
            60,
            what="the second worker to finish the publish",
        )
    finally:
        kill_group(first)
        if second is not None:
            kill_group(second)
    assert len(held_on(emulators, isolated.sessions, job_id, "naukri")) == 1
    assert [r.event_type for r in log_of(isolated.sessions, job_id)].count("JobPublished") == 1
    assert postings_of(isolated.sessions, job_id)["naukri"].total_attempts == 2


@pytest.mark.no_worker
def test_a_publish_that_kills_its_worker_every_time_is_quarantined_and_the_others_flow(isolated, emulators):  # noqa: F811
    tenant = create_tenant(isolated.sessions, isolated.settings, emulators, platforms=("naukri",))
    quarantine = dict(quarantine_after_deliveries=2, lease_seconds=2)
    emulators.naukri.set_faults({"slow": {"times": 2, "seconds": 30}})  # each create hangs until its worker dies
    job_id = isolated.client.post(
        "/jobs/publishing/publish/", json={"job": job_body(), "platforms": ["naukri"]}, headers=tenant.headers
    ).json()["job_id"]
    for death in (1, 2):
        worker = start_worker(isolated.settings, **quarantine)
        wait_until(
            lambda death=death: postings_of(isolated.sessions, job_id)["naukri"].unfinished_claims == death,
            40,
            what=f"delivery {death} to claim the posting",
        )
        kill_group(worker)

    worker = start_worker(isolated.settings, **quarantine)
    try:
        failed = wait_until(
            lambda: (p := postings_of(isolated.sessions, job_id)["naukri"]).status == PostingStatus.FAILED and p,
            40,
            what="the third delivery to quarantine the publish",
        )
        assert "quarantined: 2 deliveries" in failed.last_error
        other = isolated.client.post(
            "/jobs/publishing/publish/", json={"job": job_body(), "platforms": ["naukri"]}, headers=tenant.headers
        ).json()["job_id"]
        wait_until(
            lambda: postings_of(isolated.sessions, other)["naukri"].status == PostingStatus.PUBLISHED,
            30,
            what="the next job",
        )
    finally:
        kill_group(worker)
    kinds = [r.event_type for r in log_of(isolated.sessions, job_id)]
    assert kinds[0] == "JobPublishRequested" and kinds[-1] == "JobPublishFailed"
    assert kinds.count("JobPublishFailed") == 1 and "JobPublished" not in kinds
