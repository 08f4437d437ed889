"""LinkedIn's Apply Connect push, as the emulator does it: each application POSTed to the
posting's `jobApplicationWebhookUrl` from background threads, signed with
`X-LI-Signature: hmacsha256=<hex HMAC-SHA256 of the body, keyed with the client secret>`, a
non-200 answer retried, every attempt recorded; and the challenge LinkedIn sends to validate a
webhook URL.

Deliveries go only to the http(s) URL the posting names, never through a proxy (`trust_env=False`)
and never after a redirect: an emulator must not send data anywhere else.
"""

from __future__ import annotations

import hashlib
import hmac
import queue
import threading
import time
import uuid
from dataclasses import dataclass
from typing import TypeGuard
from urllib.parse import urlsplit

import httpx

MAX_RETRIES = 6  # after the first attempt, as LinkedIn does
DEFAULT_RETRY_DELAY_SECONDS = 0.2
# Enough to deliver duplicates concurrently (as LinkedIn may), few enough to stay a test tool.
WORKER_THREADS = 4
TIMEOUT_SECONDS = 5.0


def signature(body: bytes, secret: str) -> str:
    """The X-LI-Signature header value for this body."""
    return "hmacsha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def challenge_response(challenge_code: str, secret: str) -> str:
    """What a webhook must answer to LinkedIn's validation challenge: hex HMAC-SHA256 keyed with the secret."""
    return hmac.new(secret.encode(), challenge_code.encode(), hashlib.sha256).hexdigest()


def is_deliverable(url: object) -> TypeGuard[str]:
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def send_challenge(url: str, client_id: str) -> httpx.Response:
    """Send LinkedIn's validation GET, with a new challenge code, to `url`; returns the answer."""
    if not is_deliverable(url):
        raise ValueError(f"not an http(s) URL: {url!r}")
    code = str(uuid.uuid4())  # LinkedIn's challenge codes are UUIDs, and our webhook answers only those
    with httpx.Client(timeout=TIMEOUT_SECONDS, trust_env=False) as client:
        return client.get(url, params={"challengeCode": code, "clientId": client_id})


@dataclass(frozen=True)
class Delivery:
    """One copy of one application on its way to one URL."""

    url: str
    body: bytes
    signature: str
    application_id: str
    copy: int  # 1 unless a duplicate_deliveries fault asked for several
    retry_delay: float


class WebhookSender:
    """Delivers from a queue on a few daemon threads (started on first use), retrying each
    delivery until a 200 or MAX_RETRIES retries, and records every attempt."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[Delivery] = queue.SimpleQueue()
        self._changed = threading.Condition()  # guards everything below
        self._pending = 0
        self._attempts: list[dict] = []
        self._workers: list[threading.Thread] = []

    def send(self, deliveries: list[Delivery]) -> None:
        with self._changed:
            self._pending += len(deliveries)
            self._start_workers()
        for delivery in deliveries:
            self._queue.put(delivery)

    def wait(self, timeout: float) -> bool:
        """True once nothing is queued or in flight; False if that took longer than `timeout`."""
        with self._changed:
            return self._changed.wait_for(lambda: self._pending == 0, timeout)

    def attempts(self) -> list[dict]:
        with self._changed:
            return [dict(attempt) for attempt in self._attempts]

    def _start_workers(self) -> None:
        while len(self._workers) < WORKER_THREADS:
            worker = threading.Thread(target=self._work, name=f"linkedin-webhooks-{len(self._workers)}", daemon=True)
            worker.start()
            self._workers.append(worker)

    def _work(self) -> None:
        # One client per thread, no proxies from the environment, redirects not followed.
        with httpx.Client(timeout=TIMEOUT_SECONDS, trust_env=False, follow_redirects=False) as client:
            while True:
                delivery = self._queue.get()
                try:
                    self._deliver(client, delivery)
                finally:
                    with self._changed:
                        self._pending -= 1
                        self._changed.notify_all()

    def _deliver(self, client: httpx.Client, delivery: Delivery) -> None:
        for attempt in range(1, MAX_RETRIES + 2):
            status = _post(client, delivery)
            self._record(delivery, attempt, status)
            if status == 200:
                return
            if attempt <= MAX_RETRIES:
                time.sleep(delivery.retry_delay)

    def _record(self, delivery: Delivery, attempt: int, status: int | str) -> None:
        record = {
            "url": delivery.url,
            "application_id": delivery.application_id,
            "copy": delivery.copy,
            "attempt": attempt,
            "status": status,
        }
        with self._changed:
            self._attempts.append(record)


def _post(client: httpx.Client, delivery: Delivery) -> int | str:
    """The receiver's status code, or "error" if no answer came."""
    headers = {"Content-Type": "application/json", "X-LI-Signature": delivery.signature}
    try:
        return client.post(delivery.url, content=delivery.body, headers=headers).status_code
    except Exception:
        return "error"
