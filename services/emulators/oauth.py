"""OAuth 2 client credentials, as every emulator of a platform with access tokens serves it
(LinkedIn, Indeed): a client id and secret exchanged for a bearer token that expires, and the
check every other route of that platform starts with.

What differs per platform stays in its own module: the token route's path and answer, the error
a bad bearer token gets, the token lifetime. What is the same lives here: `TokenStore`, the part
of an emulator's state that holds the tokens it issued (tests reach it directly:
`expire_tokens()`, `issued_tokens(client_id)`, or the `expire_tokens` "fault"), `grant_token`,
the form check of the token route (RFC 6749 section 4.4, errors as section 5.2 names them), and
`bearer_holder`, whose token a request carries.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from fastapi import Request

from services.emulators import base
from services.emulators.http_edge import ErrorAnswer
from services.emulators.quota import admit_request

# `expire_tokens` is an act, not a fault that waits for requests; an emulator with tokens names it
# among its fault kinds so that a typo's answer lists it.
EXPIRE_TOKENS = "expire_tokens"

UNSUPPORTED_GRANT = {"error": "unsupported_grant_type", "error_description": "grant_type must be client_credentials"}
INVALID_CLIENT = {"error": "invalid_client", "error_description": "Client authentication failed"}


@dataclass
class _Token:
    client_id: str
    expires_at: float


class TokenStore(base.EmulatorState):
    """The access tokens an emulator issued, each with its client and expiry."""

    token_ttl_seconds: float = 3600.0  # each platform's emulator says how long its tokens last

    def __init__(self) -> None:
        super().__init__()
        self._tokens: dict[str, _Token] = {}

    def set_faults(self, faults: dict) -> None:
        """As the base, plus `expire_tokens`: done at once, not kept as a switch."""
        faults = dict(faults)
        expire = faults.pop(EXPIRE_TOKENS, False)
        super().set_faults(faults)
        if expire:
            self.expire_tokens()

    def expire_tokens(self) -> None:
        """Every token issued so far expires now; tokens issued later are unaffected."""
        with self._lock:
            now = time.time()
            for token in self._tokens.values():
                token.expires_at = min(token.expires_at, now)

    def issue_token(self, client_id: str) -> tuple[str, int]:
        """A new token for the client and its lifetime in seconds."""
        token = secrets.token_urlsafe(32)
        with self._lock:
            ttl = self.token_ttl_seconds
            self._tokens[token] = _Token(client_id, time.time() + ttl)
        return token, int(ttl)

    def issued_tokens(self, client_id: str) -> list[str]:
        """Every access token handed to the client (tests search logs for them)."""
        with self._lock:
            return [token for token, held in self._tokens.items() if held.client_id == client_id]

    def token_holder(self, token: str) -> tuple[str, bool] | None:
        """(client id, expired?) for a token we issued; None for one we never did."""
        with self._lock:
            found = self._tokens.get(token)
            return None if found is None else (found.client_id, time.time() >= found.expires_at)


async def grant_token(
    request: Request, emulator: TokenStore, rate_limited: Callable[[Any], ErrorAnswer]
) -> tuple[str, int]:
    """The token route's work: a client-credentials form with a registered client and secret, held
    to that client's quota, earns a new token. Returns (token, lifetime in seconds); 400
    unsupported_grant_type or 401 invalid_client otherwise."""
    form = parse_qs((await request.body()).decode("utf-8", errors="replace"))
    grant_type, client_id, secret = (form.get(name, [""])[0] for name in ("grant_type", "client_id", "client_secret"))
    if grant_type != "client_credentials":
        raise ErrorAnswer(400, UNSUPPORTED_GRANT)
    if not client_id or not emulator.client_is_valid(client_id, secret):
        raise ErrorAnswer(401, INVALID_CLIENT)
    await admit_request(emulator, client_id, rate_limited)
    return emulator.issue_token(client_id)


def bearer_holder(request: Request, emulator: TokenStore) -> tuple[str, bool] | None:
    """(client id, expired?) behind the request's `Authorization: Bearer` token; None if it carries
    none, or one this emulator never issued."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return emulator.token_holder(token.strip()) if scheme.lower() == "bearer" else None
