"""Lifecycle answers mean what they say: a 202 only when something was queued (`skipped` says why
for the rest), a 409 that stores nothing when nothing could be done, and a repost that publishes
a closed job anew on the platform, end to end through the relay, the workers and the emulators."""

from __future__ import annotations

from tests.conftest import held_on, log_of, postings_of
from tests.support import PUBLISH, job_body, publish, settled_status
from tests.test_posting_lifecycle import act, edit, operations_settled, published_job


def republish(client, tenant, job_id: int, platforms):
    return client.post(PUBLISH, json={"job_id": job_id, "platforms": list(platforms)}, headers=tenant.headers)


def closed_job(client, tenant, platforms=("both",), close=None) -> int:
    """A job published on `platforms`, then closed on `close` (default: all of them)."""
    job_id = published_job(client, tenant, platforms=platforms)
    assert act(client, tenant, job_id, "close", **({"platforms": close} if close else {})).status_code == 202
    operations_settled(client, tenant, job_id)
    return job_id


def test_publishing_a_stored_job_where_it_is_closed_or_live_is_a_409_that_says_why_and_stores_nothing(
    client, tenant, pipeline, sessions
):
    job_id = closed_job(client, tenant, close=["linkedin"])
    events_before = len(log_of(sessions, job_id))

    answer = republish(client, tenant, job_id, ["both"])

    assert answer.status_code == 409, answer.text
    assert answer.json()["skipped"] == {
        "linkedin": f"linkedin is closed: repost it with POST /jobs/publishing/{job_id}/repost/",
        "naukri": "naukri is already published",
    }
    assert answer.json()["detail"].startswith("nothing to publish: linkedin is closed: repost it")
    assert len(log_of(sessions, job_id)) == events_before
    assert postings_of(sessions, job_id)["linkedin"].status == "closed"


def test_publishing_a_stored_job_acts_where_it_can_and_skips_the_rest_with_why(client, tenant, pipeline):
    job_id = published_job(client, tenant, platforms=["naukri"])

    answer = republish(client, tenant, job_id, ["both"])

    assert answer.status_code == 202, answer.text
    assert answer.json()["skipped"] == {"naukri": "naukri is already published"}
    assert answer.json()["platforms"]["linkedin"]["status"] == "pending"


def test_editing_a_job_closed_everywhere_is_a_409_and_changes_nothing(client, tenant, pipeline, sessions):
    job_id = closed_job(client, tenant, platforms=["linkedin"])
    events_before = len(log_of(sessions, job_id))

    answer = edit(client, tenant, job_id, title="Nobody Will See This")

    assert answer.status_code == 409, answer.text
    assert answer.json() == {
        "detail": "nothing to update: linkedin is closed",
        "skipped": {"linkedin": "linkedin is closed"},
    }
    status = client.get(f"/jobs/publishing/{job_id}/status/", headers=tenant.headers).json()
    assert status["title"] == "Backend Engineer"
    assert len(log_of(sessions, job_id)) == events_before


def test_editing_a_job_that_only_failed_keeps_the_edit_for_its_retry_and_says_nothing_was_queued(
    client, tenant, pipeline, emulators, sessions
):
    emulators.naukri.set_faults({"reject": {"times": 1, "message": "title contains a banned word"}})
    job_id = publish(client, tenant, platforms=["naukri"], title="Rockstar Ninja")
    assert settled_status(client, tenant, job_id)["platforms"]["naukri"]["status"] == "failed"

    answer = edit(client, tenant, job_id, title="Backend Engineer II")

    assert answer.status_code == 200, answer.text
    assert "a retry publishes the job as it is now" in answer.json()["skipped"]["naukri"]
    assert client.post(f"/jobs/publishing/{job_id}/retry/", headers=tenant.headers).status_code == 202
    assert settled_status(client, tenant, job_id)["platforms"]["naukri"]["status"] == "published"
    assert held_on(emulators, sessions, job_id, "naukri")[0]["title"] == "Backend Engineer II"


def test_reposting_a_closed_job_publishes_a_new_posting_and_the_log_keeps_the_old_one(
    client, tenant, pipeline, emulators, sessions
):
    job_id = closed_job(client, tenant)
    before = client.get(f"/jobs/publishing/{job_id}/status/", headers=tenant.headers).json()["platforms"]

    answer = act(client, tenant, job_id, "repost")

    assert answer.status_code == 202, answer.text
    assert answer.json()["skipped"] == {}
    assert {p["status"] for p in answer.json()["platforms"].values()} == {"pending"}
    after = settled_status(client, tenant, job_id)["platforms"]
    for platform in ("linkedin", "naukri"):
        old, new = before[platform], after[platform]
        assert new["status"] == "published" and new["operation"] is None, new
        assert new["external_id"] != old["external_id"]
        assert new["platform_job_id"] not in (None, old["platform_job_id"])
        assert new["url"] not in (None, old["url"])
        platform_emulator = getattr(emulators, platform)
        [closed] = platform_emulator.postings_for(old["external_id"])
        [live] = platform_emulator.postings_for(new["external_id"])
        assert (closed.get("listingStatus") or closed.get("status")) in ("NOT_LISTED", "closed")
        assert (live.get("listingStatus") or live.get("status")) in ("LISTED", "active")
        log = [row.payload for row in log_of(sessions, job_id) if row.platform == platform]
        published = [e["platform_job_id"] for e in log if "platform_job_id" in e and "attempt" in e]
        assert published == [old["platform_job_id"], new["platform_job_id"]]
        [repost] = [e for e in log if e.get("reason") == "repost"]
        assert repost["repost_of"] == {
            "external_id": old["external_id"],
            "platform_job_id": old["platform_job_id"],
            "url": old["url"],
        }
    again = act(client, tenant, job_id, "repost")
    assert again.status_code == 409 and "only a closed posting can be reposted" in again.json()["detail"]


def test_reposting_skips_what_is_not_closed_and_is_a_409_when_nothing_named_is(client, tenant, pipeline, sessions):
    job_id = closed_job(client, tenant, close=["naukri"])

    refused = act(client, tenant, job_id, "repost", platforms=["linkedin"])
    assert refused.status_code == 409, refused.text
    assert refused.json()["skipped"] == {"linkedin": "linkedin is published; only a closed posting can be reposted"}
    assert postings_of(sessions, job_id)["linkedin"].status == "published"

    answer = act(client, tenant, job_id, "repost")
    assert answer.status_code == 202, answer.text
    assert answer.json()["skipped"] == {"linkedin": "linkedin is published; only a closed posting can be reposted"}
    assert settled_status(client, tenant, job_id)["platforms"]["naukri"]["status"] == "published"


def test_an_expiry_in_the_past_is_a_422_naming_the_field_on_publish_and_on_edit(client, tenant, pipeline):
    past = "2020-01-31T00:00:00Z"
    answer = client.post(
        PUBLISH, json={"job": job_body(expires_at=past), "platforms": ["naukri"]}, headers=tenant.headers
    )
    assert answer.status_code == 422, answer.text
    assert [p["loc"] for p in answer.json()["detail"]] == [["body", "job", "expires_at"]]
    assert "in the future" in answer.json()["detail"][0]["msg"]

    job_id = published_job(client, tenant, platforms=["naukri"])
    edited = edit(client, tenant, job_id, expires_at=past)
    assert edited.status_code == 422 and [p["loc"] for p in edited.json()["detail"]] == [["body", "expires_at"]]
    status = client.get(f"/jobs/publishing/{job_id}/status/", headers=tenant.headers).json()
    assert {p["operation"] for p in status["platforms"].values()} == {None}
