"""A published job's lifecycle end to end: edit, close and renew reach the platforms' emulators with
the right operation, through the outbox, the relay, Redis and the publish workers; faults are
caused by the emulators (429, 500, a refused element)."""

from __future__ import annotations

from datetime import datetime, timedelta

from dramatiq import Message

from services.emulators.linkedin_postings import RENEWAL_MS
from tests.conftest import held_on, log_of, postings_of
from tests.support import publish, settled_status, wait_until
from tests.test_metrics import value

IN_FLIGHT = {"pending", "running"}


def edit(client, tenant, job_id: int, **fields):
    return client.patch(f"/jobs/publishing/{job_id}/", json=fields, headers=tenant.headers)


def act(client, tenant, job_id: int, action: str, **body):
    return client.post(f"/jobs/publishing/{job_id}/{action}/", json=body or None, headers=tenant.headers)


def operations_settled(client, tenant, job_id: int) -> dict:
    """The job's status once no platform has an operation pending or running."""

    def check():
        body = client.get(f"/jobs/publishing/{job_id}/status/", headers=tenant.headers).json()
        return (
            body["platforms"] if not {p["operation_status"] for p in body["platforms"].values()} & IN_FLIGHT else None
        )

    return wait_until(check, 20, what=f"job {job_id}'s operations to settle")


def linkedin_operation_status(client, tenant, job_id: int) -> str | None:
    status = client.get(f"/jobs/publishing/{job_id}/status/", headers=tenant.headers).json()
    return status["platforms"]["linkedin"]["operation_status"]


def linkedin_operations(emulators, sessions, job_id: int) -> list[str]:
    return emulators.linkedin.operations_for(postings_of(sessions, job_id)["linkedin"].external_id)


def published_job(client, tenant, platforms=("both",)) -> int:
    job_id = publish(client, tenant, platforms=platforms)
    assert {p["status"] for p in settled_status(client, tenant, job_id)["platforms"].values()} == {"published"}
    return job_id


def test_editing_a_published_job_updates_it_on_both_platforms(client, tenant, pipeline, emulators, sessions):
    job_id = published_job(client, tenant)

    answer = edit(client, tenant, job_id, title="Senior Backend Engineer", skills=["Go"])
    assert answer.status_code == 202, answer.text
    assert {p["operation"] for p in answer.json()["platforms"].values()} == {"update"}
    status = operations_settled(client, tenant, job_id)

    for platform in ("linkedin", "naukri"):
        assert status[platform]["status"] == "published" and status[platform]["operation_status"] == "succeeded"
        [held] = held_on(emulators, sessions, job_id, platform)
        assert held["title"] == "Senior Backend Engineer"
    assert linkedin_operations(emulators, sessions, job_id) == ["CREATE", "UPDATE"]
    assert held_on(emulators, sessions, job_id, "naukri")[0]["skills"] == ["Go"]
    kinds = [row.event_type for row in log_of(sessions, job_id) if row.platform == "naukri"]
    assert kinds[-2:] == ["JobOperationRequested", "JobUpdated"]


def test_closing_a_job_closes_it_on_both_platforms_and_the_status_says_closed(
    client, tenant, pipeline, emulators, sessions
):
    job_id = published_job(client, tenant)

    answer = act(client, tenant, job_id, "close")
    assert answer.status_code == 202, answer.text
    status = operations_settled(client, tenant, job_id)

    assert status["linkedin"]["status"] == status["naukri"]["status"] == "closed"
    assert linkedin_operations(emulators, sessions, job_id) == ["CREATE", "CLOSE"]
    assert held_on(emulators, sessions, job_id, "linkedin")[0]["listingStatus"] == "NOT_LISTED"
    assert held_on(emulators, sessions, job_id, "naukri")[0]["status"] == "closed"
    again = act(client, tenant, job_id, "close")
    assert again.status_code == 409 and "nothing to close: linkedin is closed" in again.json()["detail"]
    closes = {"platform": "naukri", "operation": "close", "outcome": "succeeded"}
    wait_until(
        lambda: value(client.get("/metrics").text, "jobpub_posting_operations_total", **closes) >= 1, what="the count"
    )


def test_renewing_extends_the_linkedin_posting_by_30_days_and_refreshes_naukri_for_30_more(
    client, tenant, pipeline, emulators, sessions
):
    job_id = published_job(client, tenant)
    expiry_before = held_on(emulators, sessions, job_id, "linkedin")[0]["expireAt"]
    naukri_expiry_before = datetime.fromisoformat(held_on(emulators, sessions, job_id, "naukri")[0]["expiresAt"])

    answer = act(client, tenant, job_id, "renew")
    assert answer.status_code == 202, answer.text
    assert answer.json()["skipped"] == {}
    status = operations_settled(client, tenant, job_id)
    assert status["linkedin"]["operation_status"] == status["naukri"]["operation_status"] == "succeeded"

    assert linkedin_operations(emulators, sessions, job_id) == ["CREATE", "RENEW"]
    assert held_on(emulators, sessions, job_id, "linkedin")[0]["expireAt"] == expiry_before + RENEWAL_MS
    # Naukri's refresh is its renew: the same posting, listed 30 days longer
    [naukri] = held_on(emulators, sessions, job_id, "naukri")
    assert datetime.fromisoformat(naukri["expiresAt"]) - naukri_expiry_before == timedelta(days=30)
    assert naukri["status"] == "active" and naukri["refreshedAt"]


def test_server_errors_and_a_429_on_an_update_are_retried_until_it_lands(client, tenant, pipeline, emulators, sessions):
    job_id = published_job(client, tenant)
    emulators.naukri.set_faults({"server_error": {"times": 2, "status": 503}})
    emulators.linkedin.set_faults({"rate_limit": {"times": 1, "retry_after": 1}})

    assert edit(client, tenant, job_id, title="Staff Engineer").status_code == 202
    status = operations_settled(client, tenant, job_id)

    for platform in ("linkedin", "naukri"):
        assert status[platform]["operation_status"] == "succeeded", status[platform]
        assert held_on(emulators, sessions, job_id, platform)[0]["title"] == "Staff Engineer"
        retries = [
            r
            for r in log_of(sessions, job_id)
            if r.platform == platform and r.event_type == "JobOperationRetryScheduled"
        ]
        assert len(retries) == {"linkedin": 1, "naukri": 2}[platform]
    assert status["naukri"]["attempts"] == 3


def test_a_refused_update_fails_without_losing_that_the_job_is_live_and_a_replay_sends_it(
    client, tenant, pipeline, emulators, sessions, settings
):
    from tests.test_failures import jobpub

    job_id = published_job(client, tenant, platforms=["linkedin"])
    emulators.linkedin.set_faults(
        {"reject": {"times": 1, "message": "ERROR :: /title :: title contains a banned word"}}
    )

    assert edit(client, tenant, job_id, title="Rockstar Ninja").status_code == 202
    linkedin = operations_settled(client, tenant, job_id)["linkedin"]
    assert (linkedin["status"], linkedin["operation"], linkedin["operation_status"]) == (
        "published",
        "update",
        "failed",
    )
    assert "banned word" in linkedin["last_error"]

    listed = jobpub(settings, "failures", "list", "--organization", tenant.name)
    assert listed.returncode == 0 and "update" in listed.stdout and "banned word" in listed.stdout, listed.stderr
    replayed = jobpub(settings, "failures", "replay", "--all", "--organization", tenant.name, "--yes", "--by", "ravi")
    assert "replayed 1" in replayed.stdout, replayed.stderr
    assert operations_settled(client, tenant, job_id)["linkedin"]["operation_status"] == "succeeded"
    assert held_on(emulators, sessions, job_id, "linkedin")[0]["title"] == "Rockstar Ninja"
    [replay] = [r.payload for r in log_of(sessions, job_id) if r.event_type == "JobOperationReplayed"]
    assert (replay["operation"], replay["by"]) == ("update", "ravi") and "banned word" in replay["failed_with"]


def test_an_edit_made_while_an_update_runs_is_sent_after_it_so_the_newest_fields_win(
    client, tenant, pipeline, emulators, sessions
):
    job_id = published_job(client, tenant, platforms=["linkedin"])
    emulators.linkedin.set_faults({"slow": {"times": 1, "seconds": 0.6}})

    assert edit(client, tenant, job_id, title="First Edit").status_code == 202
    wait_until(
        lambda: linkedin_operation_status(client, tenant, job_id) == "running", what="the first update to be under way"
    )
    assert edit(client, tenant, job_id, title="Second Edit").status_code == 202
    assert operations_settled(client, tenant, job_id)["linkedin"]["operation_status"] == "succeeded"

    assert linkedin_operations(emulators, sessions, job_id) == ["CREATE", "UPDATE", "UPDATE"]
    assert held_on(emulators, sessions, job_id, "linkedin")[0]["title"] == "Second Edit"


def test_an_edit_after_a_close_does_not_reopen_the_posting(client, tenant, pipeline, emulators, sessions):
    job_id = published_job(client, tenant, platforms=["linkedin"])

    assert act(client, tenant, job_id, "close").status_code == 202
    late = edit(client, tenant, job_id, title="Too Late")
    assert late.status_code == 409 and late.json()["skipped"]["linkedin"] in (
        "linkedin is being closed",
        "linkedin is closed",
    )
    status = operations_settled(client, tenant, job_id)

    assert status["linkedin"]["status"] == "closed"
    assert linkedin_operations(emulators, sessions, job_id) == ["CREATE", "CLOSE"]
    assert held_on(emulators, sessions, job_id, "linkedin")[0]["listingStatus"] == "NOT_LISTED"


def test_a_close_asked_for_while_the_publish_is_under_way_closes_once_it_is_published(
    client, tenant, pipeline, emulators, sessions
):
    emulators.linkedin.set_faults({"slow": {"times": 1, "seconds": 0.5}})
    job_id = publish(client, tenant, platforms=["linkedin"])

    answer = act(client, tenant, job_id, "close")
    assert answer.status_code == 202 and answer.json()["platforms"]["linkedin"]["status"] in ("pending", "publishing")
    status = wait_until(
        lambda: (s := operations_settled(client, tenant, job_id))["linkedin"]["status"] == "closed" and s,
        what="the posting to be closed",
    )

    assert status["linkedin"]["operation_status"] == "succeeded"
    assert linkedin_operations(emulators, sessions, job_id) == ["CREATE", "CLOSE"]
    assert len(held_on(emulators, sessions, job_id, "linkedin")) == 1


def test_a_close_asked_for_while_a_publish_that_then_fails_is_under_way_just_closes_it(
    client, tenant, pipeline, emulators, sessions, settings
):
    from tests.test_failures import jobpub

    emulators.naukri.set_faults(
        {"slow": {"times": 1, "seconds": 0.5}, "reject": {"times": 1, "message": "salary too low"}}
    )
    job_id = publish(client, tenant, platforms=["naukri"])

    assert act(client, tenant, job_id, "close").status_code == 202
    naukri = wait_until(
        lambda: (s := operations_settled(client, tenant, job_id))["naukri"]["status"] == "closed" and s["naukri"],
        what="the posting to be closed",
    )

    assert naukri["operation_status"] == "succeeded"
    assert held_on(emulators, sessions, job_id, "naukri") == []
    kinds = [row.event_type for row in log_of(sessions, job_id)]
    assert kinds[-2:] == ["JobPublishFailed", "JobClosed"]
    listed = jobpub(settings, "failures", "list", "--organization", tenant.name)
    assert "0 failed" in listed.stderr  # closed on purpose: nothing for an operator to replay


def test_a_renew_message_delivered_three_times_renews_once(client, tenant, pipeline, emulators, sessions):
    job_id = published_job(client, tenant, platforms=["linkedin"])
    expiry_before = held_on(emulators, sessions, job_id, "linkedin")[0]["expireAt"]
    emulators.linkedin.set_faults({"slow": {"times": 1, "seconds": 0.5}})

    assert act(client, tenant, job_id, "renew").status_code == 202
    request = wait_until(
        lambda: next(
            (r for r in log_of(sessions, job_id) if r.event_type == "JobOperationRequested" and r.dispatched_at), None
        ),
        what="the relay to send the renew",
    )
    for _ in range(2):  # two more copies of the very same message while the first is in flight
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
    assert operations_settled(client, tenant, job_id)["linkedin"]["operation_status"] == "succeeded"

    assert linkedin_operations(emulators, sessions, job_id) == ["CREATE", "RENEW"]
    assert held_on(emulators, sessions, job_id, "linkedin")[0]["expireAt"] == expiry_before + RENEWAL_MS
    assert len([r for r in log_of(sessions, job_id) if r.event_type == "JobRenewed"]) == 1


def test_a_posting_linkedin_closed_on_its_own_shows_closed_after_a_sync(client, tenant, pipeline, emulators, sessions):
    job_id = published_job(client, tenant)
    emulators.linkedin.close_on_its_own(postings_of(sessions, job_id)["linkedin"].external_id)

    [sync] = client.post(
        "/jobs/publishing/sync-applications/", json={"platform": "linkedin"}, headers=tenant.headers
    ).json()["items"]
    wait_until(
        lambda: (
            client.get(f"/jobs/publishing/sync-applications/{sync['id']}/", headers=tenant.headers).json()["status"]
            == "succeeded"
        ),
        what="the pull",
    )

    status = client.get(f"/jobs/publishing/{job_id}/status/", headers=tenant.headers).json()["platforms"]
    assert status["linkedin"]["status"] == "closed" and status["naukri"]["status"] == "published"
    [closed] = [r.payload for r in log_of(sessions, job_id) if r.event_type == "JobClosedByPlatform"]
    assert closed["listing_status"] == "NOT_LISTED" and closed["platform"] == "linkedin"


def test_an_edit_is_checked_like_a_publish_and_a_bad_one_changes_nothing(client, tenant, pipeline):
    job_id = published_job(client, tenant)

    cases = {
        "title": ({"title": "x" * 151}, ["body", "title"]),
        "removed": ({"company": None}, ["body", "company"]),
        "unknown": ({"status": "closed"}, ["body", "status"]),
        "url": ({"apply_url": "ftp://acme.example"}, ["body", "apply_url"]),
        "short": ({"description": "Short, but enough for Naukri: fifty-one characters!"}, ["body", "description"]),
    }
    for case, (fields, loc) in cases.items():
        answer = edit(client, tenant, job_id, **fields)
        assert answer.status_code == 422, (case, answer.text)
        assert [problem["loc"] for problem in answer.json()["detail"]] == [loc], case
    assert edit(client, tenant, job_id).status_code == 422  # nothing to change
    status = client.get(f"/jobs/publishing/{job_id}/status/", headers=tenant.headers).json()
    assert status["title"] == "Backend Engineer" and {p["operation"] for p in status["platforms"].values()} == {None}


def test_the_publishing_log_command_shows_the_operations(client, tenant, pipeline, settings):
    from tests.test_failures import jobpub

    job_id = published_job(client, tenant, platforms=["naukri"])
    edit(client, tenant, job_id, title="Platform Engineer")
    operations_settled(client, tenant, job_id)
    act(client, tenant, job_id, "close")
    operations_settled(client, tenant, job_id)

    printed = jobpub(settings, "log", str(job_id))
    assert printed.returncode == 0, printed.stderr
    lines = printed.stdout.splitlines()
    requested = [line for line in lines if "JobOperationRequested" in line]
    assert len(requested) == 2 and "operation=update" in requested[0] and "operation=close" in requested[1]
    assert any("JobUpdated" in line for line in lines) and any("JobClosed " in line for line in lines)
