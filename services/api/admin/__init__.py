"""The admin site for the deployment's operators, at /admin/ (sqladmin, its assets served from
its own package: nothing loads from another site). See docs/admin.md.

Every organization's records, browsed and searched; the few safe changes of editable.py, each
logged with the admin user's name. Off (404, saying how to turn it on) until an admin user exists
or without a key to sign its cookies. Its routes are a mounted app, so they stay out of the
OpenAPI document.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqladmin import Admin, ModelView
from sqlalchemy.orm import sessionmaker
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware

from services.api.admin.editable import EDITABLE_VIEWS
from services.api.admin.guards import (
    NO_SIGNING_KEY,
    SESSION_COOKIE,
    AdminGate,
    CsrfProtection,
    off_page,
    session_signing_key,
)
from services.api.admin.records import RECORD_VIEWS
from services.api.admin.sign_in import AdminSignIn
from services.api.admin.sign_in_throttle import SignInThrottle
from shared.config import Settings

BASE_URL = "/admin"
TEMPLATES = Path(__file__).parent / "templates"


def mount_admin(app: FastAPI, settings: Settings) -> None:
    """Mount the admin site on the API (the API's engine, cipher and settings are on `app.state`)."""
    signing_key = session_signing_key(settings)
    if signing_key is None:
        app.mount(BASE_URL, off_page(NO_SIGNING_KEY), name="admin")
        return
    # sqladmin reconfigures the session factory it is given (autoflush off): it gets its own, not the API's.
    sessions = sessionmaker(app.state.engine, expire_on_commit=False)
    middlewares = [
        Middleware(AdminGate, sessions=sessions),
        Middleware(
            SessionMiddleware,
            secret_key=signing_key,
            session_cookie=SESSION_COOKIE,
            max_age=settings.admin_session_seconds,
            path=BASE_URL,
            same_site="strict",
            https_only=(settings.public_base_url or "").startswith("https://"),
        ),
        Middleware(CsrfProtection),
    ]
    sign_in = AdminSignIn(sessions, settings.admin_session_seconds, SignInThrottle(settings))
    admin = Admin(
        app,
        session_maker=sessions,
        base_url=BASE_URL,
        title="jobpub admin",
        templates_dir=str(TEMPLATES),
        middlewares=middlewares,
        authentication_backend=sign_in,
    )
    sign_in.templates = admin.templates  # its "try again later" page is the sign-in page
    admin.admin.state.sessions = app.state.sessions  # the changes use the API's own, unchanged
    admin.admin.state.cipher = app.state.cipher
    admin.admin.state.replay_per_second = settings.replay_per_second
    admin.admin.state.settings = settings  # a revocation is announced to every API process through Redis
    for view in (*EDITABLE_VIEWS, *RECORD_VIEWS):
        # sqladmin binds its session factory onto the view *class*: a subclass per app keeps a
        # second app in the same process (the tests make many) from rebinding this one's pages.
        admin.add_view(_own_class(view))


def _own_class(view: type[ModelView]) -> type[ModelView]:
    """A subclass of `view` for one app (made by sqladmin's metaclass, which it inherits)."""
    metaclass: Any = type(view)
    subclass: type[ModelView] = metaclass(view.__name__, (view,), {})
    return subclass
