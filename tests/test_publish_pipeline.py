"""A publish request end to end: API → outbox → relay → Redis → dramatiq worker → emulator → status.

Faults are caused for real: the emulators answer 422, 429, 500, drop the connection or lose
the response after committing the posting.
"""

from __future__ import annotations

from datetime import timedelta

from dramatiq import Message

from services.emulators.linkedin_postings import DEFAULT_SETTLE_SECONDS
from tests.conftest import held_on, log_of
from tests.support import PUBLISH, job_body, publish, settled_status, wait_until


def test_publishing_to_both_gives_one_posting_per_platform_with_its_id_and_url(
    client, tenant, pipeline, sessions, emulators
):
    job_id = publish(client, tenant)
    status = settled_status(client, tenant, job_id)["platforms"]

    assert status["linkedin"]["status"] == status["naukri"]["status"] == "published"
    assert status["linkedin"]["platform_job_id"].isdigit()
    assert status["linkedin"]["url"] == f"{emulators.linkedin_url}/jobs/view/{status['linkedin']['platform_job_id']}"
    assert status["naukri"]["url"].endswith(status["naukri"]["platform_job_id"])
    assert len(held_on(emulators, sessions, job_id, "linkedin")) == 1
    assert len(held_on(emulators, sessions, job_id, "naukri")) == 1
    for platform in ("linkedin", "naukri"):
        kinds = [row.event_type for row in log_of(sessions, job_id) if row.platform == platform]
        assert kinds == ["JobPublishRequested", "JobPublished"], (platform, kinds)


def test_a_job_the_platform_rejects_fails_at_once_with_the_platforms_reason(client, tenant, pipeline, emulators):
    emulators.linkedin.set_faults(
        {"reject": {"times": 1, "message": "ERROR :: /title :: title contains a banned word"}}
    )
    job_id = publish(client, tenant, platforms=["linkedin"])
    linkedin = settled_status(client, tenant, job_id)["platforms"]["linkedin"]
    assert linkedin["status"] == "failed"
    assert "banned word" in linkedin["last_error"]
    assert linkedin["attempts"] == 1


def test_retry_publishes_a_failed_platform_again(client, tenant, pipeline, emulators, sessions):
    emulators.naukri.set_faults({"reject": {"times": 1, "message": "salary is below the minimum wage"}})
    job_id = publish(client, tenant)
    assert settled_status(client, tenant, job_id)["platforms"]["naukri"]["status"] == "failed"

    retried = client.post(f"/jobs/publishing/{job_id}/retry/", headers=tenant.headers)
    assert retried.status_code == 202
    assert retried.json()["platforms"]["naukri"]["status"] == "pending"
    status = settled_status(client, tenant, job_id)["platforms"]
    assert status["naukri"]["status"] == status["linkedin"]["status"] == "published"
    assert len(held_on(emulators, sessions, job_id, "naukri")) == 1
    kinds = [row.event_type for row in log_of(sessions, job_id) if row.platform == "naukri"]
    assert kinds == ["JobPublishRequested", "JobPublishFailed", "JobPublishRequested", "JobPublished"]


def test_retry_refuses_a_platform_that_did_not_fail(client, tenant, pipeline):
    job_id = publish(client, tenant, platforms=["naukri"])
    settled_status(client, tenant, job_id)
    nothing = client.post(f"/jobs/publishing/{job_id}/retry/", headers=tenant.headers)
    assert nothing.status_code == 409 and "nothing to retry" in nothing.json()["detail"]
    named = client.post(f"/jobs/publishing/{job_id}/retry/", json={"platforms": ["naukri"]}, headers=tenant.headers)
    assert named.status_code == 409 and "published" in named.json()["detail"]


def test_a_429_waits_for_retry_after_and_then_publishes(client, tenant, pipeline, emulators, sessions):
    emulators.linkedin.set_faults({"rate_limit": {"times": 1, "retry_after": 1}})
    job_id = publish(client, tenant, platforms=["linkedin"])
    assert settled_status(client, tenant, job_id)["platforms"]["linkedin"]["status"] == "published"
    rows = log_of(sessions, job_id)
    scheduled = next(row for row in rows if row.event_type == "JobPublishRetryScheduled")
    published = next(row for row in rows if row.event_type == "JobPublished")
    assert published.created_at - scheduled.created_at >= timedelta(seconds=0.95)


def test_a_burst_of_server_errors_ends_published_after_retries(client, tenant, pipeline, emulators, sessions):
    emulators.naukri.set_faults({"server_error": {"times": 3, "status": 503}})
    job_id = publish(client, tenant, platforms=["naukri"])
    naukri = settled_status(client, tenant, job_id)["platforms"]["naukri"]
    assert naukri["status"] == "published"
    assert naukri["attempts"] == 4
    assert len(held_on(emulators, sessions, job_id, "naukri")) == 1


def test_transient_errors_give_up_after_the_configured_attempts(client, tenant, pipeline, emulators, settings):
    emulators.naukri.set_faults({"server_error": {"times": 1000, "status": 500}})
    job_id = publish(client, tenant, platforms=["naukri"])
    naukri = settled_status(client, tenant, job_id)["platforms"]["naukri"]
    assert naukri["status"] == "failed"
    assert naukri["attempts"] == settings.publish_max_attempts
    assert f"gave up after {settings.publish_max_attempts} attempts" in naukri["last_error"]


def test_a_response_lost_after_the_platform_committed_does_not_double_post(
    client, tenant, pipeline, emulators, sessions
):
    # Naukri does not reject a second create with the same reference: only our look-up prevents a double.
    emulators.naukri.set_faults({"lose_response": {"times": 1}})
    job_id = publish(client, tenant, platforms=["naukri"])
    naukri = settled_status(client, tenant, job_id)["platforms"]["naukri"]
    assert naukri["status"] == "published"
    assert len(held_on(emulators, sessions, job_id, "naukri")) == 1


def test_a_dropped_connection_is_retried_and_publishes_once(client, tenant, pipeline, emulators, sessions):
    emulators.linkedin.set_faults({"drop_connection": {"times": 2}})
    job_id = publish(client, tenant, platforms=["linkedin"])
    assert settled_status(client, tenant, job_id)["platforms"]["linkedin"]["status"] == "published"
    assert len(held_on(emulators, sessions, job_id, "linkedin")) == 1


def test_the_same_message_delivered_three_times_at_once_posts_once(client, tenant, pipeline, emulators, sessions):
    emulators.naukri.set_faults({"slow": {"times": 1, "seconds": 0.5}})
    job_id = publish(client, tenant, platforms=["naukri"])
    request = wait_until(
        lambda: next(
            (r for r in log_of(sessions, job_id) if r.event_type == "JobPublishRequested" and r.dispatched_at), None
        ),
        what="the relay to send the request",
    )
    for _ in range(2):  # two more copies of the very same message, while the first is in flight
        pipeline.broker.enqueue(
            Message(
                queue_name=request.dispatch_queue,
                actor_name=request.dispatch_actor,
                args=(),
                kwargs={"event": request.payload, "correlation_id": request.correlation_id},
                options={},
                message_id=request.event_id,
            )
        )
    assert settled_status(client, tenant, job_id)["platforms"]["naukri"]["status"] == "published"
    assert len(held_on(emulators, sessions, job_id, "naukri")) == 1
    published = [r for r in log_of(sessions, job_id) if r.event_type == "JobPublished"]
    assert len(published) == 1


def test_an_expired_token_mid_run_is_renewed_without_a_failure(client, tenant, pipeline, emulators):
    first = publish(client, tenant, platforms=["linkedin"])
    assert settled_status(client, tenant, first)["platforms"]["linkedin"]["status"] == "published"
    emulators.linkedin.set_faults({"expire_tokens": True})
    second = publish(client, tenant, platforms=["linkedin"])
    linkedin = settled_status(client, tenant, second)["platforms"]["linkedin"]
    assert linkedin["status"] == "published" and linkedin["attempts"] == 1


def test_a_correlation_id_from_the_request_reaches_the_events(client, tenant, pipeline, sessions):
    answer = client.post(
        PUBLISH,
        json={"job": job_body(), "platforms": ["naukri"]},
        headers={**tenant.headers, "X-Request-ID": "trace-abc-123"},
    )
    assert answer.headers["x-request-id"] == "trace-abc-123"
    job_id = answer.json()["job_id"]
    settled_status(client, tenant, job_id)
    assert {row.correlation_id for row in log_of(sessions, job_id)} == {"trace-abc-123"}


def test_publishing_a_stored_job_again_changes_nothing_where_it_is_live(client, tenant, pipeline, emulators, sessions):
    job_id = publish(client, tenant, platforms=["naukri"])
    settled_status(client, tenant, job_id)
    again = client.post(PUBLISH, json={"job_id": job_id, "platforms": ["both"]}, headers=tenant.headers)
    assert again.status_code == 202
    status = settled_status(client, tenant, job_id)["platforms"]
    assert status["naukri"]["status"] == status["linkedin"]["status"] == "published"
    assert len(held_on(emulators, sessions, job_id, "naukri")) == 1


def test_a_linkedin_task_slower_than_one_attempt_is_checked_again_without_using_up_attempts(
    client, tenant, pipeline, emulators, sessions, settings
):
    slower = settings.task_poll_timeout_seconds * 2.5  # two attempts' polling windows and then some
    emulators.linkedin.settle_seconds = slower
    try:
        job_id = publish(client, tenant, platforms=["linkedin"])
        linkedin = settled_status(client, tenant, job_id, timeout=slower + 20)["platforms"]["linkedin"]
    finally:
        emulators.linkedin.settle_seconds = DEFAULT_SETTLE_SECONDS
    assert linkedin["status"] == "published"
    assert linkedin["attempts"] == 1
    checks = [row for row in log_of(sessions, job_id) if row.event_type == "JobPublishRetryScheduled"]
    assert len(checks) >= 2 and all("still processing" in row.payload["error"] for row in checks)
    assert len(held_on(emulators, sessions, job_id, "linkedin")) == 1
