"""Two-legged OAuth on the LinkedIn emulator: a client id and secret per organization's child app
exchanged at `POST /oauth/v2/accessToken` for a bearer token that expires, and the check every
other LinkedIn API route starts with (`Caller`: the client id behind a valid token, held to that
app's quota).

The token store and the exchange itself are shared with every emulator that has tokens
(oauth.py); what is LinkedIn's own is here: the route, the token lifetime and the 401 bodies.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from services.emulators import base
from services.emulators.http_edge import ErrorAnswer
from services.emulators.linkedin_errors import rate_limited
from services.emulators.oauth import TokenStore, bearer_holder, grant_token
from services.emulators.quota import admit_request

DEFAULT_TOKEN_TTL_SECONDS = 1800

INVALID_TOKEN = {"serviceErrorCode": 65600, "message": "Invalid access token", "status": 401}
EXPIRED_TOKEN = {"serviceErrorCode": 65602, "message": "The token used in the request has expired", "status": 401}


async def _emulator(request: Request) -> TokenStore:
    # async: a plain def dependency would run on a worker thread, for nothing
    return request.app.state.emulator


Tokens = Annotated[TokenStore, Depends(_emulator)]


async def caller(request: Request, emulator: Tokens) -> str:
    """The client id behind the bearer token; 401 (65600 or 65602) otherwise."""
    holder = bearer_holder(request, emulator)
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
    token, ttl = await grant_token(request, emulator, rate_limited)
    return {"access_token": token, "expires_in": ttl}
