"""Pacing our requests to a platform's quota, shared by every worker process on every host.

One schedule per (platform, organization, client id) in Redis, since LinkedIn meters each app (an
organization's client id) and our Naukri API meters each client id. The organization is part of
the key because a client id is whatever a tenant types: keyed by client id alone, a tenant that
configured another's client id would spend that tenant's pace. The cost: two organizations that
truly share one app each pace to the whole quota, and the platform's 429s (which back off only
the organization that met them) hold the sum down. Refusing a client id another organization
has connected was the other way; it was not taken because client ids are not secret (LinkedIn's
show in every OAuth URL), so the first to type one could lock its real owner out. A request reserves the next
free slot of that schedule with one Lua call (a GCRA-style "theoretical arrival time": slots
1/rate apart, never in the past) and sleeps until it, so callers are spread evenly over time
instead of bursting and retrying. Redis's own clock is used, so hosts with skewed clocks still
share one schedule.

A 429 with Retry-After pushes that client's schedule and a "blocked until" mark past the wait:
every thread of every process backs off, including those already holding a slot (they look at
the mark again after their sleep).

Why not the `limits` package the API uses: its strategies answer "allowed or not now" and
offer no reservation, so pacing with them means polling and retrying; and its moving window
lets a whole second's quota through at once, the burst the platform then refuses.

With no pace configured, a request asks Redis only while a block may hold its schedule: each
block is announced on a channel every process listens to (quota_blocks.py), so a request whose
schedule this process knows to be clear goes without a round trip.

When Redis cannot be reached requests are not paced (the platform's 429s, scheduled as retries
in the database, remain the backstop), as the API's own rate limit does.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

import redis
import structlog

from shared.config import Settings
from shared.platforms.base import PlatformCredentials
from shared.platforms.quota_blocks import BlockWatch

log = structlog.get_logger(__name__)

REDIS_TIMEOUT_SECONDS = 0.5
DEFAULT_BACK_OFF_SECONDS = 1.0  # a 429 without Retry-After

# KEYS: the schedule, the block mark. ARGV: seconds between slots (0: no pacing), the longest
# wait a caller takes. Returns the seconds to wait before this caller's slot; a slot further
# away than the longest wait is not taken (an abandoned slot would be a hole in the pace).
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local start = math.max(now, tonumber(redis.call('GET', KEYS[2]) or '0'))
local interval = tonumber(ARGV[1])
if interval > 0 then
  local slot = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), start)
  if slot - now > tonumber(ARGV[2]) then return string.format('%.6f', slot - now) end
  local after = slot + interval
  redis.call('SET', KEYS[1], string.format('%.6f', after), 'PX', math.ceil((after - now) * 1000) + 1000)
  start = slot
end
return string.format('%.6f', start - now)
"""

# KEYS: the schedule, the block mark. ARGV: seconds to back off, the channel announcing blocks,
# the schedule's key as announced (quota_blocks.py). Returns nothing. The announcement is in the
# same script as the mark, so no block is set unannounced.
_BACK_OFF = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local till = math.max(now + tonumber(ARGV[1]), tonumber(redis.call('GET', KEYS[2]) or '0'))
local ttl = math.ceil((till - now) * 1000) + 1000
redis.call('SET', KEYS[2], string.format('%.6f', till), 'PX', ttl)
local slot = tonumber(redis.call('GET', KEYS[1]) or '0')
if slot < till then redis.call('SET', KEYS[1], string.format('%.6f', till), 'PX', ttl) end
redis.call('PUBLISH', ARGV[2], ARGV[3])
"""

# KEYS: the block mark. Returns the seconds it still has to run (0 or less: none).
_BLOCKED_FOR = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
return string.format('%.6f', tonumber(redis.call('GET', KEYS[1]) or '0') - now)
"""


class QuotaWaitTooLong(Exception):
    """The next slot is further away than a caller may wait; `seconds` says how far."""

    def __init__(self, seconds: float):
        super().__init__(f"the platform quota's next free slot is {seconds:.1f}s away")
        self.seconds = seconds


class PlatformQuota:
    """One platform's request pace, shared through Redis; `requests_per_second` 0 only honours 429s."""

    def __init__(
        self,
        client: redis.Redis,
        key_prefix: str,
        requests_per_second: float,
        max_wait_seconds: float,
        blocks: BlockWatch,
    ):
        self._redis = client
        self._prefix = key_prefix
        self._blocks = blocks
        self._interval = 1.0 / requests_per_second if requests_per_second > 0 else 0.0
        self._max_wait = max_wait_seconds
        self._reserve = client.register_script(_RESERVE)
        self._back_off = client.register_script(_BACK_OFF)
        self._blocked_for = client.register_script(_BLOCKED_FOR)

    def wait_turn(self, key: str) -> None:
        """Sleep until this request may go; QuotaWaitTooLong if that is more than the caller may hold on."""
        keys = self._keys(key)
        unpaced = self._interval == 0
        if unpaced and self._blocks.known_clear(keys[0]):
            return  # no pace to keep, and no block announced since Redis last said none holds
        try:
            token = self._blocks.check_token(keys[0]) if unpaced else None
            wait = float(self._reserve(keys=keys, args=[self._interval, self._max_wait]))
            if unpaced and wait <= 0:
                self._blocks.found_clear(keys[0], token)
            while wait > 0:
                if wait > self._max_wait:
                    raise QuotaWaitTooLong(wait)
                time.sleep(wait)
                # A 429 seen by anyone while we slept moves the whole group back.
                wait = float(self._blocked_for(keys=keys[1:]))
                if wait > 0:
                    wait = float(self._reserve(keys=keys, args=[self._interval, self._max_wait]))
        except redis.RedisError as error:
            log.warning("platform_quota.unavailable", error=type(error).__name__)

    def back_off(self, key: str, seconds: float | None) -> None:
        """The platform refused us (429): nobody sends on this schedule until `seconds` have passed."""
        keys = self._keys(key)
        self._blocks.blocked(keys[0])
        try:
            self._back_off(keys=keys, args=[seconds or DEFAULT_BACK_OFF_SECONDS, self._blocks.channel, keys[0]])
        except redis.RedisError as error:
            log.warning("platform_quota.unavailable", error=type(error).__name__)

    def _keys(self, key: str) -> list[str]:
        base = f"{self._prefix}:{key}"
        return [f"{base}:next-slot", f"{base}:blocked-until"]


def quota_key(credentials: PlatformCredentials) -> str:
    """Whose schedule a request is paced on: the organization's own, for the client id it configured."""
    return f"organization:{credentials.organization_id}:client:{credentials.client_id}"


def build_quotas(settings: Settings, platforms: Iterable[str]) -> dict[str, PlatformQuota]:
    """A quota for each of `platforms` that has a `<name>_requests_per_second` setting, when Redis
    is configured (the embedded default has no shared place). A platform with no such setting (the
    feed: it sends nothing) gets none."""
    if not settings.broker_url:
        return {}
    client = redis.Redis.from_url(
        settings.broker_url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
    )
    # Past this a thread gives its posting back (a retry in the database) rather than outlive its lease.
    max_wait = settings.lease_seconds / 3
    rates = {name: getattr(settings, f"{name}_requests_per_second", None) for name in platforms}
    blocks = BlockWatch(client, f"{settings.broker_namespace}:platform-quota:blocks")
    return {
        platform: PlatformQuota(
            client, f"{settings.broker_namespace}:platform-quota:{platform}", rate, max_wait, blocks
        )
        for platform, rate in rates.items()
        if rate is not None
    }
