"""The one shape of every error answer, and how a route declares the errors it can give.

An error is a JSON object with `detail`: a sentence for a person (400, 401, 403, 404, 405, 409,
413, 429, 503), or for a 422 the list of problems, each naming its field (`loc`), what is wrong
(`msg`) and a stable, machine-readable `type`. A 409 from a publish, edit, close, renew or repost
that could act on no platform adds `skipped`: why, per platform.

A route declares its errors in one line, `responses=error_answers(404, 409)`; routers declare
the ones every route of theirs shares (401 and 429 behind the API key).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorOut(BaseModel):
    detail: str = Field(examples=["no job with this id in your organization"])


class ConflictOut(ErrorOut):
    skipped: dict[str, str] | None = Field(
        None,
        description="A publish, edit, close, renew or repost that could act nowhere: why not, per platform.",
        examples=[{"linkedin": "already live"}],
    )


class FieldErrorOut(BaseModel):
    loc: list[str | int] = Field(description='Where: "body", "query", "path" or "header", then the field\'s path.')
    msg: str
    type: str = Field(description="Stable across releases (e.g. missing, too_short, platform_not_connected).")


class ValidationErrorOut(BaseModel):
    detail: list[FieldErrorOut]


RETRY_AFTER = {
    "Retry-After": {
        "description": "Whole seconds until the organization's next request is counted again.",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    }
}

_WHEN: dict[int, str] = {
    400: "The body is not the JSON the sender's format defines.",
    401: "No API key, or one that is invalid or revoked (a webhook: a signature that does not verify).",
    403: "The route needs an operator key; this one is a recruiter's.",
    404: "Nothing with this id or name in your organization.",
    409: "The request does not fit the current state (the sentence says why).",
    413: "The body is larger than the server's limit (JOBPUB_MAX_BODY_BYTES).",
    422: "A field's problem: each names the field, what is wrong and a stable type.",
    429: "The organization's request rate limit is reached; Retry-After says when to come back.",
    503: "The server is missing a setting this needs (the sentence names it).",
}
_MODELS: dict[int, type[BaseModel]] = {409: ConflictOut, 422: ValidationErrorOut}


def error_answers(*statuses: int, inline: bool = False) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route (or router) for these error statuses, each with the error shape.

    `inline` names the schema under application/json itself instead of handing FastAPI the model:
    for routes that answer HTML or XML, where FastAPI would document the error under the route's
    own media type. The schema is the component the other routes' errors put in the document."""
    return {status: _answer(status, inline) for status in statuses}


def _answer(status: int, inline: bool) -> dict[str, Any]:
    model = _MODELS.get(status, ErrorOut)
    answer: dict[str, Any] = {"description": _WHEN[status]}
    if inline:
        answer["content"] = {"application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}
    else:
        answer["model"] = model
    if status == 429:
        answer["headers"] = RETRY_AFTER
    return answer
