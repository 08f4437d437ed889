"""An operator key lists its organization's failures and replays them over the API; a recruiter key may not."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

from sqlalchemy import select

from shared.models import KeyScope, PublishingLog
from tests.conftest import held_on, postings_of
from tests.support import publish, settled_status

FAILURES = "/jobs/publishing/failures/"
REPLAY = "/jobs/publishing/failures/replay/"


def fail_jobs(client, tenant, emulators, count: int) -> list[int]:
    """`count` jobs that Naukri's outage (503 on every call) leaves failed; the outage then ends."""
    emulators.naukri.set_faults({"server_error": {"times": 10_000, "status": 503}})
    jobs = [publish(client, tenant, platforms=["naukri"]) for _ in range(count)]
    for job_id in jobs:
        assert settled_status(client, tenant, job_id)["platforms"]["naukri"]["status"] == "failed"
    emulators.naukri.clear_faults()
    return jobs


def test_an_operator_lists_failures_replays_them_once_and_each_is_published_once(
    client, make_tenant, pipeline, emulators, sessions
):
    operator = make_tenant(platforms=("naukri",), scope=KeyScope.OPERATOR)
    jobs = fail_jobs(client, operator, emulators, 2)

    listed = client.get(FAILURES, params={"error_contains": "503", "platform": "naukri"}, headers=operator.headers)
    assert listed.status_code == 200, listed.text
    assert sorted(f["job_id"] for f in listed.json()["items"]) == sorted(jobs)
    assert all("503" in f["error"] and f["attempts"] >= 1 for f in listed.json()["items"])

    dry = client.post(REPLAY, json={"all": True, "platform": "naukri", "dry_run": True}, headers=operator.headers)
    assert dry.json() == {"matched": 2, "replayed": 0, "skipped": 0, "dry_run": True}
    assert len(client.get(FAILURES, headers=operator.headers).json()["items"]) == 2  # a dry run changes nothing

    done = client.post(REPLAY, json={"all": True, "why": "naukri outage over"}, headers=operator.headers)
    assert done.status_code == 200 and done.json()["replayed"] == 2, done.text
    for job_id in jobs:
        assert settled_status(client, operator, job_id)["platforms"]["naukri"]["status"] == "published"
        assert len(held_on(emulators, sessions, job_id, "naukri")) == 1
    again = client.post(REPLAY, json={"all": True}, headers=operator.headers)
    assert again.json()["replayed"] == 0 and client.get(FAILURES, headers=operator.headers).json()["items"] == []

    with sessions() as session:
        replays = session.scalars(
            select(PublishingLog.payload).where(
                PublishingLog.job_id.in_(jobs), PublishingLog.event_type == "JobPublishReplayed"
            )
        ).all()
    key_id = operator.api_key.split("_")[1]
    assert len(replays) == 2 and {(r["by"], r["why"]) for r in replays} == {(f"api key {key_id}", "naukri outage over")}


def test_a_bulk_replay_is_paced_at_the_replay_rate(client, make_tenant, pipeline, emulators, sessions, settings):
    operator = make_tenant(platforms=("naukri",), scope=KeyScope.OPERATOR)
    jobs = fail_jobs(client, operator, emulators, 3)
    posting_ids = [postings_of(sessions, job_id)["naukri"].id for job_id in jobs]

    done = client.post(REPLAY, json={"posting_ids": posting_ids}, headers=operator.headers)
    assert done.json()["replayed"] == 3
    with sessions() as session:
        requests = session.execute(
            select(PublishingLog.created_at, PublishingLog.dispatch_after)
            .where(PublishingLog.job_id.in_(jobs), PublishingLog.event_type == "JobPublishRequested")
            .where(PublishingLog.payload["reason"].as_string() == "replay")
            .order_by(PublishingLog.id)
        ).all()
    # The requests are recorded at once, but sent to the workers one replay interval apart.
    sent_at = [dispatch_after or created_at for created_at, dispatch_after in requests]
    gap = timedelta(seconds=1 / settings.replay_per_second)
    assert len(sent_at) == 3 and all(later - earlier >= gap * 0.99 for earlier, later in pairwise(sent_at))


def test_a_recruiter_key_is_refused_with_a_message_that_says_what_is_needed(client, tenant):
    for answer in (
        client.get(FAILURES, headers=tenant.headers),
        client.post(REPLAY, json={"all": True}, headers=tenant.headers),
    ):
        assert answer.status_code == 403 and "operator key" in answer.json()["detail"]


def test_a_replay_request_names_postings_or_all_and_only_postings_of_its_organization(client, make_tenant, sessions):
    operator = make_tenant(platforms=("naukri",), scope=KeyScope.OPERATOR)
    neither = client.post(REPLAY, json={}, headers=operator.headers)
    both = client.post(REPLAY, json={"all": True, "posting_ids": [1]}, headers=operator.headers)
    assert neither.status_code == both.status_code == 422 and "not both or neither" in both.text
    unknown = client.post(REPLAY, json={"posting_ids": [999_999_999]}, headers=operator.headers)
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["body", "posting_ids", 0]
    assert "no posting 999999999 in your organization" in unknown.json()["detail"][0]["msg"]
