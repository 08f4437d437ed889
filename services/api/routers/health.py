"""Liveness and readiness for orchestrators."""

from __future__ import annotations

import redis
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from services.api.schemas.health import LivenessOut, ReadinessOut

router = APIRouter(tags=["health"])


@router.get("/livez", response_model=LivenessOut)
def livez() -> dict:
    """The process answers."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    responses={
        200: {"model": ReadinessOut, "description": "Ready."},
        503: {"model": ReadinessOut, "description": "Not ready: `checks` says which dependency is unavailable."},
    },
)
def readyz(request: Request) -> JSONResponse:
    """Ready only when the database answers, and the broker too where one is configured."""
    checks = {"database": _database_ok(request), "broker": _broker_ok(request)}
    ready = all(value in ("ok", "not configured") for value in checks.values())
    return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks}, 200 if ready else 503)


def _database_ok(request: Request) -> str:
    try:
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return "ok"
    except Exception as error:  # any failure means "not ready"; the reason is for the operator
        return f"unavailable: {type(error).__name__}"


def _broker_ok(request: Request) -> str:
    url = request.app.state.settings.broker_url
    if not url:
        return "not configured"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
        client.close()
        return "ok"
    except redis.RedisError as error:
        return f"unavailable: {type(error).__name__}"
