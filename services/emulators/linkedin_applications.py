"""Applications on the LinkedIn emulator: their wire form (the Apply Connect payload, in its
documented shape: contact details, resume and screening answers under `questionResponses`), the push
to a posting's webhook, and the pull `GET /v2/jobApplications`, a stand-in for the pull API that
is closed to new partners:

    GET /v2/jobApplications?cursor=<opaque>&count=<1..100, default 50>[&externalJobId=<id>]
        Bearer token as every API call → {"elements": [...], "metadata": {"nextCursor", "hasMore", "resumeCursor"}}
        The caller's applications strictly after the cursor, oldest first. `nextCursor` is null
        once this page reached the end; `resumeCursor` is always the position after this page
        (pass it later to read only newer applications). 400 for a malformed cursor or count.
"""

# No `from __future__ import annotations` here: FastAPI must see the `Depends(caller)` of the
# route below as an object, and `caller` is local to `pull_router`.
import json
import time
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from services.emulators import base, linkedin_webhooks
from services.emulators.applications import Application, Candidate, EmulatorWithApplications, page_query
from services.emulators.faults import APPLICATIONS
from services.emulators.http_edge import ErrorAnswer
from services.emulators.linkedin_questions import answer_responses, custom_questions
from services.emulators.linkedin_webhooks import Delivery, WebhookSender

DUPLICATE_DELIVERIES = "duplicate_deliveries"  # {"times": n, "copies": k}: push the next n applications k times
DEFAULT_COPIES = 2
DEFAULT_WAIT_SECONDS = 10.0
PYTHON_YEARS_QUESTION = "years-of-python"  # the one screening question every emulated job asks


class LinkedInApplications(EmulatorWithApplications):
    """Applications to LinkedIn postings, pushed to the posting's webhook when it names one."""

    fault_kinds = base.FAULT_KINDS | {DUPLICATE_DELIVERIES}

    def __init__(self) -> None:
        super().__init__()
        self.webhook_retry_delay_seconds = linkedin_webhooks.DEFAULT_RETRY_DELAY_SECONDS
        self._webhooks = WebhookSender()

    def _application_wire(self, posting: dict, number: int, candidate: Candidate) -> dict:
        """Apply Connect's documented shape: the candidate as answers to the job's questions
        (shared/platforms/linkedin_applications.py says what it rests on)."""
        return {
            "jobApplicationId": f"urn:li:jobApplication:{number}",
            "externalJobId": posting["externalJobPostingId"],
            "jobPosting": posting["jobPosting"],
            "appliedAt": int(time.time() * 1000),
            "questionResponses": {
                "contactInformationQuestionResponses": {
                    "firstNameAnswer": {"value": candidate.first_name},
                    "lastNameAnswer": {"value": candidate.last_name},
                    "emailAnswer": {"value": candidate.email},
                    "cellphoneNumberQuestionAnswer": _phone_answer(candidate.phone),
                },
                "resumeQuestionResponses": {"resumeQuestionAnswer": {"mediaUrl": self.resume_url(number)}},
                "coverLetterQuestionResponses": {
                    "textCoverLetterQuestionAnswer": {
                        "answer": {"value": candidate.cover_letter or _cover_letter(posting)}
                    }
                },
                "additionalQuestionResponses": {
                    "customQuestionSetResponses": [
                        {"customQuestionResponses": _custom_responses(posting, number, candidate)}
                    ]
                },
            },
        }

    def _after_apply(self, posting: dict, made: list[Application]) -> None:
        url = _webhook_url(posting)
        if not linkedin_webhooks.is_deliverable(url):
            return
        secret = self.first_secret(posting["owner_client_id"]) or ""
        deliveries = []
        for application in made:
            # Taken per application pushed, so postings without a webhook leave the fault alone.
            duplicate = self.take_fault(DUPLICATE_DELIVERIES, "push")
            copies = int(duplicate.get("copies", DEFAULT_COPIES)) if duplicate else 1
            body = json.dumps(application.wire, separators=(",", ":")).encode()
            deliveries += [
                Delivery(
                    url=url,
                    body=body,
                    signature=linkedin_webhooks.signature(body, secret),
                    application_id=application.wire["jobApplicationId"],
                    copy=copy_number,
                    retry_delay=self.webhook_retry_delay_seconds,
                )
                for copy_number in range(1, copies + 1)
            ]
        self._webhooks.send(deliveries)

    def webhook_deliveries(self) -> list[dict]:
        """Every delivery attempt so far: url, application_id, copy, attempt (1…), status (int or "error")."""
        return self._webhooks.attempts()

    def wait_for_webhooks(self, timeout: float = DEFAULT_WAIT_SECONDS) -> bool:
        """Wait until no delivery is queued or in flight; False if it took longer than `timeout`."""
        return self._webhooks.wait(timeout)

    def expected_challenge_response(self, challenge_code: str, client_id: str) -> str:
        return linkedin_webhooks.challenge_response(challenge_code, self._secret_of(client_id))

    def validate_webhook(self, url: str, client_id: str):
        """Send LinkedIn's validation challenge to `url` and return the httpx.Response.

        A right answer is 200 {"challengeCode": <sent>, "challengeResponse":
        expected_challenge_response(<sent>, client_id)}; the code sent is in
        `response.request.url.params["challengeCode"]`.
        """
        self._secret_of(client_id)  # an unknown client is the caller's mistake: say so first
        return linkedin_webhooks.send_challenge(url, client_id)

    def _secret_of(self, client_id: str) -> str:
        secret = self.first_secret(client_id)
        if secret is None:
            raise ValueError(f"unknown client {client_id!r}")
        return secret


def _custom_responses(posting: dict, number: int, candidate: Candidate) -> list[dict]:
    """Answers to the posting's own questions; a posting that asks none gets one made-up question's."""
    if custom_questions(posting):
        return answer_responses(posting, candidate.answers)
    return [
        {"questionIdentifier": PYTHON_YEARS_QUESTION, "answer": {"textAnswerValue": {"value": str(2 + number % 8)}}}
    ]


def _phone_answer(phone: str) -> dict:
    """ "+91 98…" as a country code and the national number; a number without "+" has no country code."""
    if phone.startswith("+"):
        code, _, national = phone[1:].partition(" ")
        return {"countryCode": code, "nationalNumber": national}
    return {"nationalNumber": phone}


def _webhook_url(posting: dict) -> object:
    apply_configuration = posting.get("onsiteApplyConfiguration")
    if not isinstance(apply_configuration, dict):
        return None
    return apply_configuration.get("jobApplicationWebhookUrl")


def _cover_letter(posting: dict) -> str:
    return (
        f"Dear hiring team, I would like to apply for the {posting.get('title', 'open')} role. "
        "My experience matches what you describe, and I would welcome a conversation."
    )


def pull_router(caller: Callable[..., Awaitable[str]], faults: Callable[..., Awaitable[None]]) -> APIRouter:
    """The pull endpoint, authenticated by `caller` (the API's token check) and struck by `faults`."""
    router = APIRouter(dependencies=[Depends(base.count_request)])

    @router.get("/v2/jobApplications")
    async def job_applications(request: Request, client_id: Annotated[str, Depends(caller)]) -> dict:
        emulator: LinkedInApplications = request.app.state.emulator
        await faults(emulator, APPLICATIONS)
        try:
            after, size, external_id = page_query(request, "count", "externalJobId")
        except ValueError as error:
            raise ErrorAnswer(400, {"message": str(error), "status": 400}) from error
        page = emulator.applications_page(client_id, after=after, size=size, external_id=external_id)
        metadata = {"nextCursor": page.next_cursor, "hasMore": page.next_cursor is not None}
        return {"elements": page.elements, "metadata": {**metadata, "resumeCursor": page.resume_cursor}}

    return router
