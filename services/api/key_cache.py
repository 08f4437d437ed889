"""API keys this process checked recently, so most requests authenticate without the database.

An entry is trusted only while the revocation mark (shared/key_revocations.py), read afresh with
every request's rate-limit count, is the one that was current before the key was read from the
database; a revocation anywhere replaces the mark, and every process drops its entries on its next
request. Without a fresh mark (no Redis, or Redis unreachable) nothing is trusted or kept.
Entries are keyed by the key's SHA-256, never the key, and a key the database refused is never
kept, so a cache can only ever skip a look-up, never let a refused key in.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass

from shared.key_revocations import KEY_CACHE_SECONDS
from shared.models import ApiKey, KeyScope

# Organizations hold a handful of keys each; past this many, start again rather than grow.
MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class CheckedKey:
    """What the routes need of the calling key (its secret hash stays in the database)."""

    id: int
    organization_id: int
    key_id: str
    label: str
    scope: KeyScope

    @classmethod
    def of(cls, row: ApiKey) -> CheckedKey:
        return cls(row.id, row.organization_id, row.key_id, row.label, KeyScope(row.scope))


@dataclass(frozen=True)
class _Entry:
    key: CheckedKey
    mark: str
    expires_at: float


def digest(presented: str) -> str:
    return hashlib.sha256(presented.encode()).hexdigest()


class KeyCache:
    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()
        self._mark: str | None = None

    @property
    def mark(self) -> str | None:
        """The newest revocation mark this process has seen; read it before a database look-up."""
        return self._mark

    def get(self, presented_digest: str) -> tuple[CheckedKey, str] | None:
        """The key and the mark it was stamped with, if kept and not expired."""
        entry = self._entries.get(presented_digest)
        if entry is None or entry.expires_at < time.monotonic():
            return None
        return entry.key, entry.mark

    def observe(self, mark: str | None) -> None:
        """The mark just read from Redis: a new one (or none) drops every entry."""
        if mark != self._mark or mark is None:
            with self._lock:
                self._mark = mark
                self._entries.clear()

    def keep(self, presented_digest: str, key: CheckedKey, stamped: str | None, current: str | None) -> None:
        """Keep a key read from the database after the mark `stamped` was seen, if that mark is still current."""
        if stamped is None or stamped != current:
            return
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[presented_digest] = _Entry(key, stamped, time.monotonic() + KEY_CACHE_SECONDS)
