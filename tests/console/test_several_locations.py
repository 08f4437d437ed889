"""The jobs page shows one badge per posting: a job in more places than LinkedIn takes in one
posting has two LinkedIn badges, each with its places and its own link."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.console.conftest import job_card, sign_in
from tests.support import PUBLISH, job_body, settled_status

PLACES = [f"{city}, India" for city in ("Bengaluru", "Mumbai", "Pune", "Chennai", "Hyderabad", "Delhi", "Kolkata")]


def test_a_job_on_two_linkedin_postings_shows_a_badge_and_a_link_for_each(page, console_url, client, tenant):
    # Given a job in seven places, published to LinkedIn (six fit in one posting: two postings)
    job = {key: value for key, value in job_body(title="Console several places").items() if key != "location"}
    answer = client.post(
        PUBLISH, json={"job": {**job, "locations": PLACES}, "platforms": ["linkedin"]}, headers=tenant.headers
    )
    assert answer.status_code == 202, answer.text
    job_id = answer.json()["job_id"]
    settled_status(client, tenant, job_id)

    # When the recruiter opens the jobs page
    sign_in(page, console_url, tenant.api_key)
    card = job_card(page, job_id)

    # Then there is a Published badge per posting, the second naming Kolkata, and a link for each
    for part in ("1", "2"):
        badge = card.locator(f'[data-platform="linkedin"][data-part="{part}"]')
        expect(badge.locator(".badge-status")).to_have_text("Published")
        expect(badge.get_by_role("link", name="View on LinkedIn")).to_have_count(1)
    expect(card.locator('[data-platform="linkedin"][data-part="2"] .badge-places')).to_have_text(" (Kolkata, India)")
    expect(card.locator('[data-platform="linkedin"][data-part="1"] .badge-platform')).to_have_text("LinkedIn 1: ")
