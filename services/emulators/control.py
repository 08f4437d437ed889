"""The `/_emulator/` control API every emulator serves: the same control its state object gives
in-process (stats, held postings, faults, quota and latency, registered clients), over HTTP for
tests and benchmarks in other processes. No authentication: emulators bind loopback (server.py).

Applications have their own control routes, beside the rest of them (applications.py).
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from services.emulators.http_edge import ErrorAnswer, read_json


def control_router() -> APIRouter:
    """The `/_emulator/` API: the same control the state object gives, over HTTP."""
    router = APIRouter(prefix="/_emulator", include_in_schema=False)

    @router.get("/stats")
    async def stats(request: Request) -> dict:
        return request.app.state.emulator.stats()

    @router.get("/postings")
    async def postings(request: Request) -> dict:
        held = request.app.state.emulator.all_postings()
        return {"count": len(held), "postings": held}

    @router.post("/faults")
    async def set_faults(request: Request) -> dict:
        faults = await read_json_object(request)
        try:
            request.app.state.emulator.set_faults(faults)
        except ValueError as error:
            raise ErrorAnswer(400, {"error": "bad_request", "message": str(error)}) from error
        return {"faults": request.app.state.emulator.current_faults()}

    @router.delete("/faults")
    async def clear_faults(request: Request) -> dict:
        request.app.state.emulator.clear_faults()
        return {"faults": {}}

    @router.post("/quota")
    async def set_quota(request: Request) -> dict:
        """{"requests_per_second": N, "burst": B (optional), "latency_seconds": L (optional)}."""
        body = await read_json_object(request)
        emulator = request.app.state.emulator
        try:
            if body.get("requests_per_second") is not None:
                emulator.set_quota(float(body["requests_per_second"]), body.get("burst"))
            if body.get("latency_seconds") is not None:
                emulator.set_latency(float(body["latency_seconds"]))
        except (TypeError, ValueError) as error:
            raise ErrorAnswer(400, {"error": "bad_request", "message": str(error)}) from error
        return emulator.stats()

    @router.delete("/quota")
    async def clear_quota(request: Request) -> dict:
        request.app.state.emulator.clear_quota()
        request.app.state.emulator.set_latency(0)
        return request.app.state.emulator.stats()

    @router.post("/clients", status_code=201)
    async def register_client(request: Request) -> dict:
        body = await read_json_object(request)
        client_id, secret = body.get("client_id"), body.get("secret")
        if not isinstance(client_id, str) or not isinstance(secret, str) or not client_id or not secret:
            raise ErrorAnswer(400, {"error": "bad_request", "message": "client_id and secret are required strings"})
        request.app.state.emulator.register_client(client_id, secret)
        return {"client_id": client_id}

    return router


async def read_json_object(request: Request) -> dict:
    """The body of a control request: a JSON object, or a 400 answer."""
    try:
        body = await read_json(request)
    except ValueError as error:
        raise ErrorAnswer(400, {"error": "bad_request", "message": str(error)}) from error
    if not isinstance(body, dict):
        raise ErrorAnswer(400, {"error": "bad_request", "message": "the body must be a JSON object"})
    return body
