"""The Naukri emulator: the "simulation mode" API of our own design (Naukri has no public posting
API, see /work/shared/PLATFORMS.md). It owns that API's definition:

    Every /v1 call sends `X-Client-Id: <client id>` and `Authorization: Bearer <secret>`.
    POST /v1/jobs                  create → 201 {jobId, reference, status, url, createdAt}; 422 {errors}
    GET  /v1/jobs?reference=<ref>  the caller's postings with that reference → {"jobs": [...]}
    GET  /v1/jobs/{jobId}          one of the caller's postings, or 404 {"error": "not_found"}
    PUT  /v1/jobs/{jobId}          update: the whole job again, checked like a create, same reference
                                   → 200 {…as a create}; 422 {errors}; 409 {"error": "closed"}
    POST /v1/jobs/{jobId}/close    stop listing it → 200 {…, "status": "closed"} (again: the same)
    GET  /job-listings/{jobId}     the public page of a posting (HTML)
    GET  /v1/applications          the caller's applications, a page at a time (naukri_applications.py)

Faults aimed at creates strike every write (create, update, close), as LinkedIn's writes share
one endpoint. Like the real site, a second create with the same reference is not refused: it makes a second
posting. Only the caller's look-up before re-creating prevents a double.
"""

from __future__ import annotations

import copy
import itertools
from datetime import UTC, datetime
from http.client import responses as status_phrases
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from services.emulators import base, faults, http_edge, naukri_applications, quota
from services.emulators.app import build_app
from services.emulators.faults import CREATE, LOOKUP
from services.emulators.http_edge import ErrorAnswer

FIRST_JOB_NUMBER = 70_000_001
EMPLOYMENT_TYPES = ("full_time", "part_time", "contract", "internship", "temporary", "volunteer")
WORK_MODES = ("on_site", "hybrid", "remote")
SALARY_PERIODS = ("yearly", "monthly", "hourly")
# Required text fields and their length range (None: no upper limit).
TEXT_LIMITS = {
    "reference": (1, 75),
    "title": (1, 200),
    "description": (50, 25_000),
    "location": (1, None),
    "applyUrl": (1, None),
    "companyName": (1, None),
}
# Required choice fields: every posting says how it is employed and where it is worked.
CHOICES = {"employmentType": EMPLOYMENT_TYPES, "workMode": WORK_MODES}
UNAUTHORIZED = {"error": "unauthorized", "message": "invalid client id or API key"}


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class NaukriEmulator(naukri_applications.NaukriApplications):
    """Postings by job id; each remembers the client that created it. Applications come from
    NaukriApplications."""

    external_id_field = "reference"

    def __init__(self) -> None:
        super().__init__()
        self._by_job_id: dict[str, dict] = {}
        self._numbers = itertools.count(FIRST_JOB_NUMBER)

    def create(self, client_id: str, fields: dict) -> dict:
        """Store a new posting, whatever postings share its reference. Returns a copy."""
        with self._lock:
            posting = copy.deepcopy(fields)
            posting.update(
                jobId=f"NK{next(self._numbers)}", status="active", createdAt=_now_iso(), owner_client_id=client_id
            )
            self._by_job_id[posting["jobId"]] = posting
            self._hold(posting)
            return copy.deepcopy(posting)

    def replace(self, client_id: str, job_id: str, fields: dict) -> dict | None:
        """Put `fields` in place of the posting's own (its id, status and owner stay); None if not the client's."""
        with self._lock:
            posting = self._by_job_id.get(job_id)
            if posting is None or posting["owner_client_id"] != client_id:
                return None
            if posting["status"] == "active":
                kept = {key: posting[key] for key in ("jobId", "status", "createdAt", "owner_client_id")}
                posting.clear()
                posting.update(copy.deepcopy(fields), **kept)
            return copy.deepcopy(posting)

    def close(self, client_id: str, job_id: str) -> dict | None:
        with self._lock:
            posting = self._by_job_id.get(job_id)
            if posting is None or posting["owner_client_id"] != client_id:
                return None
            posting["status"] = "closed"
            return copy.deepcopy(posting)

    def find(self, client_id: str | None, job_id: str) -> dict | None:
        """The posting with this id, if `client_id` owns it (None: whoever owns it)."""
        with self._lock:
            posting = self._by_job_id.get(job_id)
            if posting is None or client_id not in (None, posting["owner_client_id"]):
                return None
            return copy.deepcopy(posting)

    def restore(self, saved: dict) -> None:
        """As the base, then the index by job id and the next job number."""
        super().restore(saved)
        with self._lock:
            self._by_job_id = {p["jobId"]: p for p in self._postings}
            numbers = [int(job_id.removeprefix("NK")) for job_id in self._by_job_id]
            self._numbers = itertools.count(max(numbers, default=FIRST_JOB_NUMBER - 1) + 1)

    def with_reference(self, client_id: str, reference: str | None) -> list[dict]:
        """The client's postings with this reference (None: all of them), oldest first."""
        with self._lock:
            return [
                copy.deepcopy(p)
                for p in self._postings
                if p["owner_client_id"] == client_id and reference in (None, p["reference"])
            ]


def posting_errors(body: object) -> list[dict]:
    """Every problem with a create body, as {"field", "message"} entries."""
    if not isinstance(body, dict):
        return [_problem(None, "the body must be a JSON object")]
    return [
        *_text_problems(body),
        *_choice_problems(body),
        *_salary_problems(body.get("salary")),
        *_skills_problems(body.get("skills")),
        *_expiry_problems(body.get("expiresAt")),
    ]


def _problem(field: str | None, message: str) -> dict:
    return {"field": field, "message": message}


def _text_problems(body: dict):
    for field, (low, high) in TEXT_LIMITS.items():
        value = body.get(field)
        if value is None:
            yield _problem(field, "is required")
        elif not isinstance(value, str):
            yield _problem(field, "must be a string")
        elif len(value.strip()) < low:
            yield _problem(field, f"must be at least {low} characters" if low > 1 else "must not be empty")
        elif high is not None and len(value) > high:
            yield _problem(field, f"must be at most {high} characters")


def _choice_problems(body: dict):
    for field, choices in CHOICES.items():
        value = body.get(field)
        if value is None:
            yield _problem(field, "is required")
        elif value not in choices:
            yield _problem(field, f"must be one of: {', '.join(choices)}")


def _salary_problems(salary: object):
    if salary is None:
        return
    if not isinstance(salary, dict):
        yield _problem("salary", "must be an object with min, max, currency and period")
        return
    bounds = [salary.get("min"), salary.get("max")]
    if not all(isinstance(b, int | float) and not isinstance(b, bool) and b >= 0 for b in bounds):
        yield _problem("salary", "min and max must be numbers of at least 0")
    elif bounds[0] > bounds[1]:
        yield _problem("salary.min", "must not be more than salary.max")
    currency = salary.get("currency")
    if not (isinstance(currency, str) and len(currency) == 3 and currency.isalpha() and currency.isupper()):
        yield _problem("salary.currency", "must be a three-letter ISO 4217 code, such as INR")
    if salary.get("period") is not None and salary["period"] not in SALARY_PERIODS:
        yield _problem("salary.period", f"must be one of: {', '.join(SALARY_PERIODS)}")


def _skills_problems(skills: object):
    if skills is None:
        return
    if not isinstance(skills, list) or not all(isinstance(s, str) and s.strip() for s in skills):
        yield _problem("skills", "must be a list of non-empty strings")


def _expiry_problems(expires_at: object):
    if expires_at is None:
        return
    try:
        datetime.fromisoformat(expires_at)
    except (TypeError, ValueError):
        yield _problem("expiresAt", "must be an ISO 8601 date-time")


# --- HTTP -----------------------------------------------------------------------------------


async def _emulator(request: Request) -> NaukriEmulator:
    # async: a plain def dependency would run on a worker thread, for nothing
    return request.app.state.emulator


Emulator = Annotated[NaukriEmulator, Depends(_emulator)]


async def _caller(request: Request, emulator: Emulator) -> str:
    """The client id, once its secret checks out; 401 otherwise."""
    client_id = request.headers.get("x-client-id", "")
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    if not client_id or scheme.lower() != "bearer" or not emulator.client_is_valid(client_id, secret.strip()):
        raise ErrorAnswer(401, UNAUTHORIZED)
    await quota.admit_request(emulator, client_id, _rate_limited)  # the quota is per client id
    return client_id


Caller = Annotated[str, Depends(_caller)]
router = APIRouter(dependencies=[Depends(base.count_request)])


def _rate_limited(retry_after) -> ErrorAnswer:
    wait = http_edge.retry_after_text(retry_after)
    body = {"error": "rate_limited", "message": f"too many requests; retry after {wait} seconds"}
    return ErrorAnswer(429, body, {"Retry-After": wait})


def _server_error(status: int) -> ErrorAnswer:
    return ErrorAnswer(status, {"error": "server_error", "message": status_phrases.get(status, "Server error")})


async def _faults(emulator: NaukriEmulator, operation: str, client_id: str | None = None) -> None:
    await faults.apply_request_faults(
        emulator, operation, client_id=client_id, rate_limited=_rate_limited, server_error=_server_error
    )


def _answer(posting: dict, site: str) -> dict:
    """A posting as the API shows it: the create answer, also used by both look-ups."""
    fields = ("jobId", "reference", "status", "createdAt")
    return {**{key: posting[key] for key in fields}, "url": f"{site}/job-listings/{posting['jobId']}"}


@router.post("/v1/jobs", status_code=201)
async def create_job(request: Request, emulator: Emulator, client_id: Caller) -> dict:
    await _faults(emulator, CREATE, client_id)
    try:
        body = await http_edge.read_json(request)
    except ValueError as error:
        raise ErrorAnswer(422, {"errors": [_problem(None, str(error))]}) from error
    errors = posting_errors(body)
    if not errors:
        rejection = emulator.take_fault("reject", CREATE)
        if rejection:
            errors = [_problem(None, rejection.get("message", "rejected by an emulator fault"))]
    if errors:
        raise ErrorAnswer(422, {"errors": errors})
    posting = emulator.create(client_id, body)
    await faults.answer_late(emulator, client_id)
    if emulator.take_fault("lose_response", CREATE):
        raise http_edge.ConnectionDropRequested()  # stored; the caller never learns the job id
    return _answer(posting, http_edge.base_url(request))


@router.get("/v1/jobs")
async def jobs_with_reference(request: Request, emulator: Emulator, client_id: Caller) -> dict:
    await _faults(emulator, LOOKUP, client_id)
    found = emulator.with_reference(client_id, request.query_params.get("reference"))
    site = http_edge.base_url(request)
    return {"jobs": [_answer(posting, site) for posting in found]}


@router.put("/v1/jobs/{job_id}")
async def update_job(job_id: str, request: Request, emulator: Emulator, client_id: Caller) -> dict:
    await _faults(emulator, CREATE, client_id)
    try:
        body = await http_edge.read_json(request)
    except ValueError as error:
        raise ErrorAnswer(422, {"errors": [_problem(None, str(error))]}) from error
    current = _owned(emulator, client_id, job_id)
    errors = posting_errors(body)
    if not errors and body["reference"] != current["reference"]:
        errors = [_problem("reference", "must stay the posting's own reference")]
    if errors:
        raise ErrorAnswer(422, {"errors": errors})
    if current["status"] == "closed":
        raise ErrorAnswer(409, {"error": "closed", "message": f"job {job_id} is closed; a closed job cannot change"})
    return _answer(emulator.replace(client_id, job_id, body), http_edge.base_url(request))


@router.post("/v1/jobs/{job_id}/close")
async def close_job(job_id: str, request: Request, emulator: Emulator, client_id: Caller) -> dict:
    await _faults(emulator, CREATE, client_id)
    _owned(emulator, client_id, job_id)
    return _answer(emulator.close(client_id, job_id), http_edge.base_url(request))


def _owned(emulator: NaukriEmulator, client_id: str, job_id: str) -> dict:
    posting = emulator.find(client_id, job_id)
    if posting is None:
        raise ErrorAnswer(404, {"error": "not_found", "message": f"no job {job_id} for this client"})
    return posting


@router.get("/v1/jobs/{job_id}")
async def one_job(job_id: str, request: Request, emulator: Emulator, client_id: Caller) -> dict:
    await _faults(emulator, LOOKUP, client_id)
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
    pull = naukri_applications.pull_router(_caller, _faults)
    return build_app("Naukri emulator (simulation mode)", NaukriEmulator(), router, pull)
