"""Failed admin sign-ins are limited, so a password cannot be found by trying many.

Counted twice: per admin user name (a guess at one account, from anywhere) and per client address
(one client guessing many names). Once either has used `admin_sign_in_limit` (default 10 in 15
minutes) the sign-in form answers 429 with `Retry-After`, without checking the password, until the
oldest failure leaves the window; a right password does not clear the count, so a guesser gains
nothing from one success in between. Only failures count: an operator who signs in often is never
held back.

Counted in Redis (the `limits` library's moving window) when a broker is configured, so every API
process shares one count; in memory on the embedded default. When Redis cannot be reached the
count goes on in this process's memory: a guesser is still slowed, and the operators are not locked
out of the admin site during a Redis outage, when they may need it most.
"""

from __future__ import annotations

import math
import time

import redis
import structlog
from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import MemoryStorage, RedisStorage
from limits.strategies import MovingWindowRateLimiter

from shared.config import Settings

log = structlog.get_logger(__name__)

REDIS_TIMEOUT_SECONDS = 0.25  # the sign-in page waits for it: answer quickly or fall back


class SignInThrottle:
    def __init__(self, settings: Settings):
        self._item: RateLimitItem = parse(settings.admin_sign_in_limit)
        self._in_memory = MovingWindowRateLimiter(MemoryStorage())
        self._shared: MovingWindowRateLimiter | None = None
        if settings.broker_url:
            storage = RedisStorage(
                settings.broker_url,
                key_prefix=f"{settings.broker_namespace}:admin-sign-in",
                wrap_exceptions=True,
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                socket_timeout=REDIS_TIMEOUT_SECONDS,
            )
            self._shared = MovingWindowRateLimiter(storage)

    def wait(self, name: str, address: str) -> int | None:
        """Whole seconds before this name or address may try again; None: it may try now."""
        limiter = self._limiter()
        try:
            return self._wait(limiter, name, address)
        except (StorageError, redis.RedisError) as error:
            self._unavailable(error)
            return self._wait(self._in_memory, name, address)

    def failed(self, name: str, address: str) -> None:
        """Count one failed sign-in against the name and the address."""
        limiter = self._limiter()
        try:
            self._count(limiter, name, address)
        except (StorageError, redis.RedisError) as error:
            self._unavailable(error)
            self._count(self._in_memory, name, address)

    def _limiter(self) -> MovingWindowRateLimiter:
        return self._shared or self._in_memory

    def _wait(self, limiter: MovingWindowRateLimiter, name: str, address: str) -> int | None:
        keys = [("name", name.casefold()), ("address", address)]
        refused = [key for key in keys if not limiter.test(self._item, *key)]
        if not refused:
            return None
        reset_at = max(limiter.get_window_stats(self._item, *key).reset_time for key in refused)
        return max(math.ceil(reset_at - time.time()), 1)

    def _count(self, limiter: MovingWindowRateLimiter, name: str, address: str) -> None:
        limiter.hit(self._item, "name", name.casefold())
        limiter.hit(self._item, "address", address)

    @staticmethod
    def _unavailable(error: Exception) -> None:
        log.warning("admin.sign_in_throttle.redis_unavailable", error=type(error).__name__)
