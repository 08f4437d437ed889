"""<jobpub-publish-actions> on pages that are not the console, in a real browser: the example page
publishes a job to both platforms and fires publish-success for each; each state (idle, spinner,
check mark, failure with Retry) and the 3-s reset to the platform's live state; a platform that
fails, and its Retry once the fault is gone."""

from __future__ import annotations

import time

from playwright.sync_api import expect

from tests.console.component_pages import API, RECORD_EVENTS, heard, job_on_the_feed_only, open_plain_page
from tests.support import publish, settled_status


def test_the_example_page_publishes_a_job_to_both_platforms_and_fires_publish_success_for_each(
    page, console_url, client, tenant, emulators
):
    # Given a job on the job feed only, and a LinkedIn that takes a second to create a posting
    job_id = job_on_the_feed_only(client, tenant, "Component both job")
    emulators.linkedin.set_faults({"slow": {"seconds": 1.0, "times": 1}})

    # When a developer opens the example page, types the key and the job's id
    page.add_init_script(RECORD_EVENTS)
    page.goto(f"{API}/components/example.html")
    page.get_by_label("API key").fill(tenant.api_key)
    page.get_by_label("Job id").fill(str(job_id))
    page.get_by_role("button", name="Show its buttons").click()

    # Then the component is idle: a button per platform the organization has, and "Publish to both"
    actions = page.locator("jobpub-publish-actions").first
    expect(actions.get_by_role("button", name="Publish to LinkedIn")).to_be_enabled()
    expect(actions.get_by_role("button", name="Publish to Naukri")).to_be_enabled()
    expect(actions.get_by_role("button", name="Published on Job feed ✓")).to_have_attribute("aria-disabled", "true")

    # When "Publish to both" is clicked
    actions.get_by_role("button", name="Publish to both").click()

    # Then it spins, ends with a check mark, and says so in its status line
    both = actions.locator('[data-action="all"]')
    expect(both).to_have_attribute("aria-busy", "true")
    expect(both).to_contain_text("Publishing…")
    expect(actions.locator('[data-action="all"][data-state="success"]')).to_contain_text("✓ Published")
    expect(actions.get_by_role("status")).to_have_text("Published on LinkedIn and Naukri.")

    # And it fired publish-success for each platform, bubbling out of its shadow root
    successes = {event["platform"]: event for event in heard(page, "publish-success")}
    assert set(successes) == {"linkedin", "naukri"}
    assert all(e["jobId"] == job_id and e["bubbles"] and e["composed"] for e in successes.values())
    expect(page.get_by_role("list", name="Events").locator('[data-type="publish-success"]')).to_have_count(2)
    status = client.get(f"/jobs/publishing/{job_id}/status/", headers=tenant.headers).json()
    assert {p: posting["status"] for p, posting in status["platforms"].items()} == dict.fromkeys(
        ("linkedin", "naukri", "feed"), "published"
    )

    # And the page's other elements of the job follow at once: nothing is left to publish there
    for other in page.locator("jobpub-publish-actions").all()[1:]:
        expect(other.get_by_role("button", name="Published on LinkedIn ✓")).to_be_visible()
        expect(other.get_by_role("button", name="Publish to both")).to_be_hidden()

    # And the key the developer typed is nowhere in the page's HTML
    assert tenant.api_key not in page.content()


def test_the_check_mark_gives_way_after_3_s_to_the_platform_s_live_state(page, console_url, client, tenant):
    # Given a plain page with the component for a job so far on Naukri only
    job_id = publish(client, tenant, platforms=["naukri"], title="Component reset job")
    settled_status(client, tenant, job_id)
    open_plain_page(page, tenant.api_key, f'<jobpub-publish-actions job-id="{job_id}"></jobpub-publish-actions>')
    actions = page.locator("jobpub-publish-actions")
    expect(actions.get_by_role("button", name="Published on Naukri ✓")).to_have_attribute("aria-disabled", "true")
    expect(actions.get_by_role("button", name="Publish to both")).to_have_count(0)  # one platform is left

    # When LinkedIn is published from it
    actions.get_by_role("button", name="Publish to LinkedIn").click()

    # Then the check mark shows for about 3 s, then the button rests as a disabled "Published on LinkedIn ✓"
    success = actions.locator('[data-action="linkedin"][data-state="success"]')
    expect(success).to_contain_text("✓ Published")
    seen_at = time.monotonic()
    expect(success).to_have_count(0, timeout=6_000)
    assert 2.0 <= time.monotonic() - seen_at <= 4.5
    rested = actions.get_by_role("button", name="Published on LinkedIn ✓")
    expect(rested).to_have_attribute("aria-disabled", "true")
    expect(rested).to_have_attribute("data-state", "idle")
    expect(actions.get_by_role("status")).to_have_text("")
    assert [(e["jobId"], e["platform"]) for e in heard(page, "publish-success")] == [(job_id, "linkedin")]


def test_a_platform_that_rejects_shows_its_reason_and_retry_and_retry_publishes_it_once_the_fault_is_gone(
    page, console_url, client, tenant, emulators
):
    # Given a plain page with the component for a job on Naukri, and a LinkedIn that rejects every create
    job_id = publish(client, tenant, platforms=["naukri"], title="Component retry job")
    settled_status(client, tenant, job_id)
    emulators.linkedin.set_faults({"reject": {"times": 100, "message": "ERROR :: /title :: title has a banned word"}})
    open_plain_page(
        page, tenant.api_key, f'<jobpub-publish-actions job-id="{job_id}" size="sm"></jobpub-publish-actions>'
    )
    actions = page.locator("jobpub-publish-actions")

    # When LinkedIn is published from it
    actions.get_by_role("button", name="Publish to LinkedIn").click()

    # Then the button fails, the status line gives LinkedIn's reason, and publish-error names LinkedIn
    linkedin = actions.locator('[data-action="linkedin"]')
    expect(linkedin).to_have_attribute("data-state", "error")
    expect(linkedin).to_contain_text("✕ Failed")
    expect(actions.get_by_role("status")).to_contain_text("title has a banned word")
    [error] = heard(page, "publish-error")
    assert error["jobId"] == job_id and error["platforms"] == ["linkedin"]
    assert heard(page, "publish-success") == []

    # And after 3 s it rests as LinkedIn's Retry, the reason still shown (LinkedIn is still failed)
    retry = actions.get_by_role("button", name="Retry publishing on LinkedIn")
    expect(retry).to_have_attribute("data-state", "idle", timeout=6_000)
    expect(retry).to_be_enabled()
    expect(actions.get_by_role("status")).to_contain_text("LinkedIn failed: ")

    # When the fault is gone and Retry is clicked
    emulators.linkedin.clear_faults()
    retry.click()

    # Then LinkedIn is published, publish-success says so, and the reason goes away
    expect(actions.locator('[data-action="linkedin"][data-state="success"]')).to_contain_text("✓ Published")
    assert [(e["jobId"], e["platform"]) for e in heard(page, "publish-success")] == [(job_id, "linkedin")]
    expect(actions.get_by_role("button", name="Published on LinkedIn ✓")).to_be_visible(timeout=6_000)
    expect(actions.get_by_role("status")).to_have_text("")
    status = client.get(f"/jobs/publishing/{job_id}/status/", headers=tenant.headers).json()
    assert status["platforms"]["linkedin"]["status"] == "published"
