"""What an emulator receives of application statuses (LinkedIn's lifecycle actions, Indeed's
dispositions): each accepted one, recorded as received, for tests to count and read.

A mixin of the emulators that candidates apply to: a status is accepted only for an application
the emulator itself delivered, to the client that owns it, as the platforms only take statuses
of their own applications.
"""

from __future__ import annotations

import copy
import time

from fastapi import APIRouter, Request

from services.emulators.applications import EmulatorWithApplications


class StatusInbox(EmulatorWithApplications):
    def __init__(self) -> None:
        super().__init__()
        self._statuses: list[dict] = []

    def owns_application(self, client_id: str, id_field: str, application_id: str) -> bool:
        """Did this emulator deliver the application (its wire `id_field` equal to `application_id`) to the client?"""
        with self._lock:
            return any(
                a.owner_client_id == client_id and a.wire.get(id_field) == application_id for a in self._applications
            )

    def receive_status(self, client_id: str, body: dict) -> None:
        with self._lock:
            self._statuses.append({"client_id": client_id, "received_at": time.time(), "body": copy.deepcopy(body)})

    def received_statuses(self, client_id: str | None = None) -> list[dict]:
        """The statuses accepted so far (copies), oldest first: all of them, or one client's."""
        with self._lock:
            return [copy.deepcopy(s) for s in self._statuses if client_id in (None, s["client_id"])]

    def stats(self) -> dict:
        with self._lock:
            return {**super().stats(), "statuses": len(self._statuses)}


def control_router() -> APIRouter:
    """`GET /_emulator/statuses`: what `received_statuses` gives, over HTTP."""
    router = APIRouter(prefix="/_emulator", include_in_schema=False)

    @router.get("/statuses")
    async def statuses(request: Request) -> dict:
        received = request.app.state.emulator.received_statuses()
        return {"count": len(received), "statuses": received}

    return router
