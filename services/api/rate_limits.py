"""Per-organization request rate limits: one tenant's flood gets 429s, and the others are not slowed.

Counted in Redis when a broker is configured, so every API process shares one count; in memory
on the embedded default. When Redis cannot be reached the request goes through: the API keeps
accepting work while Redis is down (the outbox holds it), and a limit we cannot count is no
reason to refuse it.
"""

from __future__ import annotations

import math
import time

import structlog
from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

from shared.config import Settings

log = structlog.get_logger(__name__)

# Redis must answer quickly or not at all: a slow limit check would slow every request.
REDIS_TIMEOUT_SECONDS = 0.25


class OrganizationRateLimit:
    def __init__(self, settings: Settings):
        self._items: list[RateLimitItem] = parse_many(settings.rate_limit) if settings.rate_limit else []
        storage: Storage
        if settings.broker_url:
            storage = RedisStorage(
                settings.broker_url,
                key_prefix=f"{settings.broker_namespace}:ratelimit",
                wrap_exceptions=True,
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                socket_timeout=REDIS_TIMEOUT_SECONDS,
            )
        else:
            storage = MemoryStorage()
        self._limiter = MovingWindowRateLimiter(storage)

    def wait_before_next(self, organization_id: int) -> int | None:
        """Count one request; None if it may go on, else whole seconds until the next one may."""
        key = str(organization_id)
        try:
            for item in self._items:
                if not self._limiter.hit(item, "organization", key):
                    reset_at = self._limiter.get_window_stats(item, "organization", key).reset_time
                    return max(math.ceil(reset_at - time.time()), 1)
        except StorageError as error:
            log.warning("rate_limit.unavailable", error=type(error.storage_error).__name__)
        return None
