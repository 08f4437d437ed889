"""Operators see what failed and publish it again: `jobpub failures list` and `replay`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from shared.models import PublishingLog
from tests.conftest import held_on, postings_of, settings_env
from tests.support import publish, settled_status

JOBPUB = str(Path(sys.executable).parent / "jobpub")


def jobpub(settings, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [JOBPUB, *args], env=settings_env(settings), input=stdin, capture_output=True, text=True, timeout=60
    )


def test_after_a_platform_outage_failures_are_listed_replayed_once_and_published_once(
    client, make_tenant, pipeline, emulators, sessions, settings
):
    tenant = make_tenant(platforms=("naukri",))
    emulators.naukri.set_faults({"server_error": {"times": 10_000, "status": 503}})
    jobs = [publish(client, tenant, platforms=["naukri"]) for _ in range(3)]
    for job_id in jobs:
        assert settled_status(client, tenant, job_id)["platforms"]["naukri"]["status"] == "failed"
    emulators.naukri.clear_faults()  # the outage is over

    listed = jobpub(settings, "failures", "list", "--organization", tenant.name, "--error-contains", "503")
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 3 and "3 failed" in listed.stderr
    selection = ("failures", "replay", "--all", "--organization", tenant.name, "--platform", "naukri")
    assert "would replay 3" in jobpub(settings, *selection, "--dry-run").stdout
    declined = jobpub(settings, *selection, stdin="n\n")
    assert declined.returncode != 0 and "nothing replayed" in declined.stderr

    done = jobpub(settings, *selection, "--yes", "--why", "naukri outage over", "--by", "asha")
    assert done.returncode == 0 and "replayed 3" in done.stdout, done.stderr
    for job_id in jobs:
        assert settled_status(client, tenant, job_id)["platforms"]["naukri"]["status"] == "published"
        assert len(held_on(emulators, sessions, job_id, "naukri")) == 1
    again = jobpub(settings, *selection, "--yes")
    assert "replayed 0" in again.stdout
    with sessions() as session:
        replays = session.scalars(
            select(PublishingLog.payload).where(
                PublishingLog.job_id.in_(jobs), PublishingLog.event_type == "JobPublishReplayed"
            )
        ).all()
    assert len(replays) == 3 and {(r["by"], r["why"]) for r in replays} == {("asha", "naukri outage over")}
    assert all("503" in r["failed_with"] for r in replays)


def test_replaying_named_postings_checks_them_and_leaves_live_ones_alone(client, tenant, pipeline, settings, sessions):
    job_id = publish(client, tenant, platforms=["naukri"])
    settled_status(client, tenant, job_id)
    posting_id = postings_of(sessions, job_id)["naukri"].id
    live = jobpub(settings, "failures", "replay", str(posting_id), "--yes")
    assert live.returncode == 0 and "replayed 0, no longer failed 1" in live.stdout
    unknown = jobpub(settings, "failures", "replay", "999999999")
    assert unknown.returncode == 2 and "no posting 999999999" in unknown.stderr
    both = jobpub(settings, "failures", "replay", str(posting_id), "--all")
    assert both.returncode == 2
