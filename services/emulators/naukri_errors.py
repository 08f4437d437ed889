"""Our simulation-mode API's error answers, as every Naukri emulator route gives them: a 429 with
its Retry-After, a 5xx, and the request faults that strike with them (`strike_request_faults`).

The 401 of the API-key check lives beside that check (naukri_auth.py); an invalid posting's 422
entries in naukri_validation.py.
"""

from __future__ import annotations

from http.client import responses as status_phrases

from services.emulators import faults
from services.emulators.base import EmulatorState
from services.emulators.http_edge import ErrorAnswer, retry_after_text


def rate_limited(retry_after) -> ErrorAnswer:
    wait = retry_after_text(retry_after)
    body = {"error": "rate_limited", "message": f"too many requests; retry after {wait} seconds"}
    return ErrorAnswer(429, body, {"Retry-After": wait})


def server_error(status: int) -> ErrorAnswer:
    return ErrorAnswer(status, {"error": "server_error", "message": status_phrases.get(status, "Server error")})


async def strike_request_faults(emulator: EmulatorState, operation: str, client_id: str | None = None) -> None:
    """The faults that strike a request before it does anything, answered in Naukri's words."""
    await faults.apply_request_faults(
        emulator, operation, client_id=client_id, rate_limited=rate_limited, server_error=server_error
    )
