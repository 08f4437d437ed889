"""Apply Connect's application status notifications on the LinkedIn emulator:

    POST /v2/jobApplicationLifecycleActions   x-restli-method: create
        {"jobApplicationId": "urn:li:jobApplication:N", "action": "APPLICATION_VIEWED",
         "performedAt": <epoch ms>, "integrationContext": "urn:li:organization:N"}
        → 201; 400 without the create header or a JSON object; 422 naming an invalid field;
          404 for an application this client was never delivered.

The fields and the three documented actions are LinkedIn's ("Sync Job Application
Notifications"); APPLICATION_HIRED is the code we read for the "application hired" notification of
LinkedIn's newer page (shared/platforms/linkedin.py). Request faults aimed "on": "status" strike here.
"""

from __future__ import annotations

import re
import time
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from services.emulators import base, http_edge
from services.emulators.faults import STATUS
from services.emulators.http_edge import ErrorAnswer
from services.emulators.linkedin_errors import bad_request, strike_request_faults
from services.emulators.linkedin_oauth import Caller
from services.emulators.linkedin_postings import LinkedInEmulator

ACTIONS = frozenset({"APPLICATION_VIEWED", "RESUME_DOWNLOADED", "APPLICATION_REJECTED", "APPLICATION_HIRED"})
FIELDS = ("jobApplicationId", "action", "performedAt", "integrationContext")
APPLICATION_URN = re.compile(r"^urn:li:jobApplication:\d+$")
ORGANIZATION_URN = re.compile(r"^urn:li:organization:\d+$")
FUTURE_TOLERANCE_MS = 5 * 60 * 1000

router = APIRouter(dependencies=[Depends(base.count_request)])


async def _emulator(request: Request) -> LinkedInEmulator:
    return request.app.state.emulator


@router.post("/v2/jobApplicationLifecycleActions", status_code=201, response_class=Response)
async def lifecycle_action(
    request: Request, client_id: Caller, emulator: Annotated[LinkedInEmulator, Depends(_emulator)]
):
    if request.headers.get("x-restli-method", "").lower() != "create":
        raise bad_request("this endpoint needs the header x-restli-method: create")
    await strike_request_faults(emulator, STATUS, client_id)
    try:
        body = await http_edge.read_json(request)
    except ValueError as error:
        raise bad_request(str(error)) from error
    if not isinstance(body, dict):
        raise bad_request("the body must be a JSON object")
    problems = action_problems(body)
    if problems:
        raise ErrorAnswer(422, {"message": "\n".join(problems), "status": 422})
    if not emulator.owns_application(client_id, "jobApplicationId", body["jobApplicationId"]):
        raise ErrorAnswer(
            404, {"message": "no such job application for this application's organization", "status": 404}
        )
    emulator.receive_status(client_id, body)
    return Response(status_code=201)


def action_problems(body: dict) -> list[str]:
    """What makes a JobApplicationLifecycleAction invalid, each naming its field; [] if nothing does."""
    problems = [f"ERROR :: /{name} :: unrecognized field" for name in body if name not in FIELDS]
    problems += [f"ERROR :: /{name} :: field is required but not found" for name in FIELDS if name not in body]
    application, action = body.get("jobApplicationId"), body.get("action")
    if "jobApplicationId" in body and not (isinstance(application, str) and APPLICATION_URN.match(application)):
        problems.append("ERROR :: /jobApplicationId :: must be urn:li:jobApplication:<number>")
    if "action" in body and action not in ACTIONS:
        problems.append(f"ERROR :: /action :: must be one of {', '.join(sorted(ACTIONS))}")
    performed = body.get("performedAt")
    if "performedAt" in body and (
        not isinstance(performed, int)
        or isinstance(performed, bool)
        or not 0 < performed <= time.time() * 1000 + FUTURE_TOLERANCE_MS
    ):
        problems.append("ERROR :: /performedAt :: must be epoch milliseconds, not in the future")
    context = body.get("integrationContext")
    if "integrationContext" in body and not (isinstance(context, str) and ORGANIZATION_URN.match(context)):
        problems.append("ERROR :: /integrationContext :: must be urn:li:organization:<number>")
    return problems
