"""The HTTP transport under every adapter's client: a connection pool of each thread's own.

One pool shared by a worker's threads made every request queue on the pool's lock, held while
the pool scans all its connections (httpx issue 3215: under 8 threads a twelfth of a publish's
time was spent waiting there). A worker thread sends one request at a time, so a pool of its own
never waits on another thread and keeps only the few connections that thread uses. Adapters still
hold one `httpx.Client`: its settings (timeout, redirects) are the same for every thread.
"""

from __future__ import annotations

import threading
import weakref

import httpx

# Per thread: a thread holds one connection at a time, to a host or two (an API and its OAuth host).
CONNECTIONS_PER_THREAD = 4


class PerThreadTransport(httpx.BaseTransport):
    """Hands each request to the calling thread's own `httpx.HTTPTransport`, made on its first request."""

    def __init__(self, connections_per_thread: int = CONNECTIONS_PER_THREAD):
        self._limits = httpx.Limits(
            max_connections=connections_per_thread, max_keepalive_connections=connections_per_thread
        )
        # One TLS context for all: building one (loading the CA bundle) costs 24 ms of CPU, which
        # each thread's first request paid, and four processes of eight threads paid in a bench.
        # A context is safe to share between threads.
        self._tls = httpx.create_ssl_context()
        self._local = threading.local()
        # Weak: a thread that ends drops its pool with its thread-local data; `close` reaches the rest.
        self._pools: weakref.WeakSet[httpx.HTTPTransport] = weakref.WeakSet()
        self._pools_lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        pool = getattr(self._local, "pool", None)
        if pool is None:
            pool = self._local.pool = httpx.HTTPTransport(verify=self._tls, limits=self._limits)
            with self._pools_lock:
                self._pools.add(pool)
        return pool.handle_request(request)

    def close(self) -> None:
        with self._pools_lock:
            pools = list(self._pools)
        for pool in pools:
            pool.close()
