"""The job feed end to end: publishing to `feed` through the API and the publish pipeline lists the
job in the organization's Indeed XML feed and on its public job page; closing takes it out; the
address is the organization's own and can be replaced."""

from __future__ import annotations

from tests.conftest import postings_of
from tests.feed.support import NEW_ADDRESS, assert_google_job_posting, feed_jobs, job_posting, path_of
from tests.support import publish, settled_status, wait_until

SALARY = {"minimum": 2_400_000, "maximum": 3_600_000, "currency": "INR", "period": "yearly"}
ALL_THREE = ("linkedin", "naukri", "feed")


def feed_of(client, tenant) -> dict:
    answer = client.post(NEW_ADDRESS, headers=tenant.headers)
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def test_a_job_published_to_the_feed_is_in_indeeds_format_and_on_a_job_page_with_job_posting_data(
    client, make_tenant, pipeline, sessions
):
    tenant = make_tenant()
    feed = feed_of(client, tenant)
    title = "Backend Engineer <Payments> & Ledgers ]]> (R&D)"
    job_id = publish(
        client,
        tenant,
        platforms=ALL_THREE,
        title=title,
        salary=SALARY,
        expires_at="2030-01-31T00:00:00Z",
        location="Bengaluru, Karnataka, India",
    )

    status = settled_status(client, tenant, job_id)["platforms"]
    assert {platform: status[platform]["status"] for platform in ALL_THREE} == dict.fromkeys(ALL_THREE, "published")
    reference = postings_of(sessions, job_id)["feed"].external_id
    page_url = feed["job_page_url"].format(reference=reference)
    assert status["feed"]["url"] == page_url

    jobs = feed_jobs(client, feed["feed_url"])
    assert list(jobs) == [reference]
    listed = jobs[reference]
    assert listed["title"] == title.replace("]]>", "]] >")
    # The feed lists the page with where its candidates come from (shared/source_tracking.py).
    assert listed["url"] == f"{page_url}?utm_source=feed&utm_medium=job_board&utm_campaign={job_id}"
    assert listed["city"] == "Bengaluru" and listed["state"] == "Karnataka"
    assert listed["jobtype"] == "fulltime" and listed["salary"] == "INR 2400000 - 3600000 per year"

    data = job_posting(client, page_url)
    assert_google_job_posting(data)
    assert data["title"] == title and data["identifier"]["value"] == reference
    assert data["jobLocation"]["address"]["addressRegion"] == "Karnataka"
    assert str(tenant.id) not in {str(value) for value in data.values()}  # no organization key anywhere


def test_a_remote_job_page_names_where_applicants_may_live_instead_of_a_place(client, make_tenant, pipeline):
    tenant = make_tenant()
    feed = feed_of(client, tenant)
    job_id = publish(
        client, tenant, platforms=["feed"], workplace_type="remote", salary=SALARY, expires_at="2030-01-31T00:00:00Z"
    )
    assert settled_status(client, tenant, job_id)["platforms"]["feed"]["status"] == "published"

    [page_url] = [job["url"] for job in feed_jobs(client, feed["feed_url"]).values()]
    data = job_posting(client, page_url)
    assert_google_job_posting(data, remote=True)
    assert "jobLocation" not in data and data["applicantLocationRequirements"]["name"] == "India"


def test_closing_a_job_takes_it_out_of_the_feed_and_its_page_answers_404(client, make_tenant, pipeline):
    tenant = make_tenant()
    feed = feed_of(client, tenant)
    kept = publish(client, tenant, platforms=["feed"], title="Kept")
    closed = publish(client, tenant, platforms=ALL_THREE, title="Closed")
    for job_id in (kept, closed):
        settled_status(client, tenant, job_id)
    page_url = settled_status(client, tenant, closed)["platforms"]["feed"]["url"]
    assert client.get(path_of(page_url)).status_code == 200

    assert client.post(f"/jobs/publishing/{closed}/close/", headers=tenant.headers).status_code == 202

    def feed_status():
        return client.get(f"/jobs/publishing/{closed}/status/", headers=tenant.headers).json()["platforms"]["feed"]

    wait_until(lambda: feed_status()["status"] == "closed", what="the feed posting to close")
    assert [job["title"] for job in feed_jobs(client, feed["feed_url"]).values()] == ["Kept"]
    assert client.get(path_of(page_url)).status_code == 404


def test_editing_a_job_changes_it_in_the_feed_and_a_crawler_revalidating_sees_the_change(client, make_tenant, pipeline):
    tenant = make_tenant()
    feed = feed_of(client, tenant)
    job_id = publish(client, tenant, platforms=["feed"])
    settled_status(client, tenant, job_id)
    first = client.get(path_of(feed["feed_url"]))
    etag = first.headers["etag"]
    assert first.headers["last-modified"]
    assert client.get(path_of(feed["feed_url"]), headers={"If-None-Match": etag}).status_code == 304

    assert (
        client.patch(
            f"/jobs/publishing/{job_id}/", json={"title": "Staff Engineer"}, headers=tenant.headers
        ).status_code
        == 202
    )
    wait_until(
        lambda: [job["title"] for job in feed_jobs(client, feed["feed_url"]).values()] == ["Staff Engineer"],
        what="the feed to show the new title",
    )
    assert client.get(path_of(feed["feed_url"]), headers={"If-None-Match": etag}).status_code == 200


def test_another_organizations_feed_shows_nothing_of_this_one(client, make_tenant, pipeline):
    ours, theirs = make_tenant(), make_tenant()
    our_feed, their_feed = feed_of(client, ours), feed_of(client, theirs)
    job_id = publish(client, ours, platforms=["feed"], title="Ours alone")
    page_url = settled_status(client, ours, job_id)["platforms"]["feed"]["url"]
    reference = page_url.rstrip("/").rsplit("/", 1)[-1]

    assert feed_jobs(client, their_feed["feed_url"]) == {}
    assert client.get(path_of(their_feed["job_page_url"].format(reference=reference))).status_code == 404
    # Their token with our organization's id in front opens nothing either.
    their_token = path_of(their_feed["feed_url"]).split("/")[2]
    forged = f"{ours.id}-{their_token.split('-', 1)[1]}"
    assert client.get(f"/feeds/{forged}/indeed.xml").status_code == 404
    assert list(feed_jobs(client, our_feed["feed_url"])) == [reference]


def test_a_new_feed_address_stops_the_old_one(client, make_tenant, pipeline):
    tenant = make_tenant()
    old = feed_of(client, tenant)
    job_id = publish(client, tenant, platforms=["feed"])
    settled_status(client, tenant, job_id)
    assert len(feed_jobs(client, old["feed_url"])) == 1

    new = feed_of(client, tenant)

    assert new["feed_url"] != old["feed_url"]
    assert client.get(path_of(old["feed_url"])).status_code == 404
    assert len(feed_jobs(client, new["feed_url"])) == 1
    shown = client.get("/jobs/publishing/platforms/feed/", headers=tenant.headers).json()
    assert shown["feed_url"] == new["feed_url"] and "client_secret" not in shown


def test_a_feed_secret_short_enough_to_guess_is_refused(client, make_tenant):
    tenant = make_tenant()
    answer = client.put(
        "/jobs/publishing/platforms/feed/", json={"client_id": "feed", "client_secret": "short"}, headers=tenant.headers
    )
    assert answer.status_code == 422 and "client_secret" in answer.text and "at least 32" in answer.text
