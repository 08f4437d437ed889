"""Knowing, without asking Redis at each request, that no 429 blocks a schedule (quota.py).

A platform with no pace configured still honours every Retry-After, its own process's and every
other's, so each request used to ask Redis whether a block was set: a round trip per request,
a seventh of a publish's CPU. Instead each process subscribes to one channel on which every
block is announced (quota.py's back-off script sets the block and publishes its schedule's key in
the same script, so no block goes unannounced), and a request skips the round trip for a
schedule this process has seen unblocked in Redis since its subscription was confirmed, with no
announcement for it since. The announcements already delivered are read (a non-blocking read,
like the pool's check in shared/db.py) before each answer, so a block set elsewhere is honoured
as soon as its announcement reaches this host: as soon as a GET would have seen it.

Until the subscription is confirmed, after any error on it and after any reconnection (an
announcement may have been missed meanwhile), no schedule is known to be clear: every request
asks Redis, as before, until a check made under the renewed subscription finds it clear.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
from collections import Counter
from typing import Any

import redis
import structlog

log = structlog.get_logger(__name__)

# After a failed subscription, requests ask Redis (which they reach or not) for this long before
# the next try: a Redis that is down must not cost each request a second failed connection too.
RESUBSCRIBE_AFTER_SECONDS = 1.0


class BlockWatch:
    """This process's knowledge of which schedules no block holds; thread-safe.

    A check against Redis is bracketed: `check_token(key)` before it, `found_clear(key, token)`
    when it found no block; the schedule counts as clear only if nothing was announced for it,
    and the subscription was not renewed, in between.
    """

    def __init__(self, client: redis.Redis, channel: str):
        self._client = client
        self.channel = channel
        self._lock = threading.Lock()
        self._pubsub: Any = None  # redis' PubSub, made at the first use (its types are loose)
        self._next_try = 0.0
        self._live = False  # subscription confirmed, and nothing went wrong since
        self._generation = 0  # bumped whenever the subscription starts over
        self._announced: Counter[str] = Counter()  # announcements seen per schedule key
        self._clear: set[str] = set()
        self._socket: socket.socket | None = None  # the subscription's, while there is one

    def known_clear(self, key: str) -> bool:
        """True if `key`'s schedule is known to be unblocked right now (no need to ask Redis)."""
        # Whatever is read off the socket is applied under the lock, in the same hold; so when
        # nothing waits on the socket, the lock alone gives an answer as fresh as a read would.
        # The socket is looked at outside the lock: a thread that gives up the GIL for a
        # system call while holding the lock makes every other thread queue behind it.
        subscription = self._socket
        if subscription is None or _has_input(subscription):
            with self._lock:
                self._read_announcements()
                return self._live and key in self._clear
        with self._lock:
            return self._live and key in self._clear

    def check_token(self, key: str) -> tuple[int, int] | None:
        """Taken before a check against Redis; None while no subscription is live."""
        with self._lock:
            return (self._generation, self._announced[key]) if self._live else None

    def found_clear(self, key: str, token: tuple[int, int] | None) -> None:
        """A check begun at `token` found no block on `key`'s schedule."""
        with self._lock:
            if token is not None and self._live and token == (self._generation, self._announced[key]):
                self._clear.add(key)

    def blocked(self, key: str) -> None:
        """This process set a block on `key`'s schedule: forget it was clear before the announcement arrives."""
        with self._lock:
            self._forget(key)

    def _forget(self, key: str) -> None:
        self._announced[key] += 1
        self._clear.discard(key)

    def _start_over(self, live: bool) -> None:
        self._generation += 1
        self._clear.clear()
        self._live = live

    def _read_announcements(self) -> None:
        """Read what has arrived on the subscription, without waiting; subscribe first if needed."""
        if self._pubsub is None and time.monotonic() < self._next_try:
            return
        try:
            if self._pubsub is None:
                self._subscribe()
            while (message := self._pubsub.get_message(timeout=0)) is not None:
                if message["type"] == "message":
                    self._forget(message["data"].decode())
                elif message["type"] == "subscribe":
                    self._start_over(live=True)
        except (redis.RedisError, OSError) as error:
            self._start_over(live=False)
            self._drop_subscription()
            log.warning("platform_quota.blocks_unwatched", error=type(error).__name__)

    def _subscribe(self) -> None:
        self._next_try = time.monotonic() + RESUBSCRIBE_AFTER_SECONDS
        pubsub = self._client.pubsub()  # type: ignore[no-untyped-call]  # redis leaves it unannotated
        try:
            pubsub.subscribe(self.channel)
        except BaseException:
            pubsub.close()
            raise
        # Any reconnection (redis' PubSub makes them itself) may have missed announcements:
        # nothing is clear until the renewed subscription is confirmed.
        pubsub.connection.register_connect_callback(self._reconnected)
        self._pubsub = pubsub
        # redis names no public way to the socket; without one (a redis-py that renamed it) every
        # look takes the lock and reads the subscription, which is slower but as correct.
        self._socket = getattr(pubsub.connection, "_sock", None)

    def _reconnected(self, connection: Any) -> None:
        self._start_over(live=False)  # called inside a read, so under the lock
        self._socket = getattr(connection, "_sock", None)

    def _drop_subscription(self) -> None:
        if self._pubsub is not None:
            with contextlib.suppress(redis.RedisError, OSError):
                self._pubsub.close()
            self._pubsub = None
            self._socket = None


def _has_input(subscription: socket.socket) -> bool:
    """Bytes (an announcement, a confirmation, a hang-up) wait on the socket; no waiting."""
    try:
        return bool(select.select([subscription], [], [], 0)[0])
    except (OSError, ValueError):  # closed under us: the read under the lock finds out how
        return True
