"""The LinkedIn emulator: the Job Posting API ("simple job postings") as /work/shared/PLATFORMS.md
describes it. This module owns its routes and puts the app together (`create_app`):

    POST /v2/simpleJobPostings       x-restli-method: batch_create; CREATE, UPDATE, RENEW, CLOSE
                                     → 200 with one result per element, each validated alone
    GET  /v2/simpleJobPostingTasks   the asynchronous tasks, by urn
    GET  /v2/jobPostingStatus        the postings' status, by externalJobPostingId
    GET  /jobs/view/{number}         the public job page (HTML)
    POST /v2/jobApplicationLifecycleActions   an application's status (linkedin_feedback.py)

The rest of it lives beside this module: two-legged OAuth and the bearer check every route starts
with (linkedin_oauth.py), what a valid element is (linkedin_validation.py), the postings and tasks
the emulator holds (linkedin_postings.py), LinkedIn's error answers (linkedin_errors.py), and
applications: their wire form, the webhook push and the pull (linkedin_applications.py).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from services.emulators import (
    base,
    faults,
    http_edge,
    linkedin_applications,
    linkedin_feedback,
    linkedin_oauth,
    status_inbox,
)
from services.emulators.app import EmulatorEntry, build_app
from services.emulators.faults import CREATE, LOOKUP
from services.emulators.linkedin_errors import bad_request, strike_request_faults
from services.emulators.linkedin_oauth import DEFAULT_TOKEN_TTL_SECONDS, Caller
from services.emulators.linkedin_postings import DEFAULT_SETTLE_SECONDS, LinkedInEmulator
from services.emulators.linkedin_validation import element_errors

MAX_BATCH = 100


async def _emulator(request: Request) -> LinkedInEmulator:
    # async: a plain def dependency would run on a worker thread, for nothing
    return request.app.state.emulator


Emulator = Annotated[LinkedInEmulator, Depends(_emulator)]
router = APIRouter(dependencies=[Depends(base.count_request)])


@router.post("/v2/simpleJobPostings")
async def batch_create(request: Request, emulator: Emulator, client_id: Caller) -> dict:
    if request.headers.get("x-restli-method", "").lower() != "batch_create":
        raise bad_request("this endpoint needs the header x-restli-method: batch_create")
    await strike_request_faults(emulator, CREATE, client_id)
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
        raise bad_request(str(error)) from error


def _batch_elements(body: object) -> list:
    elements = body.get("elements") if isinstance(body, dict) else None
    if not isinstance(elements, list) or not elements:
        raise bad_request('the body must be {"elements": [...]} with at least one element')
    if len(elements) > MAX_BATCH:
        raise bad_request(f"a batch holds at most {MAX_BATCH} elements, got {len(elements)}")
    ids = [e.get("externalJobPostingId") for e in elements if isinstance(e, dict)]
    ids = [external_id for external_id in ids if isinstance(external_id, str)]  # others fail validation
    if len(ids) != len(set(ids)):
        raise bad_request("two elements in one batch have the same externalJobPostingId")
    return elements


def _create_one(emulator: LinkedInEmulator, client_id: str, element: object) -> dict:
    errors = element_errors(element)
    if not errors:
        rejection = emulator.take_fault("reject", CREATE)  # counted per element: each is its own create
        if rejection:
            errors = [rejection.get("message", "ERROR :: / :: rejected by an emulator fault")]
    if errors:
        return {"error": {"message": "\n".join(errors), "status": 422}, "status": 422}
    assert isinstance(element, dict)  # element_errors refuses anything else
    urn = emulator.submit(client_id, element)
    return {"id": urn, "status": 202, "location": f"/simpleJobPostings/{quote(urn, safe='')}"}


@router.get("/v2/simpleJobPostingTasks")
async def task_statuses(request: Request, emulator: Emulator, client_id: Caller) -> dict:
    await strike_request_faults(emulator, LOOKUP, client_id)
    return _batch_get(_ids(request), lambda urn: emulator.task_view(client_id, urn))


@router.get("/v2/jobPostingStatus")
async def posting_statuses(request: Request, emulator: Emulator, client_id: Caller) -> dict:
    await strike_request_faults(emulator, LOOKUP, client_id)
    site = http_edge.base_url(request)
    return _batch_get(_ids(request), lambda external_id: emulator.status_view(client_id, external_id, site))


def _ids(request: Request) -> list[str]:
    ids = request.query_params.getlist("ids")
    if not ids or len(ids) > MAX_BATCH:
        raise bad_request(f"give between 1 and {MAX_BATCH} ids")
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
    pull = linkedin_applications.pull_router(linkedin_oauth.caller, strike_request_faults)
    return build_app(
        "LinkedIn emulator",
        emulator,
        linkedin_oauth.router,
        router,
        pull,
        linkedin_feedback.router,
        status_inbox.control_router(),
    )


EMULATOR = EmulatorEntry(
    name="linkedin",
    title="LinkedIn",
    create_app=create_app,
    # One server answers the API, the OAuth tokens and the public job pages.
    settings={"linkedin_api_url": "", "linkedin_oauth_url": "", "linkedin_job_view_url": "/jobs/view/{id}"},
)
