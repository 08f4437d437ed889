"""Reading an application LinkedIn sends (Apply Connect: pushed to our webhook, or pulled from
the stand-in pull API), field by field: a payload of the wrong shape, size or range is refused
with the path of the field, never stored cut or crashed on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from shared.platforms.base import PlatformApplication

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
APPLIED_AT_MAX_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z, the last moment a datetime holds
# The sizes of the `applications` columns (shared/models/applications.py): a longer value is refused, not cut.
ID_MAX, EMAIL_MAX, PHONE_MAX, URL_MAX = 200, 320, 64, 2000


class NotAnApplication(ValueError):
    """A payload that is no Apply Connect application; `field` is the path of what is wrong in it."""

    def __init__(self, field: tuple[str, ...], problem: str):
        super().__init__(f"not a LinkedIn application: {'.'.join(field) or 'the payload'} {problem}")
        self.field, self.problem = field, problem


def parse_application(payload: object) -> PlatformApplication:
    """An Apply Connect application (pushed or pulled) in our terms.

    Raises:
        NotAnApplication: (a ValueError) naming the first field of the wrong type, size or range.
    """
    if not isinstance(payload, dict):
        raise NotAnApplication((), "must be a JSON object")
    candidate, resume = _object(payload, "candidate"), _object(payload, "resume")
    names = (_text(candidate, ("candidate", "firstName")), _text(candidate, ("candidate", "lastName")))
    return PlatformApplication(
        external_id=_identifier(payload, "jobApplicationId"),
        job_external_id=_identifier(payload, "externalJobId"),
        candidate_name=" ".join(part for part in names if part) or "(no name given)",
        candidate_email=_text(candidate, ("candidate", "email"), EMAIL_MAX),
        candidate_phone=_text(candidate, ("candidate", "phoneNumber"), PHONE_MAX),
        resume_url=_text(resume, ("resume", "mediaUrl"), URL_MAX),
        cover_letter=_text(payload, ("coverLetter",)),
        answers=_answers(payload.get("questionAnswers")),
        applied_at=_applied_at(payload.get("appliedAt")),
        raw=payload,
    )


def _object(payload: dict[str, Any], key: str) -> dict[str, Any]:
    value = payload.get(key)
    if value is not None and not isinstance(value, dict):
        raise NotAnApplication((key,), "must be an object")
    return value or {}


def _identifier(payload: dict[str, Any], key: str) -> str:
    value = payload.get(key)
    # bool is an int to Python, and `True` is no id.
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise NotAnApplication((key,), "must be a non-empty string or integer")
    return _within(str(value), (key,), ID_MAX)


def _text(container: dict[str, Any], field: tuple[str, ...], limit: int | None = None) -> str | None:
    value = container.get(field[-1])
    if value is None:
        return None
    if not isinstance(value, str):
        raise NotAnApplication(field, "must be a string")
    return _within(value, field, limit)


def _within(value: str, field: tuple[str, ...], limit: int | None) -> str:
    if limit is not None and len(value) > limit:
        raise NotAnApplication(field, f"must be at most {limit} characters")
    return value


def _answers(value: object) -> dict[str, Any] | list[Any] | None:
    if value is not None and not isinstance(value, dict | list):
        raise NotAnApplication(("questionAnswers",), "must be an object or a list")
    return value


def _applied_at(value: object) -> datetime:
    # Comparisons are false for NaN, so it fails the range check too; timedelta keeps the
    # arithmetic exact where a float division could round 9999-12-31 into year 10000.
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= APPLIED_AT_MAX_MS:
        raise NotAnApplication(("appliedAt",), f"must be epoch milliseconds, a number from 0 to {APPLIED_AT_MAX_MS}")
    return EPOCH + timedelta(milliseconds=int(value))
