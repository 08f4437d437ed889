"""Manual pulls: one tenant's requests can neither pile up nor hold back another tenant's pull.

Through the real API and a real worker on Redis (the `pipeline` fixture). Pulls are made slow
on the Naukri emulator so a backlog really forms; order is judged by `finished_at`, never by
wall-clock durations.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
from sqlalchemy import select, update

from shared.db import unit_of_work
from shared.models import SyncRun, utcnow
from tests.conftest import wait_for_syncs_to_settle
from tests.support import publish, settled_status, wait_until

SYNC = "/jobs/publishing/sync-applications/"
SLOW_PULLS = {"slow": {"on": "applications", "seconds": 0.5, "times": 10_000}}


def runs_of(sessions, ids) -> list[SyncRun]:
    with sessions() as session:
        return list(session.scalars(select(SyncRun).where(SyncRun.id.in_(ids))))


def wait_finished(sessions, ids, timeout: float = 90) -> list[SyncRun]:
    def finished():
        runs = runs_of(sessions, ids)
        return runs if all(run.finished_at is not None for run in runs) else None

    return wait_until(finished, timeout, interval=0.2, what="the pulls to finish")


def test_twenty_identical_pull_requests_at_once_make_one_run_and_every_answer_names_it(
    make_tenant, pipeline, live_api, emulators, sessions
):
    tenant = make_tenant(platforms=("naukri",))
    emulators.naukri.set_faults(SLOW_PULLS)  # the run is still under way while the requests arrive

    def ask(_):
        return httpx.post(live_api.url + SYNC, json={"platform": "naukri"}, headers=tenant.headers, timeout=30)

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(ask, range(20)))

    assert {answer.status_code for answer in answers} == {202}
    ids = {sync["id"] for answer in answers for sync in answer.json()["items"]}
    with sessions() as session:
        made = session.scalars(select(SyncRun.id).where(SyncRun.organization_id == tenant.id)).all()
    assert len(ids) == 1 and made == list(ids)
    emulators.naukri.clear_faults()
    wait_for_syncs_to_settle(sessions)


def test_a_tenant_flooding_the_sync_queue_does_not_hold_back_another_tenants_pull(
    client, make_tenant, pipeline, live_api, emulators, sessions
):
    flooder, newcomer = make_tenant(platforms=("naukri",)), make_tenant(platforms=("naukri",))
    jobs = [publish(client, flooder, platforms=["naukri"]) for _ in range(40)]
    for job_id in jobs:
        settled_status(client, flooder, job_id, timeout=60)
    wait_for_syncs_to_settle(sessions)
    # Slow enough that 8 worker threads need 5 s for the flood, and well inside the tests' 2-s HTTP
    # timeout: asked all at once, the flood is still queued when the newcomer asks, however loaded
    # the machine (posted one by one at 0.5 s a pull, a busy CI machine once saw all but 3 of them
    # run before the newcomer asked).
    emulators.naukri.set_faults({"slow": {"on": "applications", "seconds": 1.0, "times": 10_000}})

    def ask(job_id: int) -> list[int]:  # one pull per job: the dedupe does not merge them
        answer = httpx.post(
            live_api.url + SYNC, json={"platform": "naukri", "job_id": job_id}, headers=flooder.headers, timeout=30
        )
        assert answer.status_code == 202, answer.text
        return [sync["id"] for sync in answer.json()["items"]]

    with ThreadPoolExecutor(10) as pool:
        flood = [run_id for ids in pool.map(ask, jobs) for run_id in ids]
    answer = client.post(SYNC, json={"platform": "naukri"}, headers=newcomer.headers)
    assert answer.status_code == 202, answer.text
    [own] = [sync["id"] for sync in answer.json()["items"]]

    runs = {run.id: run for run in wait_finished(sessions, [*flood, own])}
    asked = runs[own].created_at
    waiting = [runs[i] for i in flood if runs[i].started_at > asked]  # the backlog the newcomer met
    overtook = [run for run in waiting if run.finished_at < runs[own].finished_at]
    assert runs[own].status == "succeeded"
    assert len(waiting) >= 8, "no backlog formed: the test proves nothing"
    assert len(overtook) < len(waiting) / 4, (
        f"{len(overtook)} of the {len(waiting)} pulls waiting before it finished first"
    )
    emulators.naukri.clear_faults()


def test_a_pull_quiet_for_longer_than_the_stall_limit_is_ended_when_asked_again_instead_of_blocking_for_good(
    client, make_tenant, pipeline, emulators, sessions, settings
):
    tenant = make_tenant(platforms=("naukri",))
    emulators.naukri.set_faults({"slow": {"on": "applications", "seconds": 2, "times": 1}})
    first = client.post(SYNC, json={"platform": "naukri"}, headers=tenant.headers).json()["items"][0]["id"]
    wait_until(lambda: runs_of(sessions, [first])[0].status == "running", 10, what="the pull to start")
    long_ago = utcnow() - timedelta(seconds=settings.recovery_stalled_after_seconds + 1)
    with unit_of_work(sessions) as session:  # what a worker that died mid-pull, its message lost, leaves behind
        session.execute(update(SyncRun).where(SyncRun.id == first).values(updated_at=long_ago))

    again = client.post(SYNC, json={"platform": "naukri"}, headers=tenant.headers)

    assert again.status_code == 202
    [fresh] = again.json()["items"]
    assert fresh["id"] != first
    wait_for_syncs_to_settle(sessions)  # the slow pull's worker comes back: its late finish changes nothing
    stalled = client.get(f"{SYNC}{first}/", headers=tenant.headers).json()
    assert stalled["status"] == "failed" and stalled["error"].startswith("stalled")
    assert client.get(f"{SYNC}{fresh['id']}/", headers=tenant.headers).json()["status"] == "succeeded"
