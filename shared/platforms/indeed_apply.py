"""Indeed Apply's application, as Indeed POSTs it to the posting's `postUrl`, read into our terms;
and the check of its `X-Indeed-Signature`.

Indeed signs the raw body: base64(HMAC-SHA1(secret, body)). Indeed's docs key it with the API
secret of the Indeed Apply token (docs.indeed.com, "Message signature generation"), which is not
the OAuth client secret: the Indeed connection's apply secret is the key when it holds one, its
client secret otherwise (shared/connections.py `apply_signing_secret`). `job.jobId` is the id we gave the posting
(`metadata.indeedApply.jobId`: our external id).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any

from shared.platforms.base import PlatformApplication
from shared.platforms.indeed_questions import answers_of

TEXT_MAX = 10_000
# What the applications table holds (shared/models/applications.py): longer is refused, not cut.
LIMITS = {"id": 200, "fullName": 300, "email": 320, "phoneNumber": 64}


class NotAnIndeedApplication(ValueError):
    """A payload that is no Indeed Apply application; `field` is the path of what is wrong in it."""

    def __init__(self, field: tuple[str, ...], problem: str):
        super().__init__(f"not an Indeed application: {'.'.join(field) or 'the payload'} {problem}")
        self.field, self.problem = field, problem


def signature_verifies(presented: str, body: bytes, secret: str) -> bool:
    """Whether `presented` is the base64 HMAC-SHA1 of `body` keyed with `secret`, compared in constant time."""
    if not presented.isascii():  # compare_digest refuses non-ASCII text; no base64 holds any
        return False
    try:
        given = base64.b64decode(presented.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    return hmac.compare_digest(hmac.new(secret.encode(), body, hashlib.sha1).digest(), given)


def job_id_of(payload: Any) -> str | None:
    """Our external id of the posting the payload applies to, if it names one as text."""
    job = payload.get("job") if isinstance(payload, dict) else None
    job_id = job.get("jobId") if isinstance(job, dict) else None
    return job_id if isinstance(job_id, str) and job_id else None


def parse_application(payload: Any) -> PlatformApplication:
    """Raises NotAnIndeedApplication naming the first field of the wrong type or size."""
    if not isinstance(payload, dict):
        raise NotAnIndeedApplication((), "must be a JSON object")
    applicant = _object(payload, "applicant")
    job_id = job_id_of(payload)
    if job_id is None:
        raise NotAnIndeedApplication(("job", "jobId"), "must be a non-empty string")
    return PlatformApplication(
        external_id=_text(payload, ("id",), required=True) or "",
        job_external_id=job_id,
        candidate_name=_text(applicant, ("applicant", "fullName")) or "(no name given)",
        candidate_email=_text(applicant, ("applicant", "email")),
        candidate_phone=_text(applicant, ("applicant", "phoneNumber")),
        resume_url=None,  # Indeed sends the file itself (applicant.resume.file), kept in `raw`
        cover_letter=_text(applicant, ("applicant", "coverletter")),
        answers=answers_of(payload) or _legacy_questions(payload),
        applied_at=_applied_at(payload.get("appliedOnMillis")),
        raw=payload,
    )


def _legacy_questions(payload: dict[str, Any]) -> dict[str, Any] | list[Any] | None:
    """`questions` kept as sent when it holds no questions and answers we can read."""
    questions = payload.get("questions")
    return questions if isinstance(questions, dict | list) else None


def _object(payload: dict[str, Any], name: str) -> dict[str, Any]:
    value = payload.get(name, {})
    if not isinstance(value, dict):
        raise NotAnIndeedApplication((name,), "must be an object")
    return value


def _text(holder: dict[str, Any], path: tuple[str, ...], *, required: bool = False) -> str | None:
    value, limit = holder.get(path[-1]), LIMITS.get(path[-1], TEXT_MAX)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value) or len(value) > limit or "\x00" in value:
        raise NotAnIndeedApplication(path, f"must be a string of at most {limit} characters, with no NUL")
    return value or None


def _applied_at(millis: Any) -> datetime:
    if millis is None:
        return datetime.now(UTC)
    if not isinstance(millis, int) or isinstance(millis, bool) or not 0 <= millis < 253_402_300_800_000:
        raise NotAnIndeedApplication(("appliedOnMillis",), "must be milliseconds since 1970 before year 10000")
    return datetime.fromtimestamp(millis / 1000, UTC)
