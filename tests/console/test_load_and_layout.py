"""The console loads clean (no console errors, no failed or refused requests) and fits a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from shared.models import KeyScope
from tests.console.conftest import sign_in
from tests.support import publish, settled_status

PAGES = (("Jobs", "Jobs"), ("Applications", "Applications"), ("Connections", "Connections"))
LONG_EMAIL = "anantha.padmanabhan.venkataraman@recruiting.candidates-mail.example"

# Whether any piece of an address between two break opportunities (<wbr>) was split over lines.
EMAILS_BROKEN_MID_WORD = """
() => [...document.querySelectorAll(".email .email-part")].some((piece) => piece.getClientRects().length > 1)
"""


def fits_the_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def watch_for_problems(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url} {request.failure}"))
    page.on("response", lambda answer: answer.status >= 400 and problems.append(f"{answer.status}: {answer.url}"))
    return problems


def test_a_recruiter_key_loads_every_page_without_a_console_error_or_a_refused_request(
    page, console_url, client, tenant
):
    # Given a recruiter's organization with a job, and a tab that notes every error and refusal
    settled_status(client, tenant, publish(client, tenant, platforms=["both"], title="Console clean load job"))
    problems = watch_for_problems(page)

    # When the recruiter signs in and visits every page they may see
    sign_in(page, console_url, tenant.api_key)
    expect(page.locator("li.job-card", has_text="Console clean load job")).to_be_visible()
    for link, heading in PAGES:
        page.get_by_role("link", name=link, exact=True).click()
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        page.wait_for_load_state("networkidle")

    # Then nothing went wrong: no favicon 404, no 403 probe of the operators' failures list
    assert problems == []
    expect(page.get_by_role("link", name="Failures")).to_have_count(0)
    expect(page.locator("#who")).to_contain_text(tenant.name)
    # And the icon the page names is served, under the console's content-security-policy
    icon = page.locator('link[rel="icon"]').get_attribute("href")
    answer = page.request.get(console_url + icon)
    assert answer.status == 200 and answer.headers["content-type"].startswith("image/svg+xml")
    assert "img-src 'self'" in answer.headers["content-security-policy"]


@pytest.mark.parametrize("viewport", [{"width": 375, "height": 667}])
def test_at_phone_size_every_page_is_reachable_nothing_scrolls_sideways_and_addresses_break_only_at_dots(
    page, console_url, client, make_tenant, emulators, viewport
):
    # Given an operator (every page is theirs) with a job and an application from a long address
    operator = make_tenant(scope=KeyScope.OPERATOR)
    job_id = publish(client, operator, platforms=["naukri"], title="A title long enough to wrap on a phone")
    postings = settled_status(client, operator, job_id)["platforms"]
    emulators.naukri.apply(
        postings["naukri"]["external_id"],
        candidate={"name": "Anantha Venkataraman", "email": LONG_EMAIL},
        client_id=operator.clients["naukri"][0],
    )
    sign_in(page, console_url, operator.api_key)

    # When each page is opened from the navigation, at 375×667
    for link, heading in (*PAGES, ("Failures", "Failures")):
        page.get_by_role("link", name=link, exact=True).click()
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        page.wait_for_load_state("networkidle")
        # Then it fits the width: nothing scrolls sideways
        assert fits_the_width(page), f"{link} scrolls sideways"

    # And an e-mail address wraps only before its "@" or a dot, never mid-word
    page.get_by_role("link", name="Applications", exact=True).click()
    page.get_by_role("button", name="Pull new applications now").click()
    email = page.locator(".email", has_text="anantha")
    expect(email).to_have_attribute("title", LONG_EMAIL)
    assert email.inner_text().replace("\n", "") == LONG_EMAIL
    assert page.evaluate(EMAILS_BROKEN_MID_WORD) is False
    assert fits_the_width(page), "the applications table widens the page"
