"""The console follows the platforms the organization is connected to: a button per platform on
each job, "Publish to all" over them, and the job feed's address on the connections page."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.console.conftest import fill_naukri_fields, sign_in, toast_saying
from tests.support import DESCRIPTION

NEW_FEED_ADDRESS = "/jobs/publishing/platforms/feed/new-address/"
THREE = (("linkedin", "LinkedIn"), ("naukri", "Naukri"), ("feed", "Job feed"))


def test_a_tenant_on_linkedin_naukri_and_the_feed_publishes_everywhere_to_all_three_and_sees_the_feed_url(
    page, console_url, client, tenant
):
    # Given an organization connected to LinkedIn and Naukri that turns on the job feed
    answer = client.post(NEW_FEED_ADDRESS, headers=tenant.headers)
    assert answer.status_code in (200, 201), answer.text
    feed_url = answer.json()["feed_url"]
    assert feed_url
    sign_in(page, console_url, tenant.api_key)

    # When the recruiter creates a job and publishes it everywhere (the form's first choice)
    page.get_by_text("New job", exact=True).click()
    everywhere = page.get_by_label("Everywhere connected: LinkedIn, Naukri and Job feed")
    expect(everywhere).to_be_checked()
    for label, value in (
        ("Title", "Console everywhere job"),
        ("Company", "Acme"),
        ("Location", "Pune, India"),  # LinkedIn takes "City, Country", not "Remote"
        ("Apply URL", "https://acme.example/careers/everywhere"),
        ("Description", DESCRIPTION),
    ):
        page.get_by_label(label, exact=True).fill(value)
    fill_naukri_fields(page)
    page.get_by_role("button", name="Create and publish").click()

    # Then its card has a button and a badge for each of the three, and "Publish to all" ends with ✓
    card = page.locator("li.job-card", has_text="Console everywhere job")
    expect(card.locator('[data-action="all"][data-state="success"]')).to_contain_text("✓ Published")
    expect(toast_saying(page, "is published on LinkedIn, Naukri and Job feed")).to_be_visible()
    expect(card.locator("jobpub-publish-actions button[data-platform]")).to_have_count(3)
    for platform, name in THREE:
        expect(card.locator(f'[data-platform="{platform}"] .badge-status')).to_have_text("Published")
        expect(card.get_by_role("button", name=f"Published on {name} ✓")).to_be_visible(timeout=6_000)
    job_id = int(card.get_attribute("data-job-id"))
    status = client.get(f"/jobs/publishing/{job_id}/status/", headers=tenant.headers).json()
    assert {platform: posting["status"] for platform, posting in status["platforms"].items()} == {
        "linkedin": "published",
        "naukri": "published",
        "feed": "published",
    }
    # Nothing is left to publish: "Publish to all" is no longer offered
    expect(card.locator('[data-action="all"]')).to_be_hidden(timeout=6_000)

    # And Renew is offered where the platform renews (all three: Naukri's refresh is its renew), and renews them
    card.get_by_role("button", name="Renew “Console everywhere job” on LinkedIn, Naukri and Job feed").click()
    expect(card.locator('[data-action="renew"][data-state="success"]')).to_contain_text("✓ Renewed")
    expect(toast_saying(page, "is renewed on LinkedIn, Naukri and Job feed")).to_be_visible()

    # And the connections page shows the feed's URL, to give to a job board
    page.get_by_role("link", name="Connections").click()
    feed = page.locator('section[data-platform="feed"]')
    expect(feed.get_by_label("Feed URL (give it to Indeed or another job board)")).to_have_value(feed_url)
    expect(feed.get_by_role("button", name="Copy feed URL")).to_be_visible()
