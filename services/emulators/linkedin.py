"""The LinkedIn emulator: the Job Posting API ("simple job postings") as /work/shared/PLATFORMS.md
describes it.

Owns: two-legged OAuth (a client id and secret per organization's child app, tokens that
expire), the batch endpoint (CREATE, UPDATE, RENEW, CLOSE; HTTP 200 with one result per element,
each validated alone), asynchronous tasks, the posting status look-up and the public job page.

A task's outcome is decided, and its posting stored, when the task is created; the task only
*reports* the outcome once `settle_seconds` have passed. So a response lost after the create
still leaves exactly one posting, and a second CREATE of the same id fails as a duplicate even
while the first is in progress.

Applications (their wire form, the webhook push and the pull) live in linkedin_applications.py.
"""

from __future__ import annotations

import copy
import itertools
import secrets
import time
import uuid
from dataclasses import dataclass
from http.client import responses as status_phrases
from typing import Annotated
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from services.emulators import base, faults, http_edge, linkedin_applications, quota
from services.emulators.app import build_app
from services.emulators.faults import CREATE, LOOKUP
from services.emulators.http_edge import ErrorAnswer
from services.emulators.linkedin_validation import element_errors

DEFAULT_TOKEN_TTL_SECONDS = 1800
DEFAULT_SETTLE_SECONDS = 0.2
FIRST_POSTING_NUMBER = 4217555000  # the size of real LinkedIn job ids, so adapters see realistic ones
MAX_BATCH = 100
RENEWAL_MS = 30 * 24 * 3600 * 1000

UNSUPPORTED_GRANT = {"error": "unsupported_grant_type", "error_description": "grant_type must be client_credentials"}
INVALID_CLIENT = {"error": "invalid_client", "error_description": "Client authentication failed"}
INVALID_TOKEN = {"serviceErrorCode": 65600, "message": "Invalid access token", "status": 401}
EXPIRED_TOKEN = {"serviceErrorCode": 65602, "message": "The token used in the request has expired", "status": 401}
DUPLICATE = "ErrorCode 2009: a job posting with this externalJobPostingId already exists"
UNKNOWN_POSTING = "no job posting with this externalJobPostingId exists for this organization"
# Fields the emulator keeps on a posting itself; an UPDATE replaces everything else.
OWN_FIELDS = ("jobPosting", "jobPostingNumber", "owner_client_id", "listingStatus", "expireAt", "settlesAt")


@dataclass
class _Token:
    client_id: str
    expires_at: float


def _now_ms() -> int:
    return int(time.time() * 1000)


class LinkedInEmulator(linkedin_applications.LinkedInApplications):
    """Tokens, tasks and postings; postings are keyed by (client id, externalJobPostingId).
    Applications and their webhook push come from LinkedInApplications."""

    external_id_field = "externalJobPostingId"

    def __init__(
        self, token_ttl_seconds: float = DEFAULT_TOKEN_TTL_SECONDS, settle_seconds: float = DEFAULT_SETTLE_SECONDS
    ):
        super().__init__()
        self.token_ttl_seconds = token_ttl_seconds
        self.settle_seconds = settle_seconds
        self._tokens: dict[str, _Token] = {}
        self._tasks: dict[str, dict] = {}
        self._by_external: dict[tuple[str, str], dict] = {}
        self._by_number: dict[int, dict] = {}
        self._numbers = itertools.count(FIRST_POSTING_NUMBER)

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

    def submit(self, client_id: str, element: dict) -> str:
        """Create the task for one valid element, deciding its outcome now. Returns the task urn."""
        urn = f"urn:li:simpleJobPostingTask:{uuid.uuid4()}"
        with self._lock:
            error = self._apply(client_id, element)
            posting = self._by_external.get((client_id, element["externalJobPostingId"]))
            self._tasks[urn] = {
                "id": urn,
                "owner": client_id,
                "externalJobPostingId": element["externalJobPostingId"],
                "operation": element["jobPostingOperationType"],
                "location": element["location"],
                "settlesAt": _now_ms() + int(self.settle_seconds * 1000),
                "jobPosting": posting["jobPosting"] if posting and not error else None,
                "errorMessage": error,
            }
        return urn

    def _apply(self, client_id: str, element: dict) -> str | None:
        """Carry out one operation (lock held). Returns why it fails, or None."""
        key = (client_id, element["externalJobPostingId"])
        posting = self._by_external.get(key)
        operation = element["jobPostingOperationType"]
        if operation == "CREATE":
            if posting is not None:
                return DUPLICATE
            self._create(key, element)
        elif posting is None:
            return UNKNOWN_POSTING
        elif operation == "UPDATE":
            kept = {field: posting[field] for field in OWN_FIELDS}
            posting.clear()
            posting.update(copy.deepcopy(element), **kept)
            posting["expireAt"] = element.get("expireAt", kept["expireAt"])
        elif operation == "RENEW":
            posting["expireAt"] += RENEWAL_MS
        else:  # CLOSE
            posting["listingStatus"] = "NOT_LISTED"
        return None

    def _create(self, key: tuple[str, str], element: dict) -> None:
        number = next(self._numbers)
        now = _now_ms()
        posting = copy.deepcopy(element)
        posting.update(
            jobPosting=f"urn:li:jobPosting:{number}",
            jobPostingNumber=number,
            owner_client_id=key[0],
            listingStatus="LISTED",
            expireAt=element.get("expireAt", now + RENEWAL_MS),
            settlesAt=now + int(self.settle_seconds * 1000),
        )
        self._by_external[key] = posting
        self._by_number[number] = posting
        self._hold(posting)

    def operations_for(self, external_id: str) -> list[str]:
        """The operations (CREATE, UPDATE, RENEW, CLOSE) sent for this id, in order: tests check the sequence."""
        with self._lock:
            return [task["operation"] for task in self._tasks.values() if task["externalJobPostingId"] == external_id]

    def task_view(self, client_id: str, urn: str) -> dict | None:
        """A task as the task look-up shows it to its owner; None if unknown to this client."""
        with self._lock:
            task = self._tasks.get(urn)
            if task is None or task["owner"] != client_id:
                return None
            view = {key: task[key] for key in ("id", "externalJobPostingId", "location")}
            if _now_ms() < task["settlesAt"]:
                view["status"] = "IN_PROGRESS"
            elif task["errorMessage"]:
                view.update(status="FAILED", errorMessage=task["errorMessage"])
            else:
                view.update(status="SUCCEEDED", jobPosting=task["jobPosting"])
            return view

    def status_view(self, client_id: str, external_id: str, site: str) -> dict | None:
        """A posting as the status look-up shows it to its owner; None if it holds none."""
        with self._lock:
            posting = self._by_external.get((client_id, external_id))
            if posting is None:
                return None
            view = {
                "externalJobPostingId": external_id,
                "linkedInApplyStatus": "ENABLED" if posting.get("onsiteApplyConfiguration") else "NOT_ENABLED",
                "promotionStatus": "NOT_PROMOTED",
                "jobPostingInfo": {
                    "expireAt": posting["expireAt"],
                    "listedAt": posting["listedAt"],
                    "location": posting["location"],
                },
                "rawLocation": posting["location"],
            }
            if _now_ms() < posting["settlesAt"]:  # no public id until the create has settled
                view["listingStatus"] = "IN_PROGRESS"
                return view
            expired = posting["expireAt"] <= _now_ms()  # an expired posting is no longer listed
            view.update(
                listingStatus="NOT_LISTED" if expired else posting["listingStatus"],
                jobPosting=posting["jobPosting"],
                jobPostingUrl=f"{site}/jobs/view/{posting['jobPostingNumber']}",
            )
            return view

    def close_on_its_own(self, external_id: str) -> int:
        """LinkedIn closes the posting(s) with this id itself, as it may (policy, a complaint). Returns how many."""
        with self._lock:
            closed = [p for p in self._postings if p.get("externalJobPostingId") == external_id]
            for posting in closed:
                posting["listingStatus"] = "NOT_LISTED"
            return len(closed)

    def posting_by_number(self, number: int) -> dict | None:
        with self._lock:
            found = self._by_number.get(number)
            return copy.deepcopy(found) if found else None


async def _emulator(request: Request) -> LinkedInEmulator:
    # async: a plain def dependency would run on a worker thread, for nothing
    return request.app.state.emulator


Emulator = Annotated[LinkedInEmulator, Depends(_emulator)]


async def _caller(request: Request, emulator: Emulator) -> str:
    """The client id behind the bearer token; 401 (65600 or 65602) otherwise."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    holder = emulator.token_holder(token.strip()) if scheme.lower() == "bearer" else None
    if holder is None:
        raise ErrorAnswer(401, INVALID_TOKEN)
    client_id, expired = holder
    if expired:
        raise ErrorAnswer(401, EXPIRED_TOKEN)
    await quota.admit_request(emulator, client_id, _rate_limited)  # LinkedIn meters each app (client id)
    return client_id


Caller = Annotated[str, Depends(_caller)]
router = APIRouter(dependencies=[Depends(base.count_request)])


def _bad_request(message: str) -> ErrorAnswer:
    return ErrorAnswer(400, {"message": message, "status": 400})


def _rate_limited(retry_after) -> ErrorAnswer:
    body = {"message": "Too many requests", "status": 429}
    return ErrorAnswer(429, body, {"Retry-After": http_edge.retry_after_text(retry_after)})


def _server_error(status: int) -> ErrorAnswer:
    return ErrorAnswer(status, {"message": status_phrases.get(status, "Server error"), "status": status})


async def _faults(emulator: LinkedInEmulator, operation: str, client_id: str | None = None) -> None:
    await faults.apply_request_faults(
        emulator, operation, client_id=client_id, rate_limited=_rate_limited, server_error=_server_error
    )


@router.post("/oauth/v2/accessToken")
async def access_token(request: Request, emulator: Emulator) -> dict:
    form = parse_qs((await request.body()).decode("utf-8", errors="replace"))
    grant_type, client_id, secret = (form.get(name, [""])[0] for name in ("grant_type", "client_id", "client_secret"))
    if grant_type != "client_credentials":
        raise ErrorAnswer(400, UNSUPPORTED_GRANT)
    if not client_id or not emulator.client_is_valid(client_id, secret):
        raise ErrorAnswer(401, INVALID_CLIENT)
    await quota.admit_request(emulator, client_id, _rate_limited)
    token, ttl = emulator.issue_token(client_id)
    return {"access_token": token, "expires_in": ttl}


@router.post("/v2/simpleJobPostings")
async def batch_create(request: Request, emulator: Emulator, client_id: Caller) -> dict:
    if request.headers.get("x-restli-method", "").lower() != "batch_create":
        raise _bad_request("this endpoint needs the header x-restli-method: batch_create")
    await _faults(emulator, CREATE, client_id)
    elements = _batch_elements(await _body(request))
    results = [_create_one(emulator, client_id, element) for element in elements]
    await faults.answer_late(emulator, client_id)
    if emulator.take_fault("lose_response", CREATE):
        raise http_edge.ConnectionDropRequested()  # the tasks exist; the caller never learns their ids
    return {"elements": results}


async def _body(request: Request) -> object:
    try:
        return await http_edge.read_json(request)
    except ValueError as error:
        raise _bad_request(str(error)) from error


def _batch_elements(body: object) -> list:
    elements = body.get("elements") if isinstance(body, dict) else None
    if not isinstance(elements, list) or not elements:
        raise _bad_request('the body must be {"elements": [...]} with at least one element')
    if len(elements) > MAX_BATCH:
        raise _bad_request(f"a batch holds at most {MAX_BATCH} elements, got {len(elements)}")
    ids = [e.get("externalJobPostingId") for e in elements if isinstance(e, dict)]
    ids = [external_id for external_id in ids if isinstance(external_id, str)]  # others fail validation
    if len(ids) != len(set(ids)):
        raise _bad_request("two elements in one batch have the same externalJobPostingId")
    return elements


def _create_one(emulator: LinkedInEmulator, client_id: str, element: object) -> dict:
    errors = element_errors(element)
    if not errors:
        rejection = emulator.take_fault("reject", CREATE)  # counted per element: each is its own create
        if rejection:
            errors = [rejection.get("message", "ERROR :: / :: rejected by an emulator fault")]
    if errors:
        return {"error": {"message": "\n".join(errors), "status": 422}, "status": 422}
    urn = emulator.submit(client_id, element)
    return {"id": urn, "status": 202, "location": f"/simpleJobPostings/{quote(urn, safe='')}"}


@router.get("/v2/simpleJobPostingTasks")
async def task_statuses(request: Request, emulator: Emulator, client_id: Caller) -> dict:
    await _faults(emulator, LOOKUP, client_id)
    return _batch_get(_ids(request), lambda urn: emulator.task_view(client_id, urn))


@router.get("/v2/jobPostingStatus")
async def posting_statuses(request: Request, emulator: Emulator, client_id: Caller) -> dict:
    await _faults(emulator, LOOKUP, client_id)
    site = http_edge.base_url(request)
    return _batch_get(_ids(request), lambda external_id: emulator.status_view(client_id, external_id, site))


def _ids(request: Request) -> list[str]:
    ids = request.query_params.getlist("ids")
    if not ids or len(ids) > MAX_BATCH:
        raise _bad_request(f"give between 1 and {MAX_BATCH} ids")
    return ids


def _batch_get(ids: list[str], find) -> dict:
    results, errors = {}, {}
    for key in dict.fromkeys(ids):  # a repeated id is answered once
        found = find(key)
        if found is None:
            errors[key] = {"status": 404, "message": "Not found"}
        else:
            results[key] = found
    return {"results": results, "statuses": {}, "errors": errors}


@router.post("/_emulator/postings/{external_id}/close", include_in_schema=False)
async def close_on_its_own(external_id: str, emulator: Emulator) -> dict:
    """Control API: the platform closes a posting by itself (tests of the syncer noticing it)."""
    return {"closed": emulator.close_on_its_own(external_id)}


@router.get("/jobs/view/{number}", response_model=None)
async def job_page(number: str, emulator: Emulator) -> Response:
    posting = emulator.posting_by_number(int(number)) if number.isdigit() else None
    if posting is None:
        return HTMLResponse("<!doctype html><title>Not found</title><h1>Not found</h1>", status_code=404)
    return http_edge.listing_page(posting["title"], f"{posting['location']} (LinkedIn emulator)")


def create_app(
    token_ttl_seconds: float = DEFAULT_TOKEN_TTL_SECONDS, settle_seconds: float = DEFAULT_SETTLE_SECONDS
) -> FastAPI:
    """A LinkedIn emulator app; its state object (the control API) is `app.state.emulator`."""
    emulator = LinkedInEmulator(token_ttl_seconds, settle_seconds)
    pull = linkedin_applications.pull_router(_caller, _faults)
    return build_app("LinkedIn emulator", emulator, router, pull)
