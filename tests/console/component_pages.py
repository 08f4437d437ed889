"""Pages that use <jobpub-publish-actions> the way another frontend would, for its browser tests.

A "plain page" is a few lines of HTML answered by Playwright at an address on the API's own origin
(so the component's calls to the API are same-origin, as on a site that serves both). Its one
script gives the component the key through the page-level callback (read from session storage:
never from the page's HTML) and records every event the component fires, with `bubbles` and
`composed`, in `window.heard`.
"""

from __future__ import annotations

import json

from playwright.sync_api import Page

from tests.conftest import LIVE_API_PORT
from tests.support import publish, settled_status

API = f"http://127.0.0.1:{LIVE_API_PORT}"
NEW_FEED_ADDRESS = "/jobs/publishing/platforms/feed/new-address/"

PLAIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A plain page</title>
<script type="module">
import {{ JobpubPublishActions }} from "/components/jobpub-publish-actions.js";
JobpubPublishActions.configure({{ getApiKey: () => sessionStorage.getItem("jobpub-key") }});
</script></head>
<body><h1>Our job board's admin</h1>{body}</body></html>"""

RECORD_EVENTS = """
window.heard = [];
for (const type of ["publish-start", "publish-success", "publish-error", "publish-end"]) {
  document.addEventListener(type, (event) =>
    window.heard.push({ type, bubbles: event.bubbles, composed: event.composed, ...event.detail }));
}
"""


def open_plain_page(page: Page, api_key: str, body: str) -> None:
    """Open a plain page holding `body` (the component's elements), its key in session storage."""
    address = f"{API}/plain/page.html"
    html = PLAIN_PAGE.format(body=body)
    page.route(address, lambda route: route.fulfill(body=html, content_type="text/html"))
    page.add_init_script(f"sessionStorage.setItem('jobpub-key', {json.dumps(api_key)});{RECORD_EVENTS}")
    page.goto(address)


def heard(page: Page, event_type: str) -> list[dict]:
    return [event for event in page.evaluate("window.heard") if event["type"] == event_type]


def job_on_the_feed_only(client, tenant, title: str) -> int:
    """A job of an organization on LinkedIn, Naukri and the job feed, so far published on the feed only."""
    answer = client.post(NEW_FEED_ADDRESS, headers=tenant.headers)
    assert answer.status_code in (200, 201), answer.text
    job_id = publish(client, tenant, platforms=["feed"], title=title)
    settled_status(client, tenant, job_id)
    return job_id
