"""A job published to every board at once: LinkedIn, Naukri and Indeed through their APIs, and the
job feed; `"all"` names every platform the organization has connected. Closing takes it off each."""

from __future__ import annotations

from tests.conftest import held_on
from tests.feed.support import NEW_ADDRESS, assert_google_job_posting, feed_jobs, job_posting, path_of
from tests.support import publish, settled_status, wait_until

EVERY_BOARD = ("linkedin", "naukri", "indeed", "feed")


def test_all_publishes_on_every_connected_board_and_a_close_takes_it_off_each(
    client, make_tenant, pipeline, emulators, sessions
):
    tenant = make_tenant(platforms=("linkedin", "naukri", "indeed"))
    feed = client.post(NEW_ADDRESS, headers=tenant.headers).json()  # connects the feed
    salary = {"minimum": 2_400_000, "maximum": 3_600_000, "currency": "INR", "period": "yearly"}
    job_id = publish(client, tenant, platforms=["all"], expires_at="2030-01-31T00:00:00Z", salary=salary)

    status = settled_status(client, tenant, job_id)["platforms"]
    assert {name: status[name]["status"] for name in status} == dict.fromkeys(EVERY_BOARD, "published")
    [indeed] = held_on(emulators, sessions, job_id, "indeed")
    assert indeed["status"] == "ACTIVE"
    [listed] = feed_jobs(client, feed["feed_url"]).values()
    page, _, source = listed["url"].partition("?")  # the feed's link says where the visitor came from
    assert page == status["feed"]["url"] and "utm_source=feed" in source
    assert_google_job_posting(job_posting(client, status["feed"]["url"]))

    assert client.post(f"/jobs/publishing/{job_id}/close/", headers=tenant.headers).status_code == 202
    closed = wait_until(
        lambda: (
            (body := client.get(f"/jobs/publishing/{job_id}/status/", headers=tenant.headers).json()["platforms"])
            and all(p["status"] == "closed" for p in body.values())
            and body
        ),
        30,
        what="every board to close",
    )
    assert set(closed) == set(EVERY_BOARD)
    assert feed_jobs(client, feed["feed_url"]) == {}
    assert client.get(path_of(status["feed"]["url"])).status_code == 404
    [indeed] = held_on(emulators, sessions, job_id, "indeed")
    assert indeed["status"] != "ACTIVE"


def test_all_with_nothing_connected_says_so(client, make_tenant):
    tenant = make_tenant(platforms=())
    job = {"title": "Nowhere", "description": "d" * 120, "location": "Pune", "apply_url": "https://a.example/1"}
    answer = client.post(
        "/jobs/publishing/publish/",
        json={"job": {**job, "company": "Acme"}, "platforms": ["all"]},
        headers=tenant.headers,
    )
    assert answer.status_code == 422 and "no platform is connected" in answer.text
