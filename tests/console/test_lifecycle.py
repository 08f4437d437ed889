"""A job's lifecycle from its card, in a real browser: a refused publish is never a success; repost,
edit, close and renew reach the emulators, each button spinning and ending with a check mark."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.conftest import held_on
from tests.console.conftest import badge_status, job_card, sign_in, toast_saying
from tests.support import publish, settled_status, wait_until

JOBS_LIST = re.compile(r"/jobs/publishing/jobs/(\?.*)?$")
# Notes every success the publish buttons report (the component's publish-success event, which
# leaves its shadow root), so a success that came and went is still caught.
RECORD_SUCCESSES = """
window.successes = [];
document.addEventListener("publish-success", (event) => window.successes.push(event.detail.platform));
"""


def status_of(client, tenant, job_id: int) -> dict:
    return client.get(f"/jobs/publishing/{job_id}/status/", headers=tenant.headers).json()


def closed_job(client, tenant, title: str) -> int:
    """A job published on both platforms, then closed on both through the API."""
    job_id = publish(client, tenant, platforms=["both"], title=title)
    settled_status(client, tenant, job_id)
    assert client.post(f"/jobs/publishing/{job_id}/close/", headers=tenant.headers).status_code == 202
    wait_until(
        lambda: {p["status"] for p in status_of(client, tenant, job_id)["platforms"].values()} == {"closed"},
        20,
        what="the job to close on both platforms",
    )
    return job_id


def test_publish_to_both_on_a_closed_job_shows_the_409_reason_and_never_success(
    page, console_url, client, tenant, emulators, sessions
):
    # Given a job closed on both platforms, in a tab that last read it before it was ever published
    # (the jobs list this tab reads is answered without its postings, as a stale tab would show it)
    job_id = closed_job(client, tenant, "Console closed job")

    def as_never_published(route):
        answer = route.fetch()
        body = answer.json()
        for item in body["items"]:
            if item["job_id"] == job_id:
                item["platforms"] = {}
        route.fulfill(response=answer, json=body)

    page.add_init_script(RECORD_SUCCESSES)
    page.route(JOBS_LIST, as_never_published)
    sign_in(page, console_url, tenant.api_key)
    card = job_card(page, job_id)

    # When the recruiter clicks "Publish to both"
    card.get_by_role("button", name="Publish to both").click()

    # Then the API's reason (closed: repost it) is the alert and an error toast, and the button fails
    alert = card.get_by_role("alert")
    expect(alert).to_contain_text("Publish refused: ")
    expect(alert).to_contain_text(re.compile(r"closed.*repost", re.IGNORECASE))
    expect(page.locator("#toasts .toast-error", has_text=re.compile("repost", re.IGNORECASE))).to_be_visible()
    expect(card.locator('[data-action="all"]')).to_contain_text("✕")

    # And once the tab reads the job as it is, it offers Repost on each platform, never "Publish"
    page.unroute(JOBS_LIST)
    for platform, name in (("linkedin", "LinkedIn"), ("naukri", "Naukri")):
        expect(badge_status(page, job_id, platform)).to_have_text("Closed")
        expect(card.get_by_role("button", name=f"Repost to {name}")).to_be_visible()
    expect(card.get_by_role("button", name="Publish to both")).to_have_count(0)
    assert page.evaluate("window.successes") == []
    expect(page.locator("#toasts .toast-success")).to_have_count(0)
    assert len(held_on(emulators, sessions, job_id, "linkedin")) == 1  # nothing was posted anew


def test_a_closed_posting_is_reposted_with_a_new_link(page, console_url, client, tenant):
    # Given a job closed on both platforms
    job_id = closed_job(client, tenant, "Console repost job")
    before = status_of(client, tenant, job_id)["platforms"]["linkedin"]
    sign_in(page, console_url, tenant.api_key)
    card = job_card(page, job_id)
    expect(badge_status(page, job_id, "linkedin")).to_have_text("Closed")

    # When the recruiter reposts it on LinkedIn
    card.get_by_role("button", name="Repost to LinkedIn").click()

    # Then the button spins, ends with a check mark, and LinkedIn is published under a new link
    button = card.locator('[data-action="linkedin"]')
    expect(button).to_have_attribute("aria-busy", "true")
    expect(card.locator('[data-action="linkedin"][data-state="success"]')).to_contain_text("✓ Reposted")
    expect(toast_saying(page, "is reposted on LinkedIn")).to_be_visible()
    expect(badge_status(page, job_id, "linkedin")).to_have_text("Published")
    after = status_of(client, tenant, job_id)["platforms"]["linkedin"]
    assert after["platform_job_id"] != before["platform_job_id"]
    assert after["url"] and after["url"] != before["url"]
    expect(card.get_by_role("link", name="View on LinkedIn")).to_have_attribute("href", after["url"])
    # And Naukri, not asked, stays closed with its own Repost
    expect(badge_status(page, job_id, "naukri")).to_have_text("Closed")
    expect(card.get_by_role("button", name="Repost to Naukri")).to_be_visible()


def test_an_edited_title_reaches_both_platforms_and_a_past_expiry_is_shown_beside_its_field(
    page, console_url, client, tenant, emulators, sessions
):
    # Given a job live on both platforms
    job_id = publish(client, tenant, platforms=["both"], title="Console edit job")
    settled_status(client, tenant, job_id)
    sign_in(page, console_url, tenant.api_key)
    card = job_card(page, job_id)

    # When the recruiter opens Edit and gives an expiry in the past
    card.get_by_role("button", name=re.compile(r"^Edit")).click()
    dialog = page.get_by_role("dialog", name=re.compile("Edit"))
    expect(dialog.get_by_label("Title", exact=True)).to_have_value("Console edit job")
    dialog.get_by_label("Expires", exact=True).fill("2020-01-01T09:00")
    dialog.get_by_role("button", name="Save changes").click()

    # Then the refusal is shown beside the field, and the dialog stays open
    expires = dialog.get_by_label("Expires", exact=True)
    expect(expires).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#" + expires.get_attribute("id") + "-problem")).not_to_be_empty()

    # When the expiry is cleared and the title changed
    expires.fill("")
    dialog.get_by_label("Title", exact=True).fill("Console edited title")
    dialog.get_by_role("button", name="Save changes").click()

    # Then the dialog closes, Edit spins until the update lands, then shows a check mark
    expect(dialog).to_be_hidden()
    edit = card.locator('[data-action="edit"]')
    expect(card.locator('[data-action="edit"][data-state="success"]')).to_contain_text("✓ Updated")
    expect(toast_saying(page, "is updated on LinkedIn and Naukri")).to_be_visible()
    expect(card.get_by_role("heading", level=2)).to_have_text("Console edited title")
    # And both emulators hold the new title
    for platform in ("linkedin", "naukri"):
        assert held_on(emulators, sessions, job_id, platform)[0]["title"] == "Console edited title"
    expect(edit).to_have_attribute("data-state", "idle", timeout=6_000)


def test_closing_a_job_closes_it_on_both_platforms_and_offers_repost(
    page, console_url, client, tenant, emulators, sessions
):
    job_id = publish(client, tenant, platforms=["both"], title="Console close job")
    settled_status(client, tenant, job_id)
    sign_in(page, console_url, tenant.api_key)
    card = job_card(page, job_id)

    card.get_by_role("button", name=re.compile(r"^Close")).click()

    expect(card.locator('[data-action="close"]')).to_have_attribute("aria-busy", "true")
    expect(card.locator('[data-action="close"][data-state="success"]')).to_contain_text("✓ Closed")
    expect(toast_saying(page, "is closed on LinkedIn and Naukri")).to_be_visible()
    for platform, name in (("linkedin", "LinkedIn"), ("naukri", "Naukri")):
        expect(badge_status(page, job_id, platform)).to_have_text("Closed")
        expect(card.get_by_role("button", name=f"Repost to {name}")).to_be_visible()
    assert held_on(emulators, sessions, job_id, "linkedin")[0]["listingStatus"] == "NOT_LISTED"
    assert held_on(emulators, sessions, job_id, "naukri")[0]["status"] == "closed"
    # Nothing is left to edit, close or renew once the check mark is gone
    for action in ("edit", "close", "renew"):
        expect(card.locator(f'[data-action="{action}"]')).to_be_hidden(timeout=6_000)


def test_renewing_extends_the_linkedin_posting_and_refreshes_naukri(
    page, console_url, client, tenant, emulators, sessions
):
    job_id = publish(client, tenant, platforms=["both"], title="Console renew job")
    settled_status(client, tenant, job_id)
    expiry_before = held_on(emulators, sessions, job_id, "linkedin")[0]["expireAt"]
    naukri_expiry_before = held_on(emulators, sessions, job_id, "naukri")[0]["expiresAt"]
    sign_in(page, console_url, tenant.api_key)
    card = job_card(page, job_id)

    card.get_by_role("button", name="Renew “Console renew job” on LinkedIn and Naukri").click()

    expect(card.locator('[data-action="renew"][data-state="success"]')).to_contain_text("✓ Renewed")
    expect(toast_saying(page, "is renewed on LinkedIn and Naukri")).to_be_visible()
    assert held_on(emulators, sessions, job_id, "linkedin")[0]["expireAt"] > expiry_before
    assert held_on(emulators, sessions, job_id, "naukri")[0]["expiresAt"] > naukri_expiry_before
    assert status_of(client, tenant, job_id)["platforms"]["linkedin"]["operation_status"] == "succeeded"
