"""A shared Chromium for the console's browser tests, and a page per test opened on the live API.

Debian's Chromium, driven by Playwright (its own browser download does not work here). The
background-networking flags keep Chromium from waiting on Google services this closed network
never answers. Each test leaves a screenshot in tests/artifacts/console/ (gitignored).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.conftest import LIVE_API_PORT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "console"
# The pipeline publishes within a second or two; this leaves room on a loaded machine.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("the console tests need Debian's Chromium: apt-get install -y chromium (.ci/run does it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def console_url(live_api, pipeline) -> str:
    return f"http://127.0.0.1:{LIVE_API_PORT}/console/"


@pytest.fixture
def viewport() -> dict:
    return {"width": 1280, "height": 900}


@pytest.fixture
def page(browser, viewport, request):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    yield page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{request.node.name}.png", full_page=True)
    context.close()


def sign_in(page: Page, console_url: str, api_key: str, hash_path: str = "") -> None:
    """Open the console and enter the key, as a recruiter would."""
    page.goto(console_url + hash_path)
    page.get_by_label("API key", exact=True).fill(api_key)
    page.get_by_role("button", name="Open the console").click()
    expect(page.get_by_role("navigation", name="Console")).to_be_visible()


def job_card(page: Page, job_id: int):
    return page.locator(f'li.job-card[data-job-id="{job_id}"]')


def badge_status(page: Page, job_id: int, platform: str):
    return job_card(page, job_id).locator(f'[data-platform="{platform}"] .badge-status')


def toast_saying(page: Page, text: str):
    return page.locator("#toasts .toast", has_text=re.compile(re.escape(text)))


def fill_naukri_fields(page: Page, *, role: str = "Back End Developer") -> None:
    """Fill the New job form's Naukri group: experience range, CTC in lakhs, industry, area, role."""
    naukri = page.get_by_role("group", name="Naukri's fields")
    naukri.get_by_label("Experience (years): minimum").fill("2")
    naukri.get_by_label("Experience (years): maximum").fill("5")
    naukri.get_by_label("Annual CTC (INR lakhs): minimum").fill("12")
    naukri.get_by_label("Annual CTC (INR lakhs): maximum").fill("18")
    naukri.get_by_label("Industry", exact=True).select_option("software_product")
    naukri.get_by_label("Functional area", exact=True).select_option("engineering_software")
    naukri.get_by_label("Role", exact=True).fill(role)
