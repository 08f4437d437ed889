"""A platform's request quota as an emulator enforces it, per client (LinkedIn meters per app;
our Naukri API per client id), and the answer latency that comes with each admitted request.

A token bucket: `requests_per_second` tokens a second, holding at most `burst` (by default one
second's worth). A request finding the bucket empty is refused with a 429 and a whole-second
Retry-After, and the client is then blocked until that time: a platform that said "retry after
1 s" keeps refusing until then. A request arriving during a block, more than
`IN_FLIGHT_GRACE_SECONDS` after the 429 was given, is counted as having ignored the
Retry-After; those already on their way when the 429 was given cannot have known.

`RequestQuota` is not thread-safe on its own: EmulatorState calls it under its lock.
`admit_request` is the route's side: a 429 straight away, or the latency before the answer.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from services.emulators.http_edge import ErrorAnswer

if TYPE_CHECKING:
    from services.emulators.base import EmulatorState

IN_FLIGHT_GRACE_SECONDS = 0.25


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass(frozen=True)
class _Block:
    given_at: float
    until: float


class RequestQuota:
    def __init__(self, requests_per_second: float, burst: float | None = None):
        if requests_per_second <= 0:
            raise ValueError("requests_per_second must be more than 0")
        if burst is not None and burst < 1:
            raise ValueError("burst must be at least 1")
        self.requests_per_second = float(requests_per_second)
        self.burst = float(burst if burst is not None else max(requests_per_second, 1.0))
        self._buckets: dict[str, _Bucket] = {}
        self._blocks: dict[str, _Block] = {}
        self.accepted = 0
        self.refused = 0
        self.ignored_retry_after = 0

    def admit(self, client_id: str, now: float) -> int | None:
        """Count one request at `now` (monotonic seconds); None if admitted, else its Retry-After."""
        block = self._blocks.get(client_id)
        if block is not None and now < block.until:
            self.refused += 1
            if now - block.given_at > IN_FLIGHT_GRACE_SECONDS:
                self.ignored_retry_after += 1
            return max(math.ceil(block.until - now), 1)
        bucket = self._refilled(client_id, now)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            self.accepted += 1
            return None
        self.refused += 1
        retry_after = max(math.ceil((1 - bucket.tokens) / self.requests_per_second), 1)
        self._blocks[client_id] = _Block(given_at=now, until=now + retry_after)
        return retry_after

    def counts(self) -> dict:
        return {
            "requests_per_second": self.requests_per_second,
            "burst": self.burst,
            "accepted": self.accepted,
            "refused": self.refused,
            "ignored_retry_after": self.ignored_retry_after,
        }

    def _refilled(self, client_id: str, now: float) -> _Bucket:
        bucket = self._buckets.get(client_id)
        if bucket is None:
            bucket = self._buckets[client_id] = _Bucket(tokens=self.burst, updated=now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.requests_per_second)
        bucket.updated = now
        return bucket


async def admit_request(state: EmulatorState, client_id: str, rate_limited: Callable[[Any], ErrorAnswer]) -> None:
    """Hold the request to the client's quota (a 429 straight away), then answer after the latency."""
    retry_after, latency = state.admit(client_id)
    if retry_after is not None:
        raise rate_limited(retry_after)
    if latency:
        await asyncio.sleep(latency)
