"""A job in several places: each platform gets its locations as it takes them (LinkedIn a main
location and alternates, then further postings; Naukri up to nine; Indeed and the feed one per
posting), the status shows one entry per posting, and the lifecycle acts on every part."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from services.emulators.linkedin_validation import MAX_ALTERNATE_LOCATIONS
from shared.locations import LINKEDIN_ALTERNATE_LOCATIONS
from shared.models import Job, Posting, PublishingLog
from shared.platforms import build_platforms
from shared.platforms.base import (
    PermanentPlatformError,
    PlatformCredentials,
)
from tests.contract.platforms import posting_content
from tests.feed.support import feed_jobs
from tests.support import PUBLISH, job_body, settled_status, wait_until

CITIES = [
    "Bengaluru, India",
    "Mumbai, India",
    "Pune, India",
    "Chennai, India",
    "Hyderabad, India",
    "Delhi, India",
    "Kolkata, India",
    "Jaipur, India",
    "Kochi, India",
    "Indore, India",
]
IN_ONE_LINKEDIN_POSTING = 1 + LINKEDIN_ALTERNATE_LOCATIONS


def publish_at(client, tenant, locations, platforms=("linkedin",)) -> int:
    body = {"job": job_body(location=None, locations=locations), "platforms": list(platforms)}
    body["job"].pop("location")
    answer = client.post(PUBLISH, json=body, headers=tenant.headers)
    assert answer.status_code == 202, answer.text
    return answer.json()["job_id"]


def parts_of(sessions, job_id: int, platform: str) -> list[Posting]:
    with sessions() as session:
        query = select(Posting).where(Posting.job_id == job_id, Posting.platform == platform)
        return list(session.scalars(query.order_by(Posting.part)))


def held(emulator, posting: Posting) -> dict:
    [one] = emulator.postings_for(posting.external_id)
    return one


def status_of(client, tenant, job_id: int) -> dict:
    return client.get(f"/jobs/publishing/{job_id}/status/", headers=tenant.headers).json()


def operations_settled(client, tenant, job_id: int) -> list[dict]:
    def check():
        postings = status_of(client, tenant, job_id)["postings"]
        busy = {p["operation_status"] for p in postings} & {"pending", "running"}
        return postings if not busy and {p["status"] for p in postings} <= {"published", "closed", "failed"} else None

    return wait_until(check, 20, what=f"job {job_id}'s postings to settle")


def test_a_linkedin_publish_carries_alternate_locations_that_the_emulator_holds(
    client, tenant, pipeline, emulators, sessions
):
    job_id = publish_at(client, tenant, CITIES[:3])

    [posting] = settled_status(client, tenant, job_id)["postings"]
    assert posting["status"] == "published" and posting["locations"] == CITIES[:3]
    [part] = parts_of(sessions, job_id, "linkedin")
    on_linkedin = held(emulators.linkedin, part)
    assert on_linkedin["location"] == "Bengaluru, India"
    assert on_linkedin["alternateLocations"] == ["Mumbai, India", "Pune, India"]


def test_the_linkedin_emulator_refuses_more_alternate_locations_than_linkedin_takes_element_by_element(
    settings, tenant
):
    client_id, secret = tenant.clients["linkedin"]
    credentials = PlatformCredentials(client_id, secret, organization_urn=f"urn:li:organization:{tenant.id}")
    with httpx.Client() as http:
        linkedin = build_platforms(settings, http)["linkedin"]

        def create(alternates):
            content = posting_content(
                external_id=f"jobpub-alternates-{len(alternates)}-{tenant.id}", alternate_locations=tuple(alternates)
            )
            return linkedin.create_posting(content, credentials)

        with pytest.raises(PermanentPlatformError, match="/alternateLocations :: array of 6 items"):
            create(CITIES[1 : 2 + MAX_ALTERNATE_LOCATIONS])
        with pytest.raises(PermanentPlatformError, match='/alternateLocations/1 :: "Remote" is not a location'):
            create(["Mumbai, India", "Remote"])
        assert create(CITIES[1 : 1 + MAX_ALTERNATE_LOCATIONS]).task_id  # the limit itself is accepted


def test_a_job_in_more_places_than_one_linkedin_posting_takes_becomes_two_postings_each_with_its_id_and_link(
    client, tenant, pipeline, emulators, sessions
):
    job_id = publish_at(client, tenant, CITIES[:8])

    postings = settled_status(client, tenant, job_id)["postings"]
    assert [(p["platform"], p["part"], p["status"]) for p in postings] == [
        ("linkedin", 1, "published"),
        ("linkedin", 2, "published"),
    ]
    first, second = postings
    assert first["locations"] == CITIES[:IN_ONE_LINKEDIN_POSTING] and second["locations"] == CITIES[6:8]
    assert len({p["external_id"] for p in postings}) == len({p["platform_job_id"] for p in postings}) == 2
    assert len({p["url"] for p in postings}) == 2 and all(p["url"] for p in postings)
    assert second["external_id"].endswith("-p2") and len(second["external_id"]) <= 75
    assert status_of(client, tenant, job_id)["platforms"]["linkedin"]["part"] == 1  # the platform's first posting

    part_one, part_two = parts_of(sessions, job_id, "linkedin")
    assert held(emulators.linkedin, part_one)["alternateLocations"] == CITIES[1:6]
    on_linkedin = held(emulators.linkedin, part_two)
    assert on_linkedin["location"] == "Kolkata, India" and on_linkedin["alternateLocations"] == ["Jaipur, India"]

    listed = client.get("/jobs/publishing/jobs/", headers=tenant.headers).json()["items"]
    [item] = [item for item in listed if item["job_id"] == job_id]
    assert len(item["postings"]) == 2 and item["locations"] == CITIES[:8] and item["location"] == CITIES[0]


def test_a_naukri_job_with_ten_locations_is_refused_before_queuing_and_nothing_is_stored(client, tenant, sessions):
    body = {"job": {**job_body(), "locations": CITIES}, "platforms": ["both"]}
    del body["job"]["location"]

    answer = client.post(PUBLISH, json=body, headers=tenant.headers)

    assert answer.status_code == 422, answer.text
    [problem] = answer.json()["detail"]
    assert problem["loc"] == ["body", "job", "locations"] and problem["type"] == "too_many_locations"
    assert "naukri" in problem["msg"] and "9" in problem["msg"] and "10" in problem["msg"]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Job).where(Job.organization_id == tenant.id)) == 0
        logged = select(func.count()).select_from(PublishingLog).where(PublishingLog.organization_id == tenant.id)
        assert session.scalar(logged) == 0


def test_a_naukri_job_in_nine_places_is_one_posting_naming_all_nine(client, tenant, pipeline, emulators, sessions):
    job_id = publish_at(client, tenant, CITIES[:9], platforms=("naukri",))

    [posting] = settled_status(client, tenant, job_id)["postings"]
    assert posting["status"] == "published" and posting["locations"] == CITIES[:9]
    [part] = parts_of(sessions, job_id, "naukri")
    assert held(emulators.naukri, part)["locations"] == CITIES[:9]


def test_closing_the_job_closes_every_part_on_the_platform(client, tenant, pipeline, emulators, sessions):
    job_id = publish_at(client, tenant, CITIES[:8])
    settled_status(client, tenant, job_id)

    answer = client.post(f"/jobs/publishing/{job_id}/close/", headers=tenant.headers)

    assert answer.status_code == 202, answer.text
    assert [p["operation"] for p in answer.json()["postings"]] == ["close", "close"]
    assert [p["status"] for p in operations_settled(client, tenant, job_id)] == ["closed", "closed"]
    for part in parts_of(sessions, job_id, "linkedin"):
        assert held(emulators.linkedin, part)["listingStatus"] == "NOT_LISTED"
        assert emulators.linkedin.operations_for(part.external_id) == ["CREATE", "CLOSE"]


def test_new_locations_on_a_published_job_add_postings_and_fewer_close_them(
    client, tenant, pipeline, emulators, sessions
):
    job_id = publish_at(client, tenant, CITIES[:2])
    settled_status(client, tenant, job_id)

    grown = client.patch(f"/jobs/publishing/{job_id}/", json={"locations": CITIES[:8]}, headers=tenant.headers)
    assert grown.status_code == 202, grown.text
    postings = operations_settled(client, tenant, job_id)
    assert [(p["part"], p["status"]) for p in postings] == [(1, "published"), (2, "published")]
    part_one, part_two = parts_of(sessions, job_id, "linkedin")
    assert held(emulators.linkedin, part_one)["alternateLocations"] == CITIES[1:6]
    assert held(emulators.linkedin, part_two)["location"] == "Kolkata, India"

    shrunk = client.patch(f"/jobs/publishing/{job_id}/", json={"location": "Goa, India"}, headers=tenant.headers)
    assert shrunk.status_code == 202, shrunk.text
    postings = operations_settled(client, tenant, job_id)
    assert [(p["part"], p["status"]) for p in postings] == [(1, "published"), (2, "closed")]
    assert postings[0]["locations"] == ["Goa, India"]
    on_linkedin = held(emulators.linkedin, part_one)
    assert on_linkedin["location"] == "Goa, India" and "alternateLocations" not in on_linkedin
    assert emulators.linkedin.operations_for(part_two.external_id) == ["CREATE", "CLOSE"]


def test_a_place_linkedin_cannot_read_is_refused_before_queuing_and_named_by_its_index(client, tenant, pipeline):
    body = {"job": job_body(locations=[CITIES[0], "Remote", *CITIES[1:3]]), "platforms": ["linkedin"]}
    body["job"].pop("location")

    answer = client.post(PUBLISH, json=body, headers=tenant.headers)

    assert answer.status_code == 422, answer.text
    [problem] = answer.json()["detail"]
    assert problem["loc"] == ["body", "job", "locations", 1] and problem["msg"].startswith("LinkedIn")


def test_a_part_that_failed_is_mended_by_an_edit_and_retried_while_the_other_part_stays_live(
    client, tenant, pipeline, emulators, sessions
):
    # LinkedIn refuses the first create it gets for good: one of the job's two parts fails
    emulators.linkedin.set_faults({"reject": {"times": 1}})
    places = [CITIES[0], *CITIES[2:7], CITIES[7]]
    job_id = publish_at(client, tenant, places)
    postings = settled_status(client, tenant, job_id)["postings"]
    assert sorted(p["status"] for p in postings) == ["failed", "published"]
    [live] = [p for p in postings if p["status"] == "published"]

    mended = [CITIES[0], CITIES[1], *CITIES[3:7], CITIES[7]]
    edited = client.patch(f"/jobs/publishing/{job_id}/", json={"locations": mended}, headers=tenant.headers)
    assert edited.status_code == 202, edited.text
    retried = client.post(f"/jobs/publishing/{job_id}/retry/", json={"platforms": ["linkedin"]}, headers=tenant.headers)
    assert retried.status_code == 202, retried.text

    postings = operations_settled(client, tenant, job_id)
    assert [p["status"] for p in postings] == ["published", "published"]
    part_one, _ = parts_of(sessions, job_id, "linkedin")
    assert held(emulators.linkedin, part_one)["alternateLocations"] == mended[1:6]
    assert emulators.linkedin.operations_for(live["external_id"])[-1] == "UPDATE"  # the live part got the edit


def test_new_locations_naukri_cannot_take_are_refused_and_the_job_keeps_its_own(client, tenant, pipeline, sessions):
    job_id = publish_at(client, tenant, CITIES[:2], platforms=("naukri",))
    settled_status(client, tenant, job_id)

    answer = client.patch(f"/jobs/publishing/{job_id}/", json={"locations": CITIES}, headers=tenant.headers)

    assert answer.status_code == 422, answer.text
    [problem] = answer.json()["detail"]
    assert problem["loc"] == ["body", "locations"] and "naukri" in problem["msg"]
    assert status_of(client, tenant, job_id)["postings"][0]["locations"] == CITIES[:2]


def test_the_feed_lists_one_job_per_location_each_with_its_own_reference(client, make_tenant, pipeline):
    tenant = make_tenant()
    feed = client.post("/jobs/publishing/platforms/feed/new-address/", headers=tenant.headers).json()
    job_id = publish_at(client, tenant, ["Bengaluru, Karnataka, India", "Pune, Maharashtra, India"], ("feed",))

    postings = settled_status(client, tenant, job_id)["postings"]
    assert [p["status"] for p in postings] == ["published", "published"]

    jobs = feed_jobs(client, feed["feed_url"])
    assert set(jobs) == {p["external_id"] for p in postings}
    assert sorted(job["city"] for job in jobs.values()) == ["Bengaluru", "Pune"]


def test_indeed_job_sync_gets_one_posting_per_location(client, make_tenant, pipeline, emulators, sessions):
    tenant = make_tenant(platforms=("indeed",))
    job_id = publish_at(client, tenant, CITIES[:3], platforms=("indeed",))

    postings = settled_status(client, tenant, job_id)["postings"]
    assert [(p["part"], p["status"], p["locations"]) for p in postings] == [
        (number, "published", [city]) for number, city in enumerate(CITIES[:3], 1)
    ]
    places = [
        held(emulators.indeed, part)["body"]["location"]["location"] for part in parts_of(sessions, job_id, "indeed")
    ]
    assert places == CITIES[:3]


@pytest.mark.parametrize(
    ("job", "where"),
    [
        ({"location": "Pune, India", "locations": ["Pune, India"]}, ["body", "job"]),
        ({"locations": ["Pune, India", "pune, india"]}, ["body", "job", "locations"]),
        ({"locations": []}, ["body", "job", "locations"]),
    ],
)
def test_locations_said_two_ways_twice_over_or_not_at_all_are_refused(client, tenant, job, where):
    body = {**job_body(), **job}
    if "location" not in job:
        del body["location"]

    answer = client.post(PUBLISH, json={"job": body, "platforms": ["linkedin"]}, headers=tenant.headers)

    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"] == where
