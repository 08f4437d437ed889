"""The HTTP API: thin. It validates, writes to the database in one transaction, and answers.
It never talks to the broker; the relay does (see services/relay)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.api.admin import mount_admin
from services.api.components import mount_components
from services.api.console import mount_console
from services.api.job_publishing import Conflict, FieldProblem, FieldProblems, NothingToDo
from services.api.key_cache import KeyCache
from services.api.middleware import BodySizeLimitMiddleware, CorrelationIdMiddleware, RequestMetricsMiddleware
from services.api.rate_limits import OrganizationRateLimit
from services.api.routers import (
    applications,
    events,
    failures,
    feeds,
    health,
    jobs,
    lifecycle,
    me,
    metrics,
    notifications,
    platform_fields,
    platforms,
    privacy,
    publishing,
    source_tracking,
    status_failures,
    webhooks,
)
from services.api.schemas.errors import ConflictOut, ErrorOut, FieldErrorOut, ValidationErrorOut
from shared.config import Settings, get_settings
from shared.crypto import cipher_from_settings
from shared.db import build_engine, build_session_factory
from shared.platforms import build_http_client, build_platforms


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = engine or build_engine(settings)
    app = FastAPI(
        title="jobpub",
        summary="Publish jobs to LinkedIn and Naukri; follow each platform's status.",
        version="0.1.0",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = build_session_factory(engine)
    # Only the LinkedIn webhook decrypts (to verify signatures); without keys it answers 503.
    app.state.cipher = cipher_from_settings(settings) if settings.encryption_keys else None
    app.state.rate_limit = OrganizationRateLimit(settings)
    app.state.key_cache = KeyCache()  # trusted only with Redis's revocation mark; see its module
    # Only a connection test calls a platform from the API.
    app.state.platforms = build_platforms(settings, build_http_client(settings))
    app.state.metrics_registry = metrics.backlog_registry(settings, engine)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(CorrelationIdMiddleware)
    app.add_middleware(RequestMetricsMiddleware)  # outermost of ours: it sees every answer, a 413 too
    if settings.cors_origin_list:
        # Outermost, so a browser's preflight is answered before any key is asked for.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origin_list,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["X-API-Key", "Content-Type", "Idempotency-Key", "X-Request-ID"],
            expose_headers=["Retry-After", "X-Request-ID", "Location"],
            max_age=600,
        )
    # Starlette types every handler as taking `Exception`; it cannot tie the handler's parameter to
    # the class registered with it, so a handler for a subclass is refused though it is always right.
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(FieldProblem, _field_problem)  # type: ignore[arg-type]
    app.add_exception_handler(FieldProblems, _field_problems)  # type: ignore[arg-type]
    app.add_exception_handler(Conflict, _conflict)  # type: ignore[arg-type]
    app.include_router(me.router)
    app.include_router(publishing.router)
    app.include_router(jobs.router)
    app.include_router(lifecycle.router)
    app.include_router(events.router)
    app.include_router(failures.router)
    app.include_router(status_failures.router)
    app.include_router(applications.router)
    app.include_router(platform_fields.router)  # before platforms: its /{platform}/ would take "fields"
    app.include_router(platforms.router)
    app.include_router(notifications.router)
    app.include_router(privacy.router)
    app.include_router(source_tracking.router)
    app.include_router(webhooks.router)
    app.include_router(feeds.router)
    app.include_router(health.router)
    app.include_router(metrics.router)
    mount_console(app)
    mount_components(app)
    mount_admin(app, settings)
    return app


async def _http_error(request: Request, error: StarletteHTTPException) -> Response:
    """FastAPI's answer (`{"detail": ...}`, the exception's headers), except that a 405's `Allow`
    names every method of the path: Starlette names only those of the route it matched, and each
    method of a path is a route of its own here. The methods are the OpenAPI document's, so the
    header and the document cannot disagree."""
    if error.status_code == 405:
        error.headers = {**(error.headers or {}), "Allow": _allowed_methods(request, error.headers or {})}
    return await http_exception_handler(request, error)


def _allowed_methods(request: Request, given: Mapping[str, str]) -> str:
    template = getattr(request.scope.get("route"), "path_format", None)
    operations = request.app.openapi()["paths"].get(template)
    if not operations:  # a route outside the document (the console, the admin site): Starlette's answer
        return given.get("Allow", "")
    methods = {method.upper() for method in operations}
    return ", ".join(sorted(methods | ({"HEAD"} if "GET" in methods else set())))


def _field_errors(problems: Iterable[tuple[Sequence[str | int], str, str]]) -> JSONResponse:
    detail = [FieldErrorOut(loc=list(loc), msg=msg, type=kind) for loc, msg, kind in problems]
    return JSONResponse(ValidationErrorOut(detail=detail).model_dump(), status_code=422)


async def _validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
    # FastAPI's default echoes the offending input back; that input may hold a secret.
    return _field_errors((e["loc"], e["msg"], e["type"]) for e in error.errors())


async def _field_problem(_request: Request, problem: FieldProblem) -> JSONResponse:
    return _field_errors([(problem.loc, problem.message, problem.kind)])


async def _field_problems(_request: Request, problems: FieldProblems) -> JSONResponse:
    return _field_errors((p.loc, p.message, p.kind) for p in problems.problems)


async def _conflict(_request: Request, conflict: Conflict) -> JSONResponse:
    """A request that does not fit the job's state; one that could act nowhere says why per platform."""
    if isinstance(conflict, NothingToDo):
        body = ConflictOut(detail=str(conflict), skipped=conflict.skipped).model_dump()
    else:
        body = ErrorOut(detail=str(conflict)).model_dump()
    return JSONResponse(body, status_code=409)
