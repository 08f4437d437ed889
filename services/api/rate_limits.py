"""Per-organization request rate limits: one tenant's flood gets 429s, and the others are not slowed.

Counted in Redis when a broker is configured, so every API process shares one count; in memory
on the embedded default. When Redis cannot be reached the request goes through: the API keeps
accepting work while Redis is down (the outbox holds it), and a limit we cannot count is no
reason to refuse it.

In Redis a request costs one call: a Lua script that checks every limit, counts the request in
each only if all of them let it through (a refused request uses none of the quota), and returns
the API-key revocation mark beside the verdict (shared/key_revocations.py), so the key cache is
checked without a call of its own.

Redis key layout: `<broker_namespace>:ratelimit:<organization id>:<amount>/<window ms>`, a list of
the moving window's request times (ms, newest first), at most `amount` long, expiring with the window.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

import redis
import structlog
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from redis.backoff import NoBackoff
from redis.retry import Retry

from shared.config import Settings
from shared.key_revocations import revocation_mark_key

log = structlog.get_logger(__name__)

# Redis must answer quickly or not at all: a slow limit check would slow every request.
REDIS_TIMEOUT_SECONDS = 0.25

# KEYS[1]: the revocation mark; KEYS[2..]: one list per limit. ARGV: amount, window ms, per limit.
# A moving window, as the `limits` library keeps it: a request may go when fewer than `amount`
# requests are newer than the window. Redis's clock, so API processes on several hosts agree.
_COUNT_SCRIPT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local mark = redis.call('GET', KEYS[1]) or ''
local wait = 0
for i = 2, #KEYS do
  local amount, window = tonumber(ARGV[2 * i - 3]), tonumber(ARGV[2 * i - 2])
  local oldest = redis.call('LINDEX', KEYS[i], amount - 1)
  if oldest and tonumber(oldest) > now - window then
    wait = math.max(wait, tonumber(oldest) + window - now)
  end
end
if wait == 0 then
  for i = 2, #KEYS do
    local amount, window = tonumber(ARGV[2 * i - 3]), tonumber(ARGV[2 * i - 2])
    redis.call('LPUSH', KEYS[i], now)
    redis.call('LTRIM', KEYS[i], 0, amount - 1)
    redis.call('PEXPIRE', KEYS[i], window)
  end
end
return {wait, mark}
"""


@dataclass(frozen=True)
class Counted:
    """A request's count: `wait` whole seconds before the next may go (None: this one may), and
    the revocation mark read in the same call (None: not known, no Redis or Redis unreachable)."""

    wait: int | None
    revocation_mark: str | None


class OrganizationRateLimit:
    def __init__(self, settings: Settings):
        self._items: list[RateLimitItem] = parse_many(settings.rate_limit) if settings.rate_limit else []
        self._memory = MovingWindowRateLimiter(MemoryStorage())
        self._memory_lock = threading.Lock()
        self._redis: redis.Redis | None = None
        if settings.broker_url:
            self._redis = redis.Redis.from_url(
                settings.broker_url,
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                socket_timeout=REDIS_TIMEOUT_SECONDS,
                retry=Retry(NoBackoff(), 0),  # a retried call would double the wait on a Redis that is down
            )
            self._script = self._redis.register_script(_COUNT_SCRIPT)
            self._key_prefix = f"{settings.broker_namespace}:ratelimit"
            self._mark_key = revocation_mark_key(settings)

    def count(self, organization_id: int) -> Counted:
        """Count one request of the organization."""
        if self._redis is None:
            return Counted(self._count_in_memory(str(organization_id)), None)
        keys = [self._mark_key]
        limits: list[int] = []
        for item in self._items:
            window_ms = item.get_expiry() * 1000
            keys.append(f"{self._key_prefix}:{organization_id}:{item.amount}/{window_ms}")
            limits += [item.amount, window_ms]
        try:
            wait_ms, mark = self._script(keys=keys, args=limits)
        except redis.RedisError as error:
            log.warning("rate_limit.unavailable", error=type(error).__name__)
            return Counted(None, None)
        return Counted(math.ceil(wait_ms / 1000) if wait_ms else None, mark.decode())

    def _count_in_memory(self, key: str) -> int | None:
        # As the script does: counted in every limit only if none refuses it.
        with self._memory_lock:
            refused = [item for item in self._items if not self._memory.test(item, "organization", key)]
            if not refused:
                for item in self._items:
                    self._memory.hit(item, "organization", key)
                return None
        reset_at = max(self._memory.get_window_stats(item, "organization", key).reset_time for item in refused)
        return max(math.ceil(reset_at - time.time()), 1)
