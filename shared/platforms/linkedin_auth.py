"""Two-legged OAuth (client credentials): one access token per client app, reused until shortly
before it expires. LinkedIn's by default; Indeed's token endpoint speaks the same grant
(shared/platforms/indeed.py builds one with its own name and path).

Each organization has its own child app, so tokens are cached per client id (and secret, so a
rotated secret gets a token of its own). Many worker threads share the cache; only one of
them fetches a token for a given client at a time.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass

import httpx

from shared.platforms.base import AuthenticationFailed, PermanentPlatformError, PlatformCredentials
from shared.platforms.http import json_or_empty, send
from shared.platforms.quota import PlatformQuota, quota_key

TOKEN_PATH = "/oauth/v2/accessToken"
# Refresh this long before LinkedIn says the token expires (its Java SDK uses 30 s), so a
# token never runs out between our check and LinkedIn's.
REFRESH_MARGIN_SECONDS = 30.0


@dataclass(frozen=True)
class _Token:
    value: str
    refresh_at: float  # time.monotonic()


class TokenCache:
    def __init__(
        self,
        http: httpx.Client,
        oauth_url: str,
        quota: PlatformQuota | None = None,
        *,
        platform: str = "LinkedIn",
        token_path: str = TOKEN_PATH,
    ):
        self._http = http
        self._quota = quota  # token requests count against the app's quota too
        self._platform = platform
        self._url = oauth_url.rstrip("/") + token_path
        self._tokens: dict[tuple[str, str], _Token] = {}
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._guard = threading.Lock()

    def token(self, credentials: PlatformCredentials) -> str:
        key = _cache_key(credentials)
        cached = self._tokens.get(key)
        if cached and cached.refresh_at > time.monotonic():
            return cached.value
        with self._lock_for(key):
            cached = self._tokens.get(key)  # another thread may have fetched it meanwhile
            if cached and cached.refresh_at > time.monotonic():
                return cached.value
            fresh = self._fetch(credentials)
            self._tokens[key] = fresh
            return fresh.value

    def fetch_new(self, credentials: PlatformCredentials) -> None:
        """Fetch a token now, whatever the cache holds (a connection test), and keep it."""
        key = _cache_key(credentials)
        with self._lock_for(key):
            self._tokens[key] = self._fetch(credentials)

    def forget(self, credentials: PlatformCredentials, token: str) -> None:
        """Drop a token the platform refused, unless another thread has replaced it already."""
        key = _cache_key(credentials)
        with self._guard:
            if key in self._tokens and self._tokens[key].value == token:
                del self._tokens[key]

    def _lock_for(self, key: tuple[str, str]) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def _fetch(self, credentials: PlatformCredentials) -> _Token:
        form = {
            "grant_type": "client_credentials",
            "client_id": credentials.client_id,
            "client_secret": credentials.client_secret,
        }
        response = send(
            self._http,
            self._platform,
            "POST",
            self._url,
            quota=self._quota,
            quota_key=quota_key(credentials),
            data=form,
        )
        body = json_or_empty(response)
        if response.status_code in (400, 401):
            reason = body.get("error_description") or body.get("error") or f"HTTP {response.status_code}"
            raise AuthenticationFailed(f"{self._platform} refused the client credentials: {reason}")
        if response.status_code != 200 or "access_token" not in body:
            raise PermanentPlatformError(f"{self._platform}'s token endpoint answered {response.status_code}")
        lifetime = float(body.get("expires_in", 0))
        # A token that lives less than twice the margin is used for half its life instead.
        margin = REFRESH_MARGIN_SECONDS if lifetime > 2 * REFRESH_MARGIN_SECONDS else lifetime / 2
        return _Token(value=body["access_token"], refresh_at=time.monotonic() + lifetime - margin)


def _cache_key(credentials: PlatformCredentials) -> tuple[str, str]:
    return credentials.client_id, hashlib.sha256(credentials.client_secret.encode()).hexdigest()
