"""The admin site's own sign-in: an admin user's name and password, and a session that expires.

The session is a signed cookie (Starlette's SessionMiddleware, see guards.py) holding the user's
id and name and when they signed in; it is honoured for `admin_session_seconds` from the sign-in,
however busy the operator is, and only while that user still exists. Nothing else signs anyone
in: an organization's API key (`X-API-Key`) means nothing here. Failed sign-ins are limited per
name and per client address (sign_in_throttle.py).
"""

from __future__ import annotations

import math
import time
from typing import Any

import anyio
import structlog
from sqladmin.authentication import AuthenticationBackend
from sqladmin.templating import Jinja2Templates
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.responses import Response

from services.api.admin.guards import CSRF_SESSION_KEY, csrf_token
from services.api.admin.sign_in_throttle import SignInThrottle
from shared.admin_users import signed_in_user
from shared.db import unit_of_work
from shared.models import AdminUser

USER_ID, USER_NAME, SIGNED_IN_AT = "admin_user_id", "admin_user", "signed_in_at"
log = structlog.get_logger(__name__)


class AdminSignIn(AuthenticationBackend):
    def __init__(self, sessions: sessionmaker[Session], session_seconds: int, throttle: SignInThrottle) -> None:
        # Not the base class's __init__: it would add its own SessionMiddleware after (inside) ours,
        # where the CSRF check could not read the session; create_admin_site orders the middlewares.
        self.middlewares = []
        self.sessions = sessions
        self.session_seconds = session_seconds
        self.throttle = throttle
        self.templates: Jinja2Templates | None = None  # the admin site's, set once it exists

    async def login(self, request: Request) -> bool | Response:
        form = await request.form()
        name, password = form.get("username"), form.get("password")
        if not isinstance(name, str) or not isinstance(password, str) or not name or not password:
            return False
        name, address = name.strip(), request.client.host if request.client else "unknown"
        wait = await anyio.to_thread.run_sync(self.throttle.wait, name, address)
        if wait is not None:
            # Neither the name nor the password is logged: either may be the other, mistyped.
            log.warning("admin.sign_in_throttled", client=address, retry_after=wait)
            return await self._too_many_failures(request, wait)
        user = await anyio.to_thread.run_sync(self._check, name, password)
        if user is None:
            await anyio.to_thread.run_sync(self.throttle.failed, name, address)
            return False
        # A new session on sign-in: nothing from before it (a CSRF token a page may have leaked) carries over.
        request.session.clear()
        request.session.update({USER_ID: user[0], USER_NAME: user[1], SIGNED_IN_AT: int(time.time())})
        csrf_token(request.session)
        return True

    async def _too_many_failures(self, request: Request, wait: int) -> Response:
        assert self.templates is not None, "mount_admin gives the sign-in the admin site's templates"
        minutes = math.ceil(wait / 60)
        context = {"error": "throttled", "retry_minutes": minutes}
        page = await self.templates.TemplateResponse(request, "sqladmin/login.html", context, status_code=429)
        page.headers["Retry-After"] = str(wait)
        return page

    def _check(self, name: str, password: str) -> tuple[int, str] | None:
        with unit_of_work(self.sessions) as session:
            user = signed_in_user(session, name, password)
            return (user.id, user.name) if user else None

    async def logout(self, request: Request) -> bool:
        request.session.clear()
        return True

    async def authenticate(self, request: Request) -> bool:
        session = request.session
        signed_in_at, user_id = session.get(SIGNED_IN_AT), session.get(USER_ID)
        if not isinstance(signed_in_at, int) or not isinstance(user_id, int):
            return False
        if time.time() - signed_in_at > self.session_seconds or not await self._still_there(user_id, session):
            token = session.get(CSRF_SESSION_KEY)
            session.clear()
            session[CSRF_SESSION_KEY] = token  # the login page it is sent to must still be able to post
            return False
        return True

    async def _still_there(self, user_id: int, session: dict[str, Any]) -> bool:
        def lookup() -> bool:
            with self.sessions() as db:
                user = db.get(AdminUser, user_id)
                return user is not None and user.name == session.get(USER_NAME)

        return await anyio.to_thread.run_sync(lookup)

    async def get_user_id(self, request: Request) -> Any:
        return request.session.get(USER_NAME)


def current_admin(request: Request) -> str:
    """The signed-in admin user's name, for the publishing log (only called behind authenticate)."""
    name = request.session.get(USER_NAME)
    if not isinstance(name, str):
        raise PermissionError("not signed in")
    return name
