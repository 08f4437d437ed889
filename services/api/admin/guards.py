"""What stands in front of every admin page: the gate that keeps the site off until it has a user,
the signed session cookie, and the CSRF check on every change.

Order (outermost first): `AdminGate` → Starlette's `SessionMiddleware` → `CsrfProtection`. The CSRF
check reads the session, so it sits inside it. sqladmin has no CSRF protection of its own: every
request that is not GET, HEAD or OPTIONS must carry the session's token, as the form field
`csrf_token` (our templates put it in every form) or the `X-CSRF-Token` header.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anyio
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse

from shared.admin_users import any_admin_user
from shared.config import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SESSION_COOKIE = "jobpub_admin"
CSRF_SESSION_KEY = "csrf_token"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Labels the derived key, so the cookies' key is never the encryption key itself (nor any other use of it).
DERIVED_KEY_INFO = b"jobpub admin site session cookies v1"

OFF_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>jobpub admin: off</title></head>
<body><h1>The admin site is off</h1><p>{why}</p></body></html>"""
NO_USER = (
    "It has no user yet. An operator of this deployment creates one on the command line:"
    " <code>jobpub admin create-user NAME</code> (see docs/admin.md)."
)
NO_SIGNING_KEY = (
    "It has no key to sign its session cookies: set <code>JOBPUB_ADMIN_SESSION_SECRET</code>"
    " (or <code>JOBPUB_ENCRYPTION_KEYS</code>, from which one is derived; see docs/settings.md)."
)


def session_signing_key(settings: Settings) -> str | None:
    """JOBPUB_ADMIN_SESSION_SECRET, or a key derived (HKDF-SHA256) from the newest encryption key; None: neither."""
    if settings.admin_session_secret is not None and settings.admin_session_secret.get_secret_value():
        return settings.admin_session_secret.get_secret_value()
    if settings.encryption_keys is None:
        return None
    newest = settings.encryption_keys.get_secret_value().split(",")[0].strip()
    if not newest:
        return None
    derived = HKDF(algorithm=SHA256(), length=32, salt=None, info=DERIVED_KEY_INFO).derive(newest.encode())
    return derived.hex()


def off_page(why: str) -> HTMLResponse:
    """The answer of every admin address while the site is off: 404, and how to turn it on."""
    return HTMLResponse(OFF_PAGE.format(why=why), status_code=404)


class AdminGate:
    """Answers 404 with how to turn the site on while no admin user exists."""

    def __init__(self, app: ASGIApp, sessions: sessionmaker[Session]) -> None:
        self.app = app
        self.sessions = sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not await anyio.to_thread.run_sync(self._site_is_on):
            await off_page(NO_USER)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _site_is_on(self) -> bool:
        with self.sessions() as session:
            return any_admin_user(session)


def csrf_token(session: MutableMapping[str, Any]) -> str:
    """The session's CSRF token, made on first use (a visitor signing in gets one with the login page)."""
    token = session.get(CSRF_SESSION_KEY)
    if not isinstance(token, str):
        token = session[CSRF_SESSION_KEY] = secrets.token_urlsafe(32)
    return token


class CsrfProtection:
    """Refuses (403) a change whose request does not carry the session's CSRF token."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        expected = csrf_token(scope["session"])
        if scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        body = await _whole_body(receive)
        replay = _replaying(body, receive)
        presented = Headers(scope=scope).get(CSRF_HEADER) or await _form_token(scope, _replaying(body, receive))
        if not presented or not hmac.compare_digest(presented.encode(), expected.encode()):
            refusal = PlainTextResponse(
                "Refused: this form's CSRF token is missing or out of date. Reload the page and try again.", 403
            )
            await refusal(scope, receive, send)
            return
        await self.app(scope, replay, send)


async def _whole_body(receive: Receive) -> bytes:
    # The API's BodySizeLimitMiddleware (outside the admin) already bounds what arrives here.
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the already-read body on once, then waits on the real one (for a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _form_token(scope: Scope, receive: Receive) -> str | None:
    content_type = Headers(scope=scope).get("content-type", "")
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return None
    form = await Request(scope, receive).form()
    try:
        token = form.get(CSRF_FIELD)
        return token if isinstance(token, str) else None
    finally:
        await form.close()
