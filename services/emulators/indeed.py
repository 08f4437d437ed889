"""The Indeed emulator: the Job Sync API as docs.indeed.com describes it, on loopback.

    POST /oauth/v2/tokens     form grant_type=client_credentials, client_id, client_secret
                              → {"access_token", "token_type": "Bearer", "expires_in"}; 401 invalid_client
    POST /graphql             Authorization: Bearer <token>; {"query", "variables"} (indeed_graphql.py):
        mutation jobsIngest { createSourcedJobPostings(input: $input) }   create or upsert by
                              metadata.jobPostingId → results[].jobPosting {sourcedPostingId, jobKey, url, status}
        mutation jobsIngest { expireSourcedJobsBySourcedPostingId(input: {sourcedPostingIds}) }
        query    jobsIngest { sourcedJobPostingsBySourcedPostingIds(sourcedPostingIds: $ids) }
                              (the answer carries every field of jobPosting, whatever the selection)
        401 UNAUTHENTICATED (bad or expired token); 200 with errors: BAD_USER_INPUT (invalid posting),
        GRAPHQL_VALIDATION_FAILED (an operation it does not have); 429 with Retry-After; 5xx.
        mutation partnerDisposition { send(input: $input) }   Disposition Sync: an application's hiring
                              status (indeed_dispositions.py); faults aimed "on": "status" strike it
    GET  /viewjob?jk=<jobKey> the public page of a posting (HTML); 404 once expired
    Indeed Apply: each application POSTed to the posting's metadata.indeedApply.postUrl,
    signed X-Indeed-Signature (indeed_postings.py); Indeed has no pull of applications.

Faults aimed at creates strike the two mutations; the query is a look-up.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from services.emulators import base, faults, http_edge, indeed_dispositions, status_inbox
from services.emulators.app import EmulatorEntry, build_app
from services.emulators.faults import CREATE, LOOKUP, STATUS
from services.emulators.indeed_graphql import (
    EXPIRE,
    FIND,
    error,
    id_list,
    operation,
    posting_problems,
    rate_limited,
    strike_request_faults,
)
from services.emulators.indeed_postings import IndeedEmulator
from services.emulators.oauth import bearer_holder, grant_token
from services.emulators.quota import admit_request


async def _emulator(request: Request) -> IndeedEmulator:
    # async: a plain def dependency would run on a worker thread, for nothing
    return request.app.state.emulator


Emulator = Annotated[IndeedEmulator, Depends(_emulator)]
router = APIRouter(dependencies=[Depends(base.count_request)])


async def caller(request: Request, emulator: Emulator) -> str:
    """The client id behind the bearer token; 401 UNAUTHENTICATED otherwise."""
    holder = bearer_holder(request, emulator)
    if holder is None or holder[1]:
        raise error("the access token is invalid or has expired", "UNAUTHENTICATED", 401)
    await admit_request(emulator, holder[0], rate_limited)  # Indeed meters each client app
    return holder[0]


Caller = Annotated[str, Depends(caller)]


@router.post("/oauth/v2/tokens")
async def access_token(request: Request, emulator: Emulator) -> dict:
    token, ttl = await grant_token(request, emulator, rate_limited)
    return {"access_token": token, "token_type": "Bearer", "expires_in": ttl, "scope": "employer_access"}


@router.post("/graphql")
async def graphql(request: Request, emulator: Emulator, client_id: Caller) -> dict:
    try:
        document = await http_edge.read_json(request)
    except ValueError as bad:
        raise error(str(bad), "BAD_REQUEST", 400) from bad
    if indeed_dispositions.asks_for_send(document):
        await strike_request_faults(emulator, STATUS, client_id)
        return indeed_dispositions.send(emulator, client_id, document.get("variables"))
    name = operation(document)
    variables = document.get("variables") if isinstance(document.get("variables"), dict) else {}
    site = http_edge.base_url(request)
    if name == FIND:
        await strike_request_faults(emulator, LOOKUP, client_id)
        ids = id_list(variables.get("ids"), "sourcedPostingIds")
        found = [emulator.find(client_id, one) for one in ids]
        return _answer(name, [p for p in found if p], site)
    await strike_request_faults(emulator, CREATE, client_id)
    given = variables.get("input")
    payload: dict = given if isinstance(given, dict) else {}
    if name == EXPIRE:
        expired = [
            emulator.expire(client_id, one) for one in id_list(payload.get("sourcedPostingIds"), "sourcedPostingIds")
        ]
        return _answer(name, [p for p in expired if p], site)
    return await _create(emulator, client_id, payload.get("jobPostings"), site)


async def _create(emulator: IndeedEmulator, client_id: str, postings, site: str) -> dict:
    problems = posting_problems(postings)
    if not problems:
        rejection = emulator.take_fault("reject", CREATE)
        if rejection:
            problems = [rejection.get("message", "rejected by an emulator fault")]
    if problems:
        raise error("; ".join(problems), "BAD_USER_INPUT")
    held = [emulator.upsert(client_id, posting) for posting in postings]
    await faults.answer_late(emulator, client_id)
    if emulator.take_fault("lose_response", CREATE):
        raise http_edge.ConnectionDropRequested()  # stored; the caller never hears of it
    return _answer("createSourcedJobPostings", held, site)


def _answer(field: str, postings: list[dict], site: str) -> dict:
    results = [
        {
            "jobPosting": {
                "sourcedPostingId": p["sourcedPostingId"],
                "jobKey": p["jobKey"],
                "status": p["status"],
                "url": f"{site}/viewjob?jk={p['jobKey']}",
            }
        }
        for p in postings
    ]
    return {"data": {"jobsIngest": {field: {"results": results}}}}


@router.get("/viewjob", response_model=None)
async def job_page(emulator: Emulator, jk: str = "") -> Response:
    posting = emulator.by_job_key(jk)
    if posting is None or posting["status"] != "ACTIVE":
        return HTMLResponse("<!doctype html><title>Not found</title><h1>Not found</h1>", status_code=404)
    company = posting["metadata"]["jobSource"].get("companyName", "")
    return http_edge.listing_page(posting["title"], f"{company} (Indeed emulator)")


def create_app() -> FastAPI:
    """An Indeed emulator app; its state object (the control API) is `app.state.emulator`."""
    return build_app("Indeed emulator (Job Sync API)", IndeedEmulator(), router, status_inbox.control_router())


EMULATOR = EmulatorEntry(
    name="indeed",
    title="Indeed",
    create_app=create_app,
    settings={"indeed_api_url": "", "indeed_oauth_url": ""},  # one server answers the API and the tokens
)
