"""The publishing log, readable: over the API for the job's organization, and by `jobpub log` for operators."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import settings_env
from tests.support import publish, settled_status

JOBPUB = str(Path(sys.executable).parent / "jobpub")


def test_a_jobs_events_read_in_order_over_the_api_and_only_by_its_organization(
    client, make_tenant, pipeline, emulators
):
    owner, stranger = make_tenant(), make_tenant()
    emulators.naukri.set_faults({"server_error": {"times": 1, "status": 503}})
    job_id = publish(client, owner, platforms=["naukri"])
    settled_status(client, owner, job_id)

    first = client.get(f"/jobs/publishing/{job_id}/events/", params={"limit": 2}, headers=owner.headers).json()
    rest = client.get(
        f"/jobs/publishing/{job_id}/events/", params={"cursor": first["next_cursor"]}, headers=owner.headers
    ).json()
    kinds = [event["event_type"] for event in first["items"] + rest["items"]]
    assert kinds == ["JobPublishRequested", "JobPublishRetryScheduled", "JobPublished"]
    assert "503" in first["items"][1]["payload"]["error"]
    assert rest["next_cursor"] is None
    assert client.get(f"/jobs/publishing/{job_id}/events/", headers=stranger.headers).status_code == 404


def test_jobpub_log_prints_a_jobs_events_for_an_operator(client, tenant, pipeline, settings):
    job_id = publish(client, tenant, platforms=["both"])
    settled_status(client, tenant, job_id)
    run = subprocess.run(
        [JOBPUB, "log", str(job_id)], env=settings_env(settings), capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert f"job {job_id}" in lines[0] and "4 events" in lines[0]
    assert sum("JobPublished " in line for line in lines) == 2 and any("platform_job_id=" in line for line in lines)

    as_json = subprocess.run(
        [JOBPUB, "log", str(job_id), "--json"], env=settings_env(settings), capture_output=True, text=True, timeout=60
    )
    events = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert [event["event_type"] for event in events].count("JobPublishRequested") == 2
    missing = subprocess.run(
        [JOBPUB, "log", "999999999"], env=settings_env(settings), capture_output=True, text=True, timeout=60
    )
    assert missing.returncode == 2 and "no job 999999999" in missing.stderr
