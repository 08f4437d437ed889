"""LinkedIn's Rest.li error answers, as every LinkedIn emulator route gives them: a 400, a 429 with
its Retry-After, a 5xx, and the request faults that strike with them (`strike_request_faults`).

The OAuth endpoint's own error bodies live beside it (linkedin_oauth.py); an invalid posting
element's 422 messages in linkedin_validation.py.
"""

from __future__ import annotations

from http.client import responses as status_phrases

from services.emulators import faults
from services.emulators.base import EmulatorState
from services.emulators.http_edge import ErrorAnswer, retry_after_text


def bad_request(message: str) -> ErrorAnswer:
    return ErrorAnswer(400, {"message": message, "status": 400})


def rate_limited(retry_after) -> ErrorAnswer:
    body = {"message": "Too many requests", "status": 429}
    return ErrorAnswer(429, body, {"Retry-After": retry_after_text(retry_after)})


def server_error(status: int) -> ErrorAnswer:
    return ErrorAnswer(status, {"message": status_phrases.get(status, "Server error"), "status": status})


async def strike_request_faults(emulator: EmulatorState, operation: str, client_id: str | None = None) -> None:
    """The faults that strike a request before it does anything, answered in LinkedIn's words."""
    await faults.apply_request_faults(
        emulator, operation, client_id=client_id, rate_limited=rate_limited, server_error=server_error
    )
