"""The console's other pages and its key handling, in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from shared.models import KeyScope
from tests.console.conftest import badge_status, fill_naukri_fields, job_card, sign_in, toast_saying
from tests.support import DESCRIPTION, publish, settled_status


def test_a_wrong_key_gets_a_clear_message_and_no_console(page, console_url):
    page.goto(console_url)
    page.get_by_label("API key", exact=True).fill("jp_not-a-real-key")
    page.keyboard.press("Enter")  # keyboard only

    expect(page.get_by_role("alert")).to_contain_text("This API key was not accepted")
    expect(page.get_by_role("navigation", name="Console")).to_be_hidden()
    assert page.evaluate("sessionStorage.length") == 0


def test_applications_made_on_the_emulators_show_up_with_where_they_came_from(
    page, console_url, client, tenant, emulators
):
    # Given a job on both platforms, and a candidate applying on each emulator
    job_id = publish(client, tenant, platforms=["both"], title="Console applications job")
    postings = settled_status(client, tenant, job_id)["platforms"]
    emulators.linkedin.apply(
        postings["linkedin"]["external_id"], candidate={"name": "Lina Pushed"}, client_id=tenant.clients["linkedin"][0]
    )
    emulators.naukri.apply(
        postings["naukri"]["external_id"], candidate={"name": "Nikhil Pulled"}, client_id=tenant.clients["naukri"][0]
    )

    # When the recruiter opens Applications, chooses the job and pulls now
    sign_in(page, console_url, tenant.api_key)
    page.get_by_role("link", name="Applications").click()
    page.get_by_label("Job", exact=True).select_option(str(job_id))
    page.get_by_role("button", name="Pull new applications now").click()

    # Then both are listed with their source (LinkedIn's pushed to the webhook, Naukri's pulled)
    rows = page.locator("tbody tr")
    expect(rows.filter(has_text="Nikhil Pulled").locator(".source")).to_have_text("Naukri")
    expect(rows.filter(has_text="Lina Pushed").locator(".source")).to_have_text("LinkedIn apply")
    expect(toast_saying(page, "Pulled:")).to_be_visible()

    # And the platform filter narrows the list
    page.get_by_label("Platform", exact=True).select_option("naukri")
    page.get_by_role("button", name="Show applications").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Nikhil Pulled")


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}])
def test_a_new_job_from_the_form_is_published_at_phone_width(page, console_url, tenant, viewport):
    sign_in(page, console_url, tenant.api_key)
    page.get_by_text("New job", exact=True).click()
    page.get_by_label("Title").fill("Phone-made job")
    page.get_by_label("Company").fill("Acme")
    page.get_by_label("Location").fill("Pune, India")
    page.get_by_label("Apply URL").fill("https://acme.example/careers/phone")
    page.get_by_label("Description").fill("Too short")
    page.get_by_label("Naukri only").check()
    fill_naukri_fields(page)
    page.get_by_role("button", name="Create and publish").click()
    # A refusal is shown beside its field
    expect(page.locator("#" + page.get_by_label("Description").get_attribute("id") + "-problem")).to_contain_text(
        "needs a description of at least 50 characters"
    )

    page.get_by_label("Description").fill(DESCRIPTION)
    page.get_by_role("button", name="Create and publish").click()

    card = page.locator("li.job-card", has_text="Phone-made job")
    expect(card.locator('[data-platform="naukri"] .badge-status')).to_have_text("Published")
    expect(card.locator('[data-platform="linkedin"] .badge-status')).to_have_text("Not published")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"


def test_connections_are_configured_and_tested_without_ever_showing_the_secret(page, console_url, tenant):
    sign_in(page, console_url, tenant.api_key, "#/connections")
    naukri = page.locator('section[data-platform="naukri"]')
    expect(naukri.get_by_role("status").first).to_contain_text("secret stored (never shown)")
    expect(naukri.get_by_label("Client id")).to_have_value(tenant.clients["naukri"][0])
    assert tenant.clients["naukri"][1] not in page.content()

    naukri.get_by_role("button", name="Test connection").click()
    expect(naukri.locator(".test-result")).to_contain_text("✓ Works")

    # A wrong secret typed in is saved (write-only), and the test then says so
    naukri.get_by_label("API key", exact=True).fill("not-the-secret")
    naukri.get_by_role("button", name="Save").click()
    expect(toast_saying(page, "Naukri connection saved")).to_be_visible()
    expect(naukri.get_by_label("API key", exact=True)).to_have_value("")
    naukri.get_by_role("button", name="Test connection").click()
    expect(naukri.locator(".test-result")).to_contain_text("✕ Does not work")
    assert "not-the-secret" not in page.content()


def test_a_recruiter_key_sees_no_failures_page(page, console_url, tenant):
    sign_in(page, console_url, tenant.api_key)
    expect(page.get_by_role("heading", name="Jobs")).to_be_visible()
    expect(page.get_by_role("link", name="Failures")).to_be_hidden()


def test_an_operator_replays_a_failure_and_reads_the_jobs_event_log(page, console_url, client, make_tenant, emulators):
    # Given an operator key, and a job LinkedIn rejected
    operator = make_tenant(scope=KeyScope.OPERATOR)
    emulators.linkedin.set_faults({"reject": {"times": 100, "message": "ERROR :: /title :: rejected for the console"}})
    job_id = publish(client, operator, platforms=["linkedin"], title="Console failure job")
    settled_status(client, operator, job_id)
    emulators.linkedin.clear_faults()

    # When the operator ticks it on the Failures page and replays it, saying why
    sign_in(page, console_url, operator.api_key)
    page.get_by_role("link", name="Failures").click()
    row = page.locator("tbody tr", has_text="rejected for the console")
    row.get_by_role("checkbox").check()
    page.get_by_label("Why (recorded in the publishing log)").fill("title fixed on LinkedIn's side")
    page.get_by_role("button", name="Replay selected").click()

    # Then it is replayed and published, and the event log names the replay
    expect(toast_saying(page, "Replayed 1, skipped 0")).to_be_visible()
    expect(row).to_have_count(0)
    page.get_by_role("link", name="Jobs").click()
    expect(badge_status(page, job_id, "linkedin")).to_have_text("Published")
    job_card(page, job_id).get_by_role("link", name="Event log").click()
    expect(page.get_by_role("heading", name=f"Event log of job #{job_id}")).to_be_visible()
    expect(page.locator('tr[data-event-type="JobPublishReplayed"]')).to_have_count(1)
    expect(page.locator('tr[data-event-type="JobPublished"]')).to_have_count(1)


def test_a_key_refused_mid_session_brings_back_the_key_form_with_a_message(page, console_url, tenant):
    sign_in(page, console_url, tenant.api_key)
    page.evaluate("sessionStorage.setItem('jobpub.apiKey', 'jp_revoked-meanwhile')")  # as if revoked
    page.reload()

    expect(page.get_by_role("alert")).to_contain_text("Your API key stopped working")
    expect(page.get_by_role("navigation", name="Console")).to_be_hidden()
    expect(page.get_by_label("API key", exact=True)).to_be_focused()


def test_indeeds_apply_secret_is_typed_in_saved_and_never_shown_again(page, console_url, client, make_tenant):
    tenant = make_tenant(platforms=("indeed",))
    sign_in(page, console_url, tenant.api_key, "#/connections")
    indeed = page.locator('section[data-platform="indeed"]')
    expect(indeed.get_by_role("status").first).to_contain_text("apply secret not set")

    indeed.get_by_label("Indeed Apply secret", exact=True).fill("apply-secret-typed-in")
    indeed.get_by_role("button", name="Save").click()

    expect(toast_saying(page, "Indeed connection saved")).to_be_visible()
    expect(indeed.get_by_role("status").first).to_contain_text("apply secret stored (never shown)")
    expect(indeed.get_by_label("Indeed Apply secret", exact=True)).to_have_value("")
    assert "apply-secret-typed-in" not in page.content()
    shown = client.get("/jobs/publishing/platforms/indeed/", headers=tenant.headers).json()
    assert shown["apply_secret_set"] is True
