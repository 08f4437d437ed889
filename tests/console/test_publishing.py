"""The jobs page in a real browser: the publish buttons, live badges, failure and Retry."""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from tests.console.conftest import badge_status, job_card, sign_in, toast_saying
from tests.support import publish, settled_status


def test_publish_to_both_turns_both_badges_published_with_links_and_the_button_resets_after_3_s(
    page, console_url, client, tenant, emulators
):
    # Given a job so far on Naukri only, and a LinkedIn that takes a second to create a posting
    job_id = publish(client, tenant, platforms=["naukri"], title="Console publish job")
    settled_status(client, tenant, job_id)
    emulators.linkedin.set_faults({"slow": {"seconds": 1.0, "times": 1}})
    sign_in(page, console_url, tenant.api_key)
    expect(badge_status(page, job_id, "linkedin")).to_have_text("Not published")

    # When the recruiter clicks "Publish to both"
    job_card(page, job_id).get_by_role("button", name="Publish to both").click()
    button = job_card(page, job_id).locator('[data-action="both"]')  # its name changes with its state

    # Then the button spins, and both badges end Published, each with a link to the posting
    expect(button).to_have_attribute("aria-busy", "true")
    expect(button).to_contain_text("Publishing")
    expect(badge_status(page, job_id, "linkedin")).to_have_text("Published")
    expect(badge_status(page, job_id, "naukri")).to_have_text("Published")
    for name in ("LinkedIn", "Naukri"):
        link = job_card(page, job_id).get_by_role("link", name=f"View on {name}")
        expect(link).to_have_attribute("href", re.compile(r"^http://127\.0\.0\.1:\d+/"))
    expect(toast_saying(page, "is published on LinkedIn and Naukri")).to_be_visible()

    # And the check mark goes back to the button's label after 3 s
    success = job_card(page, job_id).locator('[data-action="both"][data-state="success"]')
    expect(success).to_contain_text("✓ Published")
    seen_at = time.monotonic()
    expect(success).to_have_count(0, timeout=6_000)
    expect(button).to_have_text("Publish to both")
    assert 2.0 <= time.monotonic() - seen_at <= 4.5
    assert (
        client.get(f"/jobs/publishing/{job_id}/status/", headers=tenant.headers).json()["platforms"]["linkedin"][
            "status"
        ]
        == "published"
    )


def test_a_job_linkedin_rejects_shows_the_error_and_publishes_on_retry_once_the_fault_is_cleared(
    page, console_url, client, tenant, emulators
):
    # Given a job on Naukri, and a LinkedIn that rejects every create
    job_id = publish(client, tenant, platforms=["naukri"], title="Console retry job")
    settled_status(client, tenant, job_id)
    emulators.linkedin.set_faults(
        {"reject": {"times": 100, "message": "ERROR :: /title :: title contains a banned word"}}
    )
    sign_in(page, console_url, tenant.api_key)
    card = job_card(page, job_id)

    # When the recruiter publishes it to LinkedIn
    card.get_by_role("button", name="Publish to LinkedIn").click()

    # Then the platform's reason is shown with a Retry button, in a toast too, and the badge says Failed
    expect(card.get_by_role("alert")).to_contain_text("LinkedIn failed: ")
    expect(card.get_by_role("alert")).to_contain_text("title contains a banned word")
    expect(card.locator('[data-action="linkedin"]')).to_contain_text("✕ Failed")
    expect(toast_saying(page, "was not published")).to_be_visible()
    expect(badge_status(page, job_id, "linkedin")).to_have_text("Failed")
    # The button resets after 3 s; the error and its Retry stay while LinkedIn is failed
    expect(card.locator('[data-action="linkedin"]')).to_have_attribute("data-state", "idle", timeout=6_000)
    expect(card.get_by_role("button", name="Publish to LinkedIn")).to_be_enabled()
    retry = card.get_by_role("button", name=re.compile(r"^Retry"))
    expect(retry).to_be_visible()

    # When the fault is cleared and the recruiter clicks Retry
    emulators.linkedin.clear_faults()
    retry.click()

    # Then LinkedIn is published, and the error goes away
    expect(badge_status(page, job_id, "linkedin")).to_have_text("Published")
    expect(card.get_by_role("link", name="View on LinkedIn")).to_be_visible()
    expect(toast_saying(page, "is published on LinkedIn")).to_be_visible()
    expect(card.locator(".alert p")).to_have_count(0)
    expect(retry).to_be_hidden(timeout=6_000)
