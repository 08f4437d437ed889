"""The console as a new user meets it: `jobpub dev`, the printed key, and one publish to both."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from pathlib import Path

from playwright.sync_api import expect

from tests.console.conftest import SCREENSHOTS, fill_naukri_fields
from tests.support import DESCRIPTION, free_port, user_env, wait_until
from tests.test_dev_default import _answers, _api_key


def test_under_jobpub_dev_a_job_made_in_the_console_is_published_to_both_emulators(browser, tmp_path):
    port = free_port()
    env = user_env(tmp_path / "home")
    jobpub = Path(sys.executable).parent / "jobpub"
    process = subprocess.Popen(
        [str(jobpub), "dev", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    threading.Thread(target=lambda: output.extend(process.stdout), daemon=True).start()
    page = browser.new_page()
    try:
        key = wait_until(lambda: _api_key("".join(output)), 60, what="jobpub dev to print an API key")
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: _answers(base), 30, what="the API to answer")
        assert f"{base}/console/" in "".join(output)

        page.goto(f"{base}/console/")
        page.get_by_label("API key", exact=True).fill(key)
        page.get_by_role("button", name="Open the console").click()
        page.get_by_text("New job", exact=True).click()
        for label, value in (
            ("Title", "Dev console job"),
            ("Company", "Acme"),
            ("Location", "Pune, India"),  # LinkedIn takes "City, Country", not "Remote"
            ("Apply URL", "https://acme.example/careers/dev"),
            ("Description", DESCRIPTION),
        ):
            page.get_by_label(label, exact=True).fill(value)
        fill_naukri_fields(page)
        page.get_by_role("button", name="Create and publish").click()

        card = page.locator("li.job-card", has_text="Dev console job")
        for platform, name in (("linkedin", "LinkedIn"), ("naukri", "Naukri")):
            expect(card.locator(f'[data-platform="{platform}"] .badge-status')).to_have_text(
                "Published", timeout=30_000
            )
            expect(card.get_by_role("link", name=f"View on {name}")).to_be_visible()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "jobpub_dev_console.png", full_page=True)
    finally:
        page.close()
        process.send_signal(signal.SIGINT)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
