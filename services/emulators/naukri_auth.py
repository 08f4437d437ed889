"""The check every /v1 route of the Naukri emulator starts with: `X-Client-Id: <client id>` and
`Authorization: Bearer <secret>`, where the secret is one registered for that client (two at once
during a rotation, see base.py). `Caller` is the client id once it checks out, held to that
client's quota; a 401 otherwise.

There are no tokens: unlike LinkedIn's OAuth (linkedin_oauth.py), the API key itself is sent on
every call.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.emulators.http_edge import ErrorAnswer
from services.emulators.naukri_errors import rate_limited
from services.emulators.naukri_postings import NaukriEmulator
from services.emulators.quota import admit_request

UNAUTHORIZED = {"error": "unauthorized", "message": "invalid client id or API key"}


async def _emulator(request: Request) -> NaukriEmulator:
    # async: a plain def dependency would run on a worker thread, for nothing
    return request.app.state.emulator


Emulator = Annotated[NaukriEmulator, Depends(_emulator)]


async def caller(request: Request, emulator: Emulator) -> str:
    """The client id, once its secret checks out; 401 otherwise."""
    client_id = request.headers.get("x-client-id", "")
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    if not client_id or scheme.lower() != "bearer" or not emulator.client_is_valid(client_id, secret.strip()):
        raise ErrorAnswer(401, UNAUTHORIZED)
    await admit_request(emulator, client_id, rate_limited)  # the quota is per client id
    return client_id


Caller = Annotated[str, Depends(caller)]
