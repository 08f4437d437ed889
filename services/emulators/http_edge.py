"""What every emulator route does at its HTTP edge: read a JSON body, know the address it was
reached at, and answer other than with its own JSON: an error raised from anywhere in a route
(`ErrorAnswer`), a connection cut mid-answer (`ConnectionDropRequested`), the Retry-After text of
a 429, and a posting's public page.

`install_answers` is what turns the two exceptions into responses; every emulator app calls it.
"""

from __future__ import annotations

import html
import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response


class ErrorAnswer(Exception):
    """Raised anywhere in a route to answer with this status, JSON body and headers."""

    def __init__(self, status: int, body: dict, headers: dict[str, str] | None = None):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


class ConnectionDropRequested(Exception):
    """Raised by a route to answer with a dropped connection (see DroppedConnection)."""


class DeliberateDisconnect(Exception):
    """Raised after the response has started, so uvicorn closes the connection mid-answer."""


class DroppedConnection(Response):
    """An answer that never completes: the headers promise a body, then the connection is cut.

    ASGI offers no way to close a connection without answering, and raising before the answer
    starts makes uvicorn send a 500. Raising after `http.response.start` makes it close the
    transport instead, so the client sees a transport error (httpx.RemoteProtocolError or
    httpx.ReadError, depending on what it had read), never a status code.
    """

    def __init__(self) -> None:
        super().__init__(status_code=200)

    async def __call__(self, scope, receive, send) -> None:
        headers = [(b"content-type", b"application/json"), (b"content-length", b"512")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        raise DeliberateDisconnect("connection dropped by an emulator fault")


def install_answers(app: FastAPI) -> None:
    """Turn ErrorAnswer and ConnectionDropRequested raised in routes into their responses."""

    async def error_answer(_request: Request, error: ErrorAnswer) -> Response:
        return JSONResponse(error.body, status_code=error.status, headers=error.headers)

    async def dropped(_request: Request, _error: ConnectionDropRequested) -> Response:
        return DroppedConnection()

    # Starlette types every handler as taking `Exception`; it cannot tie the handler's parameter to
    # the class registered with it, so a handler for a subclass is refused though it is always right.
    app.add_exception_handler(ErrorAnswer, error_answer)  # type: ignore[arg-type]
    app.add_exception_handler(ConnectionDropRequested, dropped)  # type: ignore[arg-type]


def retry_after_text(seconds: Any) -> str:
    """Retry-After takes whole seconds; round a fraction up so the client never waits too little."""
    value = float(seconds)
    return str(int(value) if value.is_integer() else int(value) + 1)


async def read_json(request: Request) -> Any:
    """The JSON body, or ValueError if it is not JSON."""
    body = await request.body()
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError("the body is not valid JSON") from error


def base_url(request: Request) -> str:
    """The address this server was reached at, so posting URLs are right under any port."""
    return str(request.base_url).rstrip("/")


def listing_page(title: str, note: str) -> HTMLResponse:
    """The public page of a posting: just enough HTML to show it exists."""
    safe_title, safe_note = html.escape(title), html.escape(note)
    page = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{safe_title}</title></head>"
        f"<body><h1>{safe_title}</h1><p>{safe_note}</p></body></html>"
    )
    return HTMLResponse(page)
