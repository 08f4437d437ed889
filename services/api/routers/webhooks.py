"""Pushed applications: LinkedIn's Apply Connect webhook (the URL each LinkedIn posting carries)
and Indeed Apply's `postUrl` (`POST /indeed/applications/`, signed `X-Indeed-Signature`: base64
HMAC-SHA1 of the raw body, keyed with the owning organization's Indeed apply secret, or its
Indeed client secret when no apply secret is set; checked in shared/platforms/indeed_apply.py).
Both follow the rules below.

A delivery is trusted only when `X-LI-Signature` is the HMAC-SHA256 of the raw body keyed with
the client secret of the organization that owns the posting; anything else is a 401 and
stores nothing. LinkedIn delivers an application more than once at times, and retries what
we do not answer with 200: storing is deduplicated, and a repeat is answered 200 too.

The URL-validation challenge is keyed with the same secret, so it answers only UUIDs (what
LinkedIn sends, and never a JSON body): otherwise it would sign whatever push a caller asked.
No malformed delivery is a 500: a body that is not storable JSON is a 400, a signed one that
is no application a 422 naming the field.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from sqlalchemy import select

from services.api.deps import SessionDep
from services.api.job_publishing import FieldProblem
from services.api.schemas.common import NUL_PROBLEM, NoNul
from services.api.schemas.errors import error_answers
from services.api.schemas.webhooks import ChallengeOut, DeliveryStoredOut, pushed_body
from shared.applications import store_applications
from shared.connections import PlatformNotConnected, apply_signing_secret, load_credentials
from shared.crypto import CredentialDecryptError
from shared.models import PlatformConnection, Posting
from shared.notifications import APPLICATION_RECEIVED, notify
from shared.platforms import indeed_apply
from shared.platforms.base import PlatformApplication
from shared.platforms.linkedin_applications import NotAnApplication, parse_application

router = APIRouter(prefix="/jobs/publishing/webhooks", tags=["webhooks"])

SIGNATURE_HEADER = "X-LI-Signature"
SIGNATURE_PREFIX = "hmacsha256="
UNVERIFIED = "the delivery's X-LI-Signature does not verify for the job it names"
PLATFORM = "linkedin"
INDEED = "indeed"
INDEED_SIGNATURE_HEADER = "X-Indeed-Signature"
INDEED_UNVERIFIED = "the delivery's X-Indeed-Signature does not verify for the job it names"
# LinkedIn's challenge codes are UUIDs. Answering only those keeps the challenge from being a
# signing oracle: the answer is the same HMAC a push is verified with, and no UUID is a JSON body.
CHALLENGE_CODE_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
CHALLENGE_CODE = re.compile(CHALLENGE_CODE_PATTERN)
NOT_A_UUID = "the challenge code must be a UUID (8-4-4-4-12 hex digits), as LinkedIn sends"
# An application is a few levels deep. A deeper body only costs stack: json.loads and the walks
# that store it recurse, and a RecursionError would be a 500.
MAX_NESTING = 32
TOO_DEEP = f"the body is not JSON we accept: it is nested deeper than {MAX_NESTING} levels"
LONE_SURROGATE = (
    "the body is not JSON we can store: it holds a lone surrogate escape (\\ud800-\\udfff), which is no text"
)


async def raw_body(request: Request) -> bytes:
    return await request.body()


def _cipher(request: Request):
    cipher = request.app.state.cipher
    if cipher is None:
        raise HTTPException(503, "JOBPUB_ENCRYPTION_KEYS is not set: no webhook can be verified")
    return cipher


@router.post(
    "/linkedin/applications/",
    response_model=DeliveryStoredOut,
    responses=error_answers(400, 401, 400, 413, 422, 503),
    openapi_extra=pushed_body("An Apply Connect application; `externalJobId` names the posting.", SIGNATURE_HEADER),
)
def linkedin_application(request: Request, session: SessionDep, body: Annotated[bytes, Depends(raw_body)]):
    """One application pushed by LinkedIn, signed with the organization's client secret."""
    payload = _json_body(body)
    external_job_id = payload.get("externalJobId") if isinstance(payload, dict) else None
    if isinstance(external_job_id, str) and "\x00" in external_job_id:
        raise FieldProblem(("body", "externalJobId"), NUL_PROBLEM, "nul_character")
    posting = (
        session.scalar(select(Posting).where(Posting.platform == PLATFORM, Posting.external_id == str(external_job_id)))
        if external_job_id
        else None
    )
    if posting is None or not _signed_by_owner(request, session, posting.organization_id, body):
        raise HTTPException(401, UNVERIFIED)
    try:
        application = parse_application(payload)
    except NotAnApplication as error:
        raise FieldProblem(("body", *error.field), error.problem, "invalid_application") from None
    return _store_once(request, session, posting, "LinkedIn apply", application)


@router.post(
    "/indeed/applications/",
    response_model=DeliveryStoredOut,
    responses=error_answers(400, 401, 400, 413, 422, 503),
    openapi_extra=pushed_body("An Indeed Apply application; `job.jobId` names the posting.", INDEED_SIGNATURE_HEADER),
)
def indeed_application(request: Request, session: SessionDep, body: Annotated[bytes, Depends(raw_body)]):
    """One Indeed Apply application, signed with the organization's Indeed apply secret (its Indeed
    Apply token's API secret) when the connection holds one, else with its Indeed client secret."""
    payload = _json_body(body)
    job_id = indeed_apply.job_id_of(payload)
    if job_id is not None and "\x00" in job_id:
        raise FieldProblem(("body", "job", "jobId"), NUL_PROBLEM, "nul_character")
    posting = (
        session.scalar(select(Posting).where(Posting.platform == INDEED, Posting.external_id == job_id))
        if job_id
        else None
    )
    if posting is None or not _indeed_signed(request, session, posting.organization_id, body):
        raise HTTPException(401, INDEED_UNVERIFIED)
    try:
        application = indeed_apply.parse_application(payload)
    except indeed_apply.NotAnIndeedApplication as error:
        raise FieldProblem(("body", *error.field), error.problem, "invalid_application") from None
    return _store_once(request, session, posting, "Indeed apply", application)


def _store_once(request: Request, session, posting: Posting, source: str, application: PlatformApplication):
    """Store the application once (a repeat is answered 200 too) and notify of a new one."""
    stored = store_applications(
        session,
        posting.organization_id,
        posting.platform,
        source,
        [application],
        correlation_id=request.state.correlation_id,
    )
    for application_id in stored.new_ids:  # its ApplicationReceived is recorded with it
        data = dict(
            job_id=posting.job_id,
            platform=posting.platform,
            application_id=application_id,
            candidate_name=application.candidate_name,
        )
        notify(session, posting.organization_id, APPLICATION_RECEIVED, data)
    session.commit()
    return {"status": "stored" if stored.new else "already stored"}


def _indeed_signed(request: Request, session, organization_id: int, body: bytes) -> bool:
    try:
        secret = apply_signing_secret(session, _cipher(request), organization_id, INDEED)
    except (PlatformNotConnected, CredentialDecryptError):
        return False
    return indeed_apply.signature_verifies(request.headers.get(INDEED_SIGNATURE_HEADER, ""), body, secret)


def _json_body(body: bytes):
    """The pushed JSON, or a 400 for a body that is not JSON PostgreSQL can store (JSONB holds
    no NaN, Infinity or lone surrogate, all of which Python's parser lets through)."""
    try:
        payload = json.loads(body, parse_constant=_not_a_number, parse_float=_finite)
    except RecursionError:
        raise HTTPException(400, TOO_DEEP) from None
    except ValueError as error:
        raise HTTPException(400, f"the body is not JSON: {error}") from None
    problem = _unstorable(payload)
    if problem:
        raise HTTPException(400, problem)
    return payload


def _not_a_number(constant: str):
    raise ValueError(f"{constant} is not a JSON number")


def _finite(number: str) -> float:
    value = float(number)
    if not math.isfinite(value):
        raise ValueError(f"{number[:40]} is beyond the range of a number")
    return value


def _unstorable(payload) -> str | None:
    """What makes parsed JSON too deep or not storable, walked without recursion."""
    pending = [(payload, 0)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict | list) and depth >= MAX_NESTING:
            return TOO_DEEP
        if isinstance(value, dict):
            pending.extend((key, depth + 1) for key in value)
            pending.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and not value.isascii() and not _is_text(value):
            return LONE_SURROGATE
    return None


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _signed_by_owner(request: Request, session, organization_id: int, body: bytes) -> bool:
    presented = request.headers.get(SIGNATURE_HEADER, "")
    if not presented.startswith(SIGNATURE_PREFIX):
        return False
    try:
        secret = load_credentials(session, _cipher(request), organization_id, PLATFORM).client_secret
    except (PlatformNotConnected, CredentialDecryptError):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    given = presented.removeprefix(SIGNATURE_PREFIX).strip().lower()
    # compare_digest raises on a non-ASCII str (a 500); no hex digest holds one, so it is simply wrong.
    return given.isascii() and hmac.compare_digest(expected, given)


@router.get("/linkedin/applications/", response_model=ChallengeOut, responses=error_answers(404, 422, 503))
def linkedin_challenge(
    request: Request,
    session: SessionDep,
    # The pattern is in the document; checked below, to say in words that it must be a UUID.
    challenge_code: Annotated[str, Query(alias="challengeCode", json_schema_extra={"pattern": CHALLENGE_CODE_PATTERN})],
    client_id: Annotated[str, Query(alias="clientId", min_length=1, max_length=200), NoNul],
):
    """LinkedIn's validation of the webhook URL: the challenge signed with the app's client secret."""
    if not CHALLENGE_CODE.fullmatch(challenge_code):
        raise FieldProblem(("query", "challengeCode"), NOT_A_UUID, "uuid_parsing")
    # A client id is whatever a tenant types, so several organizations may name the same one:
    # the first to connect it answers, and a later one cannot take the validation over.
    connection = session.scalar(
        select(PlatformConnection)
        .where(PlatformConnection.platform == PLATFORM, PlatformConnection.client_id == client_id)
        .order_by(PlatformConnection.id)
        .limit(1)
    )
    if connection is None:
        raise HTTPException(404, "no LinkedIn connection uses this client id")
    try:
        secret = load_credentials(session, _cipher(request), connection.organization_id, PLATFORM).client_secret
    except (PlatformNotConnected, CredentialDecryptError):
        raise HTTPException(404, "no LinkedIn connection uses this client id") from None
    response = hmac.new(secret.encode(), challenge_code.encode(), hashlib.sha256).hexdigest()
    return {"challengeCode": challenge_code, "challengeResponse": response}
