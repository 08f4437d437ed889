"""The state every platform emulator keeps: registered clients, switched-on faults, a request
quota and answer latency, request counts and the postings it holds; subclassed per platform
(applications.py, then each platform's own modules). Also the router dependency that counts each
platform request.

What the faults mean lives in faults.py, the quota's arithmetic in quota.py, how a route reads
and answers in http_edge.py, the `/_emulator/` control API in control.py and the app assembly in
app.py.

Every public method of `EmulatorState` takes its lock: tests call them from their own threads
while uvicorn serves requests on another.
"""

from __future__ import annotations

import copy
import hmac
import threading
import time
from collections import Counter

from fastapi import Request

from services.emulators.faults import FAULT_KINDS, check_faults, take_matching_fault
from services.emulators.quota import RequestQuota


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
        check_faults(faults, self.fault_kinds)
        with self._lock:
            self._faults = copy.deepcopy(faults)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults = {}

    def current_faults(self) -> dict:
        with self._lock:
            return copy.deepcopy(self._faults)

    def take_fault(self, kind: str, operation: str, client_id: str | None = None) -> dict | None:
        """The fault of this kind that applies to this request, counting one use off it
        (the rules: faults.take_matching_fault)."""
        with self._lock:
            return take_matching_fault(self._faults, kind, operation, client_id)

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

    def snapshot(self) -> dict:
        """What outlives a restart, as JSON-ready data (persistence.py): the clients and the postings.
        Faults, quota, latency and counts are switches a test sets, not the platform's state."""
        with self._lock:
            clients = {client_id: list(secrets) for client_id, secrets in self._secrets.items()}
            return {"clients": clients, "postings": copy.deepcopy(self._postings)}

    def restore(self, saved: dict) -> None:
        """Take back what `snapshot` gave; a subclass then rebuilds its indexes of the postings."""
        with self._lock:
            self._secrets = {client_id: dict.fromkeys(secrets) for client_id, secrets in saved["clients"].items()}
            self._postings = copy.deepcopy(saved["postings"])

    def stats(self) -> dict:
        with self._lock:
            quota = self._quota.counts() if self._quota else None
            return {
                "postings": len(self._postings),
                "requests": dict(self._requests),
                "quota": quota,
                "latency_seconds": self._latency_seconds,
            }


async def count_request(request: Request) -> None:
    """Router dependency: count each platform request under its method and route template."""
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    request.app.state.emulator.count_request(f"{request.method} {path}")
