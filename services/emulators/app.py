"""Putting an emulator app together: a platform's own routes first, then what every emulator
serves whatever its platform (the resume files applications link to, the `/_emulator/` control
API and its applications part), with errors and dropped connections turned into answers.

Each platform module's `create_app` builds its state object and calls `build_app`.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from services.emulators import applications
from services.emulators.base import EmulatorState
from services.emulators.control import control_router
from services.emulators.http_edge import install_answers


def build_app(title: str, emulator: EmulatorState, *platform_routers: APIRouter) -> FastAPI:
    """An emulator app serving `platform_routers`; its state object (the control API) is `app.state.emulator`."""
    app = FastAPI(title=title, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.emulator = emulator
    install_answers(app)
    for router in platform_routers:
        app.include_router(router)
    app.include_router(applications.media_router())
    app.include_router(control_router())
    app.include_router(applications.control_router())
    return app
