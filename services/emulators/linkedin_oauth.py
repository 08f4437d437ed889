"""Two-legged OAuth on the LinkedIn emulator: a client id and secret per organization's child app
exchanged at `POST /oauth/v2/accessToken` for a bearer token that expires, and the check every
other LinkedIn API route starts with (`Caller`: the client id behind a valid token, held to that
app's quota).

Tokens live in `LinkedInTokens`, a part of the LinkedIn emulator's state (linkedin_postings.py)
that tests reach directly: `expire_tokens()`, `issued_tokens(client_id)`, or the `expire_tokens`
"fault".
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request

from services.emulators import base
from services.emulators.http_edge import ErrorAnswer
from services.emulators.linkedin_errors import rate_limited
from services.emulators.quota import admit_request

DEFAULT_TOKEN_TTL_SECONDS = 1800

UNSUPPORTED_GRANT = {"error": "unsupported_grant_type", "error_description": "grant_type must be client_credentials"}
INVALID_CLIENT = {"error": "invalid_client", "error_description": "Client authentication failed"}
INVALID_TOKEN = {"serviceErrorCode": 65600, "message": "Invalid access token", "status": 401}
EXPIRED_TOKEN = {"serviceErrorCode": 65602, "message": "The token used in the request has expired", "status": 401}


@dataclass
class _Token:
    client_id: str
    expires_at: float


class LinkedInTokens(base.EmulatorState):
    """The access tokens an emulator issued, each with its client and expiry."""

    def __init__(self) -> None:
        super().__init__()
        self.token_ttl_seconds: float = DEFAULT_TOKEN_TTL_SECONDS
        self._tokens: dict[str, _Token] = {}

    def set_faults(self, faults: dict) -> None:
        """As the base, plus `expire_tokens`: a one-shot act, not a fault that waits for requests."""
        faults = dict(faults)
        expire = faults.pop("expire_tokens", False)
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


async def _emulator(request: Request) -> LinkedInTokens:
    # async: a plain def dependency would run on a worker thread, for nothing
    return request.app.state.emulator


Tokens = Annotated[LinkedInTokens, Depends(_emulator)]


async def caller(request: Request, emulator: Tokens) -> str:
    """The client id behind the bearer token; 401 (65600 or 65602) otherwise."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    holder = emulator.token_holder(token.strip()) if scheme.lower() == "bearer" else None
    if holder is None:
        raise ErrorAnswer(401, INVALID_TOKEN)
    client_id, expired = holder
    if expired:
        raise ErrorAnswer(401, EXPIRED_TOKEN)
    await admit_request(emulator, client_id, rate_limited)  # LinkedIn meters each app (client id)
    return client_id


Caller = Annotated[str, Depends(caller)]
router = APIRouter(dependencies=[Depends(base.count_request)])


@router.post("/oauth/v2/accessToken")
async def access_token(request: Request, emulator: Tokens) -> dict:
    form = parse_qs((await request.body()).decode("utf-8", errors="replace"))
    grant_type, client_id, secret = (form.get(name, [""])[0] for name in ("grant_type", "client_id", "client_secret"))
    if grant_type != "client_credentials":
        raise ErrorAnswer(400, UNSUPPORTED_GRANT)
    if not client_id or not emulator.client_is_valid(client_id, secret):
        raise ErrorAnswer(401, INVALID_CLIENT)
    await admit_request(emulator, client_id, rate_limited)
    token, ttl = emulator.issue_token(client_id)
    return {"access_token": token, "expires_in": ttl}
