"""ASGI middleware: a correlation id for every request, a cap on request body size, and request metrics."""

from __future__ import annotations

import json
import re
import time
import uuid

import structlog
from starlette.routing import Match

from shared import metrics

REQUEST_ID_HEADER = b"x-request-id"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class CorrelationIdMiddleware:
    """Takes the caller's X-Request-ID (if sane) or makes one, binds it to every log line,
    stores it on the request for the outbox, and echoes it in the response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        given = dict(scope["headers"]).get(REQUEST_ID_HEADER, b"").decode("latin-1")
        correlation_id = given if _SAFE_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["correlation_id"] = correlation_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(correlation_id=correlation_id)

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((REQUEST_ID_HEADER, correlation_id.encode()))
            await send(message)

        await self.app(scope, receive, send_with_id)


class _BodyTooLarge(Exception):
    pass


class BodySizeLimitMiddleware:
    """413 for a body over the limit, whether it declares its length or streams it in chunks."""

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            return await self._refuse(send)
        received = 0
        exceeded = started = replaced = False

        async def counting_receive():
            nonlocal received, exceeded
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                exceeded = True
                raise _BodyTooLarge
            return message

        async def replacing_send(message):
            # FastAPI catches what `receive` raises while it parses a body and answers 400 itself,
            # so an answer begun after the body went over the limit is replaced by the 413.
            nonlocal started, replaced
            if message["type"] == "http.response.start":
                started, replaced = True, exceeded
                if replaced:
                    return await self._refuse(send)
            if not replaced:
                await send(message)

        try:
            await self.app(scope, counting_receive, replacing_send)
        except _BodyTooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send):
        body = json.dumps({"detail": f"request body is larger than the limit of {self.max_bytes} bytes"}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


# The methods HTTP defines; any other is a made-up token a client chose, and as a label each
# would be a new series kept for the process's life, so they are all counted as one.
STANDARD_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"})
OTHER_METHOD = "other"


class RequestMetricsMiddleware:
    """Counts and times every request by method, route template (`/jobs/publishing/{job_id}/status/`,
    never the raw path, which holds ids) and status. Outermost, so a 413 is counted too.

    Every label is drawn from a fixed set (a made-up method is `other`), so no client can grow
    /metrics by choosing what it sends.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = 500  # what the client gets if the app raises before it answers

        async def recording_send(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            method = scope["method"] if scope["method"] in STANDARD_METHODS else OTHER_METHOD
            labels = (method, _route_template(scope), str(status))
            metrics.HTTP_REQUESTS.labels(*labels).inc()
            metrics.HTTP_DURATION.labels(*labels).observe(time.perf_counter() - started)


def _route_template(scope) -> str:
    """The route the router chose; for a request answered before routing (a 413), the route it would have."""
    route = scope.get("route")
    if route is None:
        route = next((r for r in scope["app"].router.routes if r.matches(scope)[0] != Match.NONE), None)
    # path_format: the template as documented, without a convertor (`{job_id}`, not `{job_id:int}`).
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return template if isinstance(template, str) else metrics.UNMATCHED_ROUTE
