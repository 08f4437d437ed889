"""The web console: static HTML, CSS and JavaScript served under /console/.

The console holds no server-side logic: the browser calls the public API with the key the user
typed in. These files only need serving, with headers that keep a page which shows data from
outside (candidates' names, platforms' errors) from running anything but its own scripts.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

CONSOLE_PATH = "/console"
STATIC_DIRECTORY = Path(__file__).parent / "static"

SECURITY_HEADERS = {
    # Own scripts and styles only (no inline code), calls to this API only, and no framing.
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "x-content-type-options": "nosniff",
    # Links out to the platforms must not carry the console's address.
    "referrer-policy": "no-referrer",
    # Always fetch the current files: a stale script against a newer API is a confusing bug.
    "cache-control": "no-cache",
}


class FilesWithHeaders(StaticFiles):
    """StaticFiles that adds the given headers to every answer (the console's, the components')."""

    def __init__(self, *, directory: Path, headers: dict[str, str], html: bool = False) -> None:
        super().__init__(directory=directory, html=html)
        self.extra_headers = [(name.encode(), value.encode()) for name, value in headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", [])) + self.extra_headers
                message = {**message, "headers": headers}
            await send(message)

        await super().__call__(scope, receive, send_with_headers)


def mount_console(app: FastAPI) -> None:
    """Serve the console at /console/ (index.html for the folder), outside the OpenAPI schema."""

    @app.get(CONSOLE_PATH, include_in_schema=False)
    def console_without_slash() -> RedirectResponse:
        return RedirectResponse(CONSOLE_PATH + "/")

    app.mount(
        CONSOLE_PATH, FilesWithHeaders(directory=STATIC_DIRECTORY, headers=SECURITY_HEADERS, html=True), name="console"
    )
