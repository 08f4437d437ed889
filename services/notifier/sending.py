"""Posting one signed notification to a tenant's endpoint, bounded in time and in what is read.

httpx's timeouts bound each read, not the exchange: a receiver that drips one byte a second
would hold a worker for as long as it liked. So the whole exchange (connect, send, the answer's
status line and headers) runs under one deadline, JOBPUB_NOTIFY_DEADLINE_SECONDS, enforced by
cancelling it (asyncio), which is the only overall timeout httpx has. Only the answer's status
is used: its body is never read, so a receiver answering gigabytes costs nothing; the connection
is closed instead of drained. No proxies from the environment and no redirects: the URL guard
must see every address we reach, and we connect to the very address it checked.
"""

from __future__ import annotations

import asyncio
import ssl
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit, urlunsplit

import httpx

from shared.config import Settings
from shared.url_guard import CheckedTarget


class WebhookSender:
    """Sends one POST at a time per calling thread; safe to share between a worker's threads."""

    def __init__(self, settings: Settings):
        self._timeout = httpx.Timeout(settings.http_timeout_seconds)
        self._deadline = settings.notify_deadline_seconds
        # Built once: loading the CA bundle costs milliseconds, and a context is safe to share.
        self._tls: ssl.SSLContext = httpx.create_ssl_context()

    def post(self, target: CheckedTarget, body: bytes, headers: dict) -> tuple[str | None, int | None]:
        """None and the status on a 2xx answer; otherwise what went wrong, and the status if there was one."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # the usual case: a worker thread with no event loop of its own
            return asyncio.run(self._post_within_deadline(target, body, headers))
        # The calling thread already runs an event loop (an async caller; a test that drives a
        # browser), where asyncio.run refuses to start another: the exchange gets a thread of its own.
        with ThreadPoolExecutor(max_workers=1) as own_thread:
            return own_thread.submit(asyncio.run, self._post_within_deadline(target, body, headers)).result()

    async def _post_within_deadline(self, target: CheckedTarget, body: bytes, headers: dict):
        try:
            async with asyncio.timeout(self._deadline):
                status, redirect = await self._post(target, body, headers)
        except TimeoutError:
            return f"no complete answer within the {self._deadline:g} s deadline", None
        except httpx.HTTPError as error:
            return f"no answer: {type(error).__name__}", None
        if 200 <= status < 300:
            return None, status
        if redirect:
            return f"answered {status}: redirects are not followed", status
        return f"answered {status}", status

    async def _post(self, target: CheckedTarget, body: bytes, headers: dict) -> tuple[int, bool]:
        url, host_header = _address_url(target)
        async with httpx.AsyncClient(
            timeout=self._timeout, follow_redirects=False, trust_env=False, verify=self._tls
        ) as http:
            request = http.build_request(
                "POST",
                url,
                content=body,
                headers={**headers, "host": host_header},
                extensions={"sni_hostname": target.host},
            )
            response = await http.send(request, stream=True)
            await response.aclose()  # unread: the body is never wanted, whatever its size
            return response.status_code, response.is_redirect


def _address_url(target: CheckedTarget) -> tuple[str, str]:
    """The URL with the checked address in place of the host (no second lookup), and the Host header."""
    parts = urlsplit(target.url)
    address = f"[{target.address}]" if ":" in target.address else target.address
    url = urlunsplit((parts.scheme, f"{address}:{target.port}", parts.path or "/", parts.query, ""))
    return url, target.host if parts.port is None else f"{target.host}:{parts.port}"
