"""The little of GraphQL the Indeed emulator reads: which `jobsIngest` field an operation asks for,
what a valid `SourcedJobPostingInput` is, and Indeed's error answers (`{"errors": [{message,
extensions: {code}}]}`).

No GraphQL engine: the operation's type (`query`/`mutation`) and the first field under
`jobsIngest` pick the resolver, and arguments come as variables (`$input`, `$ids`), as the adapter
sends them. Anything else is refused the way a GraphQL server refuses an unknown field.
"""

from __future__ import annotations

import re
from http.client import responses as status_phrases
from typing import Any

from services.emulators import faults
from services.emulators.base import EmulatorState
from services.emulators.http_edge import ErrorAnswer, retry_after_text
from services.emulators.indeed_questions import question_problems

CREATE = "createSourcedJobPostings"
EXPIRE = "expireSourcedJobsBySourcedPostingId"
FIND = "sourcedJobPostingsBySourcedPostingIds"
OPERATIONS = {("mutation", CREATE), ("mutation", EXPIRE), ("query", FIND)}
MIN_DESCRIPTION = 50
_OPERATION_TYPE = re.compile(r"^\s*(query|mutation)\b")
_FIELD = re.compile(r"\bjobsIngest\s*\{\s*(\w+)")


def error(message: str, code: str, status: int = 200, headers: dict[str, str] | None = None) -> ErrorAnswer:
    return ErrorAnswer(status, {"errors": [{"message": message, "extensions": {"code": code}}]}, headers)


def operation(document: Any) -> str:
    """The `jobsIngest` field the document asks for; a GraphQL validation error otherwise."""
    if not isinstance(document, dict) or not isinstance(document.get("query"), str):
        raise error('the body must be {"query": "...", "variables": {...}}', "BAD_REQUEST", 400)
    query = document["query"]
    kind = _OPERATION_TYPE.match(query)
    field = _FIELD.search(query)
    name = field.group(1) if field else "(none)"
    if kind is None or field is None or (kind.group(1), name) not in OPERATIONS:
        raise error(f"Cannot query field '{name}' on this operation of jobsIngest", "GRAPHQL_VALIDATION_FAILED")
    return name


def posting_problems(postings: Any) -> list[str]:
    """What makes `jobPostings` invalid, each naming its field; [] if nothing does."""
    if not isinstance(postings, list) or not postings:
        return ["input.jobPostings: must be a non-empty list"]
    problems = []
    for index, posting in enumerate(postings):
        where = f"input.jobPostings[{index}]"
        body = posting.get("body") if isinstance(posting, dict) else None
        metadata = posting.get("metadata") if isinstance(posting, dict) else None
        if not isinstance(body, dict) or not isinstance(metadata, dict):
            problems.append(f"{where}: body and metadata are required")
            continue
        if not isinstance(body.get("title"), str) or not body["title"].strip():
            problems.append(f"{where}.body.title: is required")
        description = body.get("description")
        if not isinstance(description, str) or len(description.strip()) < MIN_DESCRIPTION:
            problems.append(f"{where}.body.description: must be at least {MIN_DESCRIPTION} characters")
        if not isinstance(metadata.get("jobPostingId"), str) or not metadata["jobPostingId"]:
            problems.append(f"{where}.metadata.jobPostingId: is required")
        if not isinstance(metadata.get("jobSource"), dict) or not metadata["jobSource"].get("companyName"):
            problems.append(f"{where}.metadata.jobSource.companyName: is required")
        problems += question_problems(where, metadata.get("indeedApply"))
    return problems


def id_list(value: Any, name: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise error(f"{name}: must be a list of strings", "BAD_USER_INPUT")
    return value


def rate_limited(retry_after) -> ErrorAnswer:
    wait = retry_after_text(retry_after)
    return error(f"rate limit exceeded; retry after {wait} seconds", "RATE_LIMITED", 429, {"Retry-After": wait})


def server_error(status: int) -> ErrorAnswer:
    return error(status_phrases.get(status, "Server error"), "INTERNAL_SERVER_ERROR", status)


async def strike_request_faults(emulator: EmulatorState, kind: str, client_id: str) -> None:
    await faults.apply_request_faults(
        emulator, kind, client_id=client_id, rate_limited=rate_limited, server_error=server_error
    )
