"""What both platform emulators share: the state every emulator keeps (registered clients, fault
switches, a request quota and answer latency, request counts, the postings it holds), the way a
fault turns into an answer (including a connection cut mid-response), and the control API under
`/_emulator/` that tests and benchmarks in other processes use.

Every public method of `EmulatorState` takes its lock: tests call them from their own threads
while uvicorn serves requests on another.
"""

from __future__ import annotations

import asyncio
import copy
import hmac
import html
import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from services.emulators.quota import RequestQuota

# The operations a request fault can aim at with "on"; without "on" it aims at creates.
CREATE = "create"
LOOKUP = "lookup"
APPLICATIONS = "applications"  # the application pulls
ALL = "all"
FAULT_TARGETS = (CREATE, LOOKUP, APPLICATIONS, ALL)
# Only these may hit other requests than creates, and only when their dict says "on";
# a rejection, a late answer or a lost response only makes sense for a request that creates something.
FAULTS_ANYWHERE = frozenset({"slow", "drop_connection", "rate_limit", "server_error"})
FAULT_KINDS = FAULTS_ANYWHERE | {"reject", "slow_answer", "lose_response"}


class ErrorAnswer(Exception):
    """Raised anywhere in a route to answer with this status, JSON body and headers."""

    def __init__(self, status: int, body: dict, headers: dict[str, str] | None = None):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


class ConnectionDropRequested(Exception):
    """Raised by a route to answer with a dropped connection (see DroppedConnection)."""


class DeliberateDisconnect(Exception):
    """Raised after the response has started, so uvicorn closes the connection mid-answer."""


class DroppedConnection(Response):
    """An answer that never completes: the headers promise a body, then the connection is cut.

    ASGI offers no way to close a connection without answering, and raising before the answer
    starts makes uvicorn send a 500. Raising after `http.response.start` makes it close the
    transport instead, so the client sees a transport error (httpx.RemoteProtocolError or
    httpx.ReadError, depending on what it had read), never a status code.
    """

    def __init__(self) -> None:
        super().__init__(status_code=200)

    async def __call__(self, scope, receive, send) -> None:
        headers = [(b"content-type", b"application/json"), (b"content-length", b"512")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        raise DeliberateDisconnect("connection dropped by an emulator fault")


class EmulatorState:
    """Clients, faults, request counts and postings of one emulator (subclassed per platform)."""

    external_id_field: str = "external_id"  # the posting field `postings_for` matches on
    fault_kinds: frozenset[str] = FAULT_KINDS

    def __init__(self) -> None:
        # Re-entrant so a subclass method holding the lock may call the public ones.
        self._lock = threading.RLock()
        # A dict per client as an ordered set: webhooks are signed with the first secret registered.
        self._secrets: dict[str, dict[str, None]] = {}
        self._faults: dict[str, dict] = {}
        self._requests: Counter[str] = Counter()
        self._postings: list[dict] = []
        self._quota: RequestQuota | None = None
        self._latency_seconds = 0.0

    def set_quota(self, requests_per_second: float, burst: float | None = None) -> None:
        """Enforce a request quota per client from now on (see quota.py); counts start at zero."""
        with self._lock:
            self._quota = RequestQuota(requests_per_second, burst)

    def clear_quota(self) -> None:
        with self._lock:
            self._quota = None

    def set_latency(self, seconds: float) -> None:
        """Every admitted platform request takes this long to answer (a real platform is not on loopback)."""
        if seconds < 0:
            raise ValueError("latency must not be negative")
        with self._lock:
            self._latency_seconds = float(seconds)

    def admit(self, client_id: str) -> tuple[int | None, float]:
        """Count a request against the quota: (its Retry-After if refused, else None; the latency to add)."""
        with self._lock:
            refused = self._quota.admit(client_id, time.monotonic()) if self._quota else None
            return refused, self._latency_seconds

    def register_client(self, client_id: str, secret: str) -> None:
        """Add an active secret for the client; the platforms allow two at once for rotation."""
        with self._lock:
            self._secrets.setdefault(client_id, {})[secret] = None

    def first_secret(self, client_id: str) -> str | None:
        """The client's first registered secret, the one the platform signs with."""
        with self._lock:
            return next(iter(self._secrets.get(client_id, {})), None)

    def client_is_valid(self, client_id: str, secret: str) -> bool:
        with self._lock:
            known = list(self._secrets.get(client_id, {}))
        return any(hmac.compare_digest(secret.encode(), candidate.encode()) for candidate in known)

    def set_faults(self, faults: dict) -> None:
        """Replace the current faults. Raises ValueError for an unknown kind (a typo in a test)."""
        unknown = set(faults) - self.fault_kinds
        if unknown:
            raise ValueError(f"unknown fault(s): {', '.join(sorted(unknown))}")
        if not all(isinstance(spec, dict) for spec in faults.values()):
            raise ValueError('each fault takes a dict, e.g. {"times": 1}')
        if any(spec.get("on", ALL) not in FAULT_TARGETS for spec in faults.values()):
            raise ValueError(f'"on" takes one of: {", ".join(FAULT_TARGETS)}')
        with self._lock:
            self._faults = copy.deepcopy(faults)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults = {}

    def current_faults(self) -> dict:
        with self._lock:
            return copy.deepcopy(self._faults)

    def take_fault(self, kind: str, operation: str, client_id: str | None = None) -> dict | None:
        """The fault of this kind that applies to this request, counting one use off it.

        A fault with `"after": n` first lets n requests it aims at through untouched; one with
        `"client": id` strikes only that client's requests (one customer's account misbehaves).
        """
        with self._lock:
            fault = self._faults.get(kind)
            if fault is None or not _aims_at(kind, fault, operation):
                return None
            if fault.get("client") not in (None, client_id):
                return None
            if int(fault.get("after", 0)) > 0:
                fault["after"] = int(fault["after"]) - 1
                return None
            times = int(fault.get("times", 1))
            if times <= 1:
                del self._faults[kind]
            else:
                fault["times"] = times - 1
            return dict(fault)

    def count_request(self, route: str) -> None:
        with self._lock:
            self._requests[route] += 1

    def _hold(self, posting: dict) -> None:
        """Keep a new posting; the caller already holds the lock."""
        self._postings.append(posting)

    def postings_for(self, external_id: str, client_id: str | None = None) -> list[dict]:
        """Every posting held under this external id (copies): across all clients, or one client's.

        Tests that share one emulator between databases reuse external ids ("jobpub-job-1");
        passing the tenant's client id keeps their counts apart.
        """
        with self._lock:
            field = self.external_id_field
            return [
                copy.deepcopy(p)
                for p in self._postings
                if p.get(field) == external_id and client_id in (None, p.get("owner_client_id"))
            ]

    def posting_count(self) -> int:
        with self._lock:
            return len(self._postings)

    def all_postings(self) -> list[dict]:
        with self._lock:
            return copy.deepcopy(self._postings)

    def stats(self) -> dict:
        with self._lock:
            quota = self._quota.counts() if self._quota else None
            return {
                "postings": len(self._postings),
                "requests": dict(self._requests),
                "quota": quota,
                "latency_seconds": self._latency_seconds,
            }


def _aims_at(kind: str, fault: dict, operation: str) -> bool:
    if kind not in FAULTS_ANYWHERE:
        return True  # not a request fault: only the one place that acts on it ever takes it
    return fault.get("on", CREATE) in (ALL, operation)


async def apply_request_faults(
    state: EmulatorState,
    operation: str,
    *,
    rate_limited: Callable[[Any], ErrorAnswer],
    server_error: Callable[[int], ErrorAnswer],
    client_id: str | None = None,
) -> None:
    """Act on the faults that strike before a request does anything; raise the answer to give.

    `rate_limited(retry_after)` and `server_error(status)` build each platform's own bodies;
    `client_id` is the caller, for faults aimed at one client.
    """
    slow = state.take_fault("slow", operation, client_id)
    if slow:
        await asyncio.sleep(float(slow.get("seconds", 1.0)))
    if state.take_fault("drop_connection", operation, client_id):
        raise ConnectionDropRequested()
    limit = state.take_fault("rate_limit", operation, client_id)
    if limit:
        raise rate_limited(limit.get("retry_after", 1))
    failure = state.take_fault("server_error", operation, client_id)
    if failure:
        raise server_error(int(failure.get("status", 500)))


async def answer_late(state: EmulatorState, client_id: str | None = None) -> None:
    """The `slow_answer` fault: the posting is stored, the answer waits (a caller that dies
    meanwhile leaves a posting it never heard of)."""
    late = state.take_fault("slow_answer", CREATE, client_id)
    if late:
        await asyncio.sleep(float(late.get("seconds", 1.0)))


async def admit_request(state: EmulatorState, client_id: str, rate_limited: Callable[[Any], ErrorAnswer]) -> None:
    """Hold the request to the client's quota (a 429 straight away), then answer after the latency."""
    retry_after, latency = state.admit(client_id)
    if retry_after is not None:
        raise rate_limited(retry_after)
    if latency:
        await asyncio.sleep(latency)


def retry_after_text(seconds: Any) -> str:
    """Retry-After takes whole seconds; round a fraction up so the client never waits too little."""
    value = float(seconds)
    return str(int(value) if value.is_integer() else int(value) + 1)


def install_answers(app: FastAPI) -> None:
    """Turn ErrorAnswer and ConnectionDropRequested raised in routes into their responses."""

    async def error_answer(_request: Request, error: ErrorAnswer) -> Response:
        return JSONResponse(error.body, status_code=error.status, headers=error.headers)

    async def dropped(_request: Request, _error: ConnectionDropRequested) -> Response:
        return DroppedConnection()

    app.add_exception_handler(ErrorAnswer, error_answer)
    app.add_exception_handler(ConnectionDropRequested, dropped)


async def count_request(request: Request) -> None:
    """Router dependency: count each platform request under its method and route template."""
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    request.app.state.emulator.count_request(f"{request.method} {path}")


async def read_json(request: Request) -> Any:
    """The JSON body, or ValueError if it is not JSON."""
    body = await request.body()
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError("the body is not valid JSON") from error


def base_url(request: Request) -> str:
    """The address this server was reached at, so posting URLs are right under any port."""
    return str(request.base_url).rstrip("/")


def listing_page(title: str, note: str) -> HTMLResponse:
    """The public page of a posting: just enough HTML to show it exists."""
    safe_title, safe_note = html.escape(title), html.escape(note)
    page = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{safe_title}</title></head>"
        f"<body><h1>{safe_title}</h1><p>{safe_note}</p></body></html>"
    )
    return HTMLResponse(page)


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
