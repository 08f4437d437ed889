"""The jobs page in a real browser: the publish buttons following each platform, live badges,
failure and Retry."""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from tests.conftest import held_on
from tests.console.conftest import badge_status, fill_naukri_fields, job_card, sign_in, toast_saying
from tests.support import DESCRIPTION, publish, settled_status


def test_a_platform_s_button_spins_shows_a_check_mark_for_3_s_then_rests_as_a_disabled_published_on_linkedin(
    page, console_url, client, tenant, emulators
):
    # Given a job so far on Naukri only, and a LinkedIn that takes a second to create a posting
    job_id = publish(client, tenant, platforms=["naukri"], title="Console publish job")
    settled_status(client, tenant, job_id)
    emulators.linkedin.set_faults({"slow": {"seconds": 1.0, "times": 1}})
    sign_in(page, console_url, tenant.api_key)
    card = job_card(page, job_id)
    expect(badge_status(page, job_id, "linkedin")).to_have_text("Not published")
    # Naukri is live: its button says so and cannot be clicked; "Publish to both" is not offered
    expect(card.get_by_role("button", name="Published on Naukri ✓")).to_have_attribute("aria-disabled", "true")
    expect(card.get_by_role("button", name="Publish to both")).to_have_count(0)
    # The buttons (the publish component's) are in the platforms' order, in the console's colours
    names = card.locator("jobpub-publish-actions button[data-platform]").evaluate_all(
        "(bs) => bs.map((b) => b.dataset.platform)"
    )
    assert names == ["linkedin", "naukri"]
    publish_to_linkedin = card.get_by_role("button", name="Publish to LinkedIn")
    colours = publish_to_linkedin.evaluate("(b) => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color]")
    assert colours == ["rgb(10, 102, 194)", "rgb(255, 255, 255)"]

    # When the recruiter clicks "Publish to LinkedIn"
    card.get_by_role("button", name="Publish to LinkedIn").click()
    button = card.locator('[data-action="linkedin"]')  # its name changes with its state

    # Then the button spins, and the LinkedIn badge ends Published with a link to the posting
    expect(button).to_have_attribute("aria-busy", "true")
    expect(button).to_contain_text("Publishing")
    expect(badge_status(page, job_id, "linkedin")).to_have_text("Published")
    for name in ("LinkedIn", "Naukri"):
        link = card.get_by_role("link", name=f"View on {name}")
        expect(link).to_have_attribute("href", re.compile(r"^http://127\.0\.0\.1:\d+/"))
    expect(toast_saying(page, "is published on LinkedIn")).to_be_visible()

    # And the check mark gives way after 3 s to a disabled "Published on LinkedIn ✓"
    success = card.locator('[data-action="linkedin"][data-state="success"]')
    expect(success).to_contain_text("✓ Published")
    seen_at = time.monotonic()
    expect(success).to_have_count(0, timeout=6_000)
    assert 2.0 <= time.monotonic() - seen_at <= 4.5
    expect(card.get_by_role("button", name="Published on LinkedIn ✓")).to_have_attribute("aria-disabled", "true")
    assert (
        client.get(f"/jobs/publishing/{job_id}/status/", headers=tenant.headers).json()["platforms"]["linkedin"][
            "status"
        ]
        == "published"
    )


def test_a_new_job_published_everywhere_from_the_form_follows_the_publish_to_both_button_to_a_check_mark(
    page, console_url, tenant
):
    sign_in(page, console_url, tenant.api_key)
    page.get_by_text("New job", exact=True).click()
    for label, value in (
        ("Title", "Console both job"),
        ("Company", "Acme"),
        ("Location", "Pune, India"),  # LinkedIn takes "City, Country", not "Remote"
        ("Apply URL", "https://acme.example/careers/both"),
        ("Description", DESCRIPTION),
    ):
        page.get_by_label(label, exact=True).fill(value)
    fill_naukri_fields(page)
    page.get_by_role("button", name="Create and publish").click()

    card = page.locator("li.job-card", has_text="Console both job")
    expect(card.locator('[data-action="all"][data-state="success"]')).to_contain_text("✓ Published")
    expect(toast_saying(page, "is published on LinkedIn and Naukri")).to_be_visible()
    for platform in ("linkedin", "naukri"):
        expect(card.locator(f'[data-platform="{platform}"] .badge-status')).to_have_text("Published")
    # Once the check mark is gone, "Publish to both" is not offered: both are live
    expect(card.locator('[data-action="all"]')).to_be_hidden(timeout=6_000)


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
    # The button rests after 3 s as LinkedIn's Retry, while the error stays
    expect(card.locator('[data-action="linkedin"]')).to_have_attribute("data-state", "idle", timeout=6_000)
    retry = card.get_by_role("button", name="Retry publishing on LinkedIn")
    expect(retry).to_be_enabled()
    expect(card.get_by_role("button", name="Publish to LinkedIn")).to_have_count(0)

    # When the fault is cleared and the recruiter clicks Retry
    emulators.linkedin.clear_faults()
    retry.click()

    # Then LinkedIn is published, and the error goes away
    expect(badge_status(page, job_id, "linkedin")).to_have_text("Published")
    expect(card.get_by_role("link", name="View on LinkedIn")).to_be_visible()
    expect(toast_saying(page, "is published on LinkedIn")).to_be_visible()
    expect(card.locator(".alert p")).to_have_count(0)
    expect(card.get_by_role("button", name="Published on LinkedIn ✓")).to_be_visible(timeout=6_000)
    expect(retry).to_have_count(0)


def test_the_new_job_form_shows_naukri_s_own_fields_and_the_api_s_422_beside_the_field(
    page, console_url, tenant, emulators, client, sessions
):
    sign_in(page, console_url, tenant.api_key)
    page.get_by_text("New job", exact=True).click()
    # Given "Naukri only": its own fields show (from GET /jobs/publishing/platforms/fields/), LinkedIn's do not
    page.get_by_label("Naukri only").check()
    naukri = page.get_by_role("group", name="Naukri's fields")
    expect(naukri).to_be_visible()
    expect(page.get_by_role("group", name="LinkedIn's fields")).to_be_hidden()
    expect(naukri.get_by_label("Industry", exact=True).locator("option", has_text="Software Product")).to_have_count(1)
    for label, value in (
        ("Title", "Console Naukri job"),
        ("Company", "Acme"),
        ("Location", "Pune, India"),
        ("Apply URL", "https://acme.example/careers/naukri"),
        ("Description", DESCRIPTION),
    ):
        page.get_by_label(label, exact=True).fill(value)
    # When the recruiter fills all but the role, and sends it
    fill_naukri_fields(page, role="")
    page.get_by_role("button", name="Create and publish").click()

    # Then the API's 422 is shown beside Naukri's Role, and nothing was created
    role = naukri.get_by_label("Role", exact=True)
    expect(role).to_have_attribute("aria-invalid", "true")
    expect(naukri).to_contain_text("Naukri: is required: Role")
    assert client.get("/jobs/publishing/jobs/", headers=tenant.headers).json()["items"] == []

    # When the role is given, the job goes to Naukri with its CTC in lakhs
    role.fill("Back End Developer")
    page.get_by_role("button", name="Create and publish").click()
    card = page.locator("li.job-card", has_text="Console Naukri job")
    expect(card.locator('[data-platform="naukri"] .badge-status')).to_have_text("Published")
    job_id = int(card.get_attribute("data-job-id"))
    [held] = held_on(emulators, sessions, job_id, "naukri")
    assert held["ctcLakhs"] == {"min": 12, "max": 18} and held["role"] == "Back End Developer"
