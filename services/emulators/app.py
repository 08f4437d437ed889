"""Putting an emulator app together: a platform's own routes first, then what every emulator
serves whatever its platform (the resume files applications link to, the `/_emulator/` control
API and its applications part), with errors and dropped connections turned into answers.

Each platform module's `create_app` builds its state object and calls `build_app`, and the module
describes itself to the registry (registry.py) with an `EmulatorEntry`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

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


@dataclass(frozen=True)
class EmulatorEntry:
    """One platform's emulator, as `jobpub dev`, `jobpub emulator` and the tests' fixture see it.

    `name` is the platform's (the adapter's `name`, shared/platforms/__init__.py); `title` how
    lines show it ("LinkedIn"); `create_app` a new app of it; `settings` the jobpub settings that
    point the adapter at a running emulator: each setting's name and the path appended to the
    emulator's base URL to make its value ("" for the base URL itself).
    """

    name: str
    title: str
    create_app: Callable[[], FastAPI]
    settings: Mapping[str, str]

    def settings_for(self, url: str) -> dict[str, str]:
        """The settings that point jobpub at this emulator listening at `url`."""
        return {setting: url + path for setting, path in self.settings.items()}
