"""What the platforms' application pushes are answered, and how their bodies are documented.

The bodies are the platforms' own formats, verified against the raw bytes before they are read,
so the routes take them raw; the document still says they are JSON objects, the fields the
routes look at first, and that the signature header is needed."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class DeliveryStoredOut(BaseModel):
    status: Literal["stored", "already stored"] = Field(description="A repeated delivery is answered 200 too.")


class ChallengeOut(BaseModel):
    """LinkedIn's names, camelCase, as its URL validation reads them."""

    challenge_code: str = Field(alias="challengeCode")
    challenge_response: str = Field(
        alias="challengeResponse", description="HMAC-SHA256 of the challenge code keyed with the app's client secret."
    )


def pushed_body(description: str, signature_header: str) -> dict[str, Any]:
    """The `openapi_extra` of a route that reads its JSON object body raw."""
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
        "parameters": [
            {
                "name": signature_header,
                "in": "header",
                "required": True,
                "description": "The body's signature; without one that verifies the answer is 401.",
                "schema": {"type": "string"},
            }
        ],
    }
