"""The README's React wrapper of <jobpub-publish-actions> (clients/react/PublishActions.jsx), in a real
browser under React 19 and React 18: a small React app built with esbuild, the API reached through
the `/jobpub/` reverse proxy the snippet assumes (played by the test's routes), the parent's
`onPublishSuccess(jobId, platform)` called once per published platform however often the parent
renders, and the key never in the page's HTML."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

from tests.console.component_pages import API, job_on_the_feed_only
from tests.support import settled_status, wait_until
from tests.test_typescript_client import needs_npm, npm

WRAPPER = Path(__file__).resolve().parents[2] / "clients" / "react"
README = WRAPPER.parents[1] / "README.md"
PROXY_PREFIX = "/jobpub"
APP_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A React app</title>
<script type="module" src="/jobpub/components/jobpub-publish-actions.js"></script>
<script type="module" src="/app/bundle.js"></script></head>
<body><div id="root"></div></body></html>"""
# Each build swaps in its React: aliases reach "react/jsx-runtime" and react-dom's own imports too.
REACT_ALIASES = {"19": [], "18": ["--alias:react=react18", "--alias:react-dom=react-dom18"]}


def test_the_readme_shows_the_wrapper_these_tests_run():
    wrapper = (WRAPPER / "PublishActions.jsx").read_text()
    snippet = README.read_text().split("```jsx\n", 1)[1].split("```", 1)[0]
    assert snippet == wrapper, "README.md's React snippet differs from clients/react/PublishActions.jsx"


@pytest.fixture(scope="module")
def bundles(tmp_path_factory) -> dict[str, str]:
    """The test app bundled once per React major version."""
    npm("ci", "--ignore-scripts", cwd=WRAPPER)
    built = tmp_path_factory.mktemp("react-bundles")
    esbuild = WRAPPER / "node_modules" / ".bin" / "esbuild"
    texts = {}
    for major, aliases in REACT_ALIASES.items():
        out = built / f"react{major}.js"
        options = ["--bundle", "--format=esm", "--jsx=automatic", '--define:process.env.NODE_ENV="production"']
        done = subprocess.run(
            [str(esbuild), "test/page.jsx", *options, *aliases, f"--outfile={out}", "--log-level=warning"],
            cwd=WRAPPER,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, f"esbuild failed for React {major}:\n{done.stderr}"
        texts[major] = out.read_text()
    return texts


def open_react_app(page: Page, bundle: str, api_key: str, job_id: int) -> list[str]:
    """Serve the app at the API's host, proxy `/jobpub/…` to the API; answer the proxied paths."""
    proxied: list[str] = []

    def proxy(route: Route) -> None:
        path = urlsplit(route.request.url).path
        proxied.append(f"{route.request.method} {path}")
        forwarded = route.request.url.replace(f"{API}{PROXY_PREFIX}", API, 1)
        route.fulfill(response=route.fetch(url=forwarded))

    page.route(f"{API}/app/page.html*", lambda route: route.fulfill(body=APP_PAGE, content_type="text/html"))
    page.route(f"{API}/app/bundle.js", lambda route: route.fulfill(body=bundle, content_type="text/javascript"))
    page.route(f"{API}{PROXY_PREFIX}/**", proxy)
    page.add_init_script(f"sessionStorage.setItem('jobpub-key', {json.dumps(api_key)});")
    page.goto(f"{API}/app/page.html?job={job_id}")
    return proxied


def successes(page: Page) -> list[list]:
    return page.evaluate("window.successes")


@needs_npm
@pytest.mark.parametrize("major", sorted(REACT_ALIASES))
def test_the_react_wrapper_calls_on_publish_success_once_per_platform_however_often_the_parent_renders(
    major, bundles, page, console_url, client, tenant
):
    # Given a job of an organization on LinkedIn, Naukri and its job feed, so far on the feed only
    job_id = job_on_the_feed_only(client, tenant, f"React {major} wrapper job")

    # When a React app shows the README's <PublishActions> for it
    proxied = open_react_app(page, bundles[major], tenant.api_key, job_id)
    expect(page.get_by_role("heading", name=f"React {major}.")).to_be_visible()
    actions = page.locator("jobpub-publish-actions")
    expect(actions.get_by_role("button", name="Publish to LinkedIn")).to_be_enabled()

    # And the parent renders twice (a new callback each time), then LinkedIn is published
    page.get_by_role("button", name="Render again").click()
    page.get_by_role("button", name="Render again").click()
    actions.get_by_role("button", name="Publish to LinkedIn").click()

    # Then the newest callback hears it, once
    expect(actions.locator('[data-action="linkedin"][data-state="success"]')).to_contain_text("✓ Published")
    wait_until(lambda: successes(page) == [[job_id, "linkedin", 2]], 10, what="onPublishSuccess for LinkedIn")

    # When the buttons are unmounted and mounted again, the parent renders, and Naukri is published
    page.get_by_role("button", name="Hide the buttons").click()
    expect(actions).to_have_count(0)
    page.get_by_role("button", name="Show the buttons").click()
    page.get_by_role("button", name="Render again").click()
    page.locator("jobpub-publish-actions").get_by_role("button", name="Publish to Naukri").click()

    # Then only the mounted element's newest callback hears it, once
    wait_until(lambda: len(successes(page)) == 2, 15, what="onPublishSuccess for Naukri")
    assert successes(page) == [[job_id, "linkedin", 2], [job_id, "naukri", 3]]
    status = settled_status(client, tenant, job_id)
    assert {platform: posting["status"] for platform, posting in status["platforms"].items()} == {
        "linkedin": "published",
        "naukri": "published",
        "feed": "published",
    }

    # And every call went through the page's /jobpub/ proxy, with the key nowhere in the HTML
    assert f"POST {PROXY_PREFIX}/jobs/publishing/publish/" in proxied
    assert tenant.api_key not in page.content()
