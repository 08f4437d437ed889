"""The API-key revocation mark: one Redis value every API process reads with each request's
rate-limit count (services/api/rate_limits.py), so a key revoked anywhere (the CLI, the admin
site, another API process) is refused by every API process on its next request, though each
keeps recently checked keys in memory (services/api/key_cache.py).

Redis key layout: `<broker_namespace>:apikeys:revoked`, a random token replaced on every
revocation. A token, not a counter: a counter reset by a Redis restart could climb back to a
value a stale cache entry was stamped with; a new random token never repeats one.
Without Redis (the embedded default) no API process caches keys, so there is nothing to announce.
"""

from __future__ import annotations

import secrets

import redis
import structlog

from shared.config import Settings

log = structlog.get_logger(__name__)

# How long an API process trusts a key it checked, at most: it bounds a revocation the mark did
# not carry (a direct UPDATE in the database, or Redis unreachable at the revocation and back with
# the old mark).
KEY_CACHE_SECONDS = 30.0
# An announcement either reaches Redis at once or is reported as missed; it must not hang the CLI.
ANNOUNCE_TIMEOUT_SECONDS = 2.0


def revocation_mark_key(settings: Settings) -> str:
    return f"{settings.broker_namespace}:apikeys:revoked"


def announce_revocation(settings: Settings) -> bool:
    """Tell every API process to check its cached keys again; call it once the revocation is
    committed (an API process re-reading the key before the commit would cache it anew).

    Returns False when Redis could not be told: API processes that served no request while Redis
    was unreachable may then accept the key until their cache entries expire
    (KEY_CACHE_SECONDS)."""
    if not settings.broker_url:
        return True
    client = redis.Redis.from_url(
        settings.broker_url,
        socket_connect_timeout=ANNOUNCE_TIMEOUT_SECONDS,
        socket_timeout=ANNOUNCE_TIMEOUT_SECONDS,
    )
    try:
        client.set(revocation_mark_key(settings), secrets.token_hex(8))
        return True
    except redis.RedisError as error:
        log.warning("api_key.revocation_not_announced", error=type(error).__name__)
        return False
    finally:
        client.close()
