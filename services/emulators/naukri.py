"""The Naukri emulator: the "simulation mode" API of our own design (Naukri has no public posting
API, see /work/shared/PLATFORMS.md). It owns that API's definition:

    Every /v1 call sends `X-Client-Id: <client id>` and `Authorization: Bearer <secret>`.
    POST /v1/jobs                  create → 201 {jobId, reference, status, url, createdAt}; 422 {errors}
    GET  /v1/jobs?reference=<ref>  the caller's postings with that reference → {"jobs": [...]}
    GET  /v1/jobs/{jobId}          one of the caller's postings, or 404 {"error": "not_found"}
    PUT  /v1/jobs/{jobId}          update: the whole job again, checked like a create, same reference
                                   → 200 {…as a create}; 422 {errors}; 409 {"error": "closed"}
    POST /v1/jobs/{jobId}/refresh  Naukri's refresh: listed 30 more days from its expiry (or from
                                   now, if past) → 200 {…, "expiresAt"}; 409 {"error": "closed"}
    POST /v1/jobs/{jobId}/close    stop listing it → 200 {…, "status": "closed"} (again: the same)
    GET  /job-listings/{jobId}     the public page of a posting (HTML)
    GET  /v1/applications          the caller's applications, a page at a time (naukri_applications.py)

Faults aimed at creates strike every write (create, update, close), as LinkedIn's writes share
one endpoint. Like the real site, a second create with the same reference is not refused: it makes a second
posting. Only the caller's look-up before re-creating prevents a double.

This module owns the routes of that API and puts the app together (`create_app`). The rest of it
lives beside it: the API-key check every /v1 route starts with (naukri_auth.py), what a valid
posting is (naukri_validation.py), the postings the emulator holds (naukri_postings.py), the API's
error answers (naukri_errors.py), and applications: their wire form and the pull
(naukri_applications.py).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from services.emulators import base, faults, http_edge, naukri_applications, naukri_auth
from services.emulators.app import EmulatorEntry, build_app
from services.emulators.faults import CREATE, LOOKUP
from services.emulators.http_edge import ErrorAnswer
from services.emulators.naukri_auth import Caller
from services.emulators.naukri_errors import strike_request_faults
from services.emulators.naukri_postings import NaukriEmulator
from services.emulators.naukri_validation import posting_errors, problem


async def _emulator(request: Request) -> NaukriEmulator:
    # async: a plain def dependency would run on a worker thread, for nothing
    return request.app.state.emulator


Emulator = Annotated[NaukriEmulator, Depends(_emulator)]
router = APIRouter(dependencies=[Depends(base.count_request)])


def _answer(posting: dict, site: str) -> dict:
    """A posting as the API shows it: the create answer, also used by both look-ups."""
    fields = ("jobId", "reference", "status", "createdAt")
    return {**{key: posting[key] for key in fields}, "url": f"{site}/job-listings/{posting['jobId']}"}


@router.post("/v1/jobs", status_code=201)
async def create_job(request: Request, emulator: Emulator, client_id: Caller) -> dict:
    await strike_request_faults(emulator, CREATE, client_id)
    try:
        body = await http_edge.read_json(request)
    except ValueError as error:
        raise ErrorAnswer(422, {"errors": [problem(None, str(error))]}) from error
    errors = posting_errors(body)
    if not errors:
        rejection = emulator.take_fault("reject", CREATE)
        if rejection:
            errors = [problem(None, rejection.get("message", "rejected by an emulator fault"))]
    if errors:
        raise ErrorAnswer(422, {"errors": errors})
    posting = emulator.create(client_id, body)
    await faults.answer_late(emulator, client_id)
    if emulator.take_fault("lose_response", CREATE):
        raise http_edge.ConnectionDropRequested()  # stored; the caller never learns the job id
    return _answer(posting, http_edge.base_url(request))


@router.get("/v1/jobs")
async def jobs_with_reference(request: Request, emulator: Emulator, client_id: Caller) -> dict:
    await strike_request_faults(emulator, LOOKUP, client_id)
    found = emulator.with_reference(client_id, request.query_params.get("reference"))
    site = http_edge.base_url(request)
    return {"jobs": [_answer(posting, site) for posting in found]}


@router.put("/v1/jobs/{job_id}")
async def update_job(job_id: str, request: Request, emulator: Emulator, client_id: Caller) -> dict:
    await strike_request_faults(emulator, CREATE, client_id)
    try:
        body = await http_edge.read_json(request)
    except ValueError as error:
        raise ErrorAnswer(422, {"errors": [problem(None, str(error))]}) from error
    current = _owned(emulator, client_id, job_id)
    errors = posting_errors(body)
    if not errors and body["reference"] != current["reference"]:
        errors = [problem("reference", "must stay the posting's own reference")]
    if errors:
        raise ErrorAnswer(422, {"errors": errors})
    if current["status"] == "closed":
        raise ErrorAnswer(409, {"error": "closed", "message": f"job {job_id} is closed; a closed job cannot change"})
    return _answer(_found(emulator.replace(client_id, job_id, body), job_id), http_edge.base_url(request))


@router.post("/v1/jobs/{job_id}/refresh")
async def refresh_job(job_id: str, request: Request, emulator: Emulator, client_id: Caller) -> dict:
    await strike_request_faults(emulator, CREATE, client_id)
    posting = _owned(emulator, client_id, job_id)
    if posting["status"] == "closed":
        raise ErrorAnswer(
            409, {"error": "closed", "message": f"job {job_id} is closed; a closed job cannot be refreshed"}
        )
    refreshed = _found(emulator.refresh(client_id, job_id), job_id)
    return {**_answer(refreshed, http_edge.base_url(request)), "expiresAt": refreshed["expiresAt"]}


@router.post("/v1/jobs/{job_id}/close")
async def close_job(job_id: str, request: Request, emulator: Emulator, client_id: Caller) -> dict:
    await strike_request_faults(emulator, CREATE, client_id)
    _owned(emulator, client_id, job_id)
    return _answer(_found(emulator.close(client_id, job_id), job_id), http_edge.base_url(request))


def _owned(emulator: NaukriEmulator, client_id: str, job_id: str) -> dict:
    return _found(emulator.find(client_id, job_id), job_id)


def _found(posting: dict | None, job_id: str) -> dict:
    if posting is None:
        raise ErrorAnswer(404, {"error": "not_found", "message": f"no job {job_id} for this client"})
    return posting


@router.get("/v1/jobs/{job_id}")
async def one_job(job_id: str, request: Request, emulator: Emulator, client_id: Caller) -> dict:
    await strike_request_faults(emulator, LOOKUP, client_id)
    posting = emulator.find(client_id, job_id)
    if posting is None:
        raise ErrorAnswer(404, {"error": "not_found", "message": f"no job {job_id} for this client"})
    return _answer(posting, http_edge.base_url(request))


@router.get("/job-listings/{job_id}", response_model=None)
async def listing_page(job_id: str, emulator: Emulator) -> Response:
    posting = emulator.find(None, job_id)
    if posting is None:
        return HTMLResponse("<!doctype html><title>Not found</title><h1>Not found</h1>", status_code=404)
    return http_edge.listing_page(
        posting["title"], f"{posting['companyName']}, {posting['location']} (Naukri emulator)"
    )


def create_app() -> FastAPI:
    """A Naukri emulator app; its state object (the control API) is `app.state.emulator`."""
    pull = naukri_applications.pull_router(naukri_auth.caller, strike_request_faults)
    return build_app("Naukri emulator (simulation mode)", NaukriEmulator(), router, pull)


EMULATOR = EmulatorEntry(name="naukri", title="Naukri", create_app=create_app, settings={"naukri_api_url": ""})
