"""Reading an application LinkedIn sends (Apply Connect: pushed to our webhook, or pulled from
the stand-in pull API), field by field: a payload of the wrong shape, size or range is refused
with the path of the field, never stored cut or crashed on.

Two shapes are read:

- **The documented one.** The candidate's details come as answers to the job's questions, under
  `questionResponses`:

      {"jobApplicationId": "urn:li:jobApplication:N", "externalJobId": "<ours>", "appliedAt": <epoch ms>,
       "questionResponses": {
         "contactInformationQuestionResponses": {
           "firstNameAnswer": {"value": …}, "lastNameAnswer": {"value": …}, "emailAnswer": {"value": …},
           "cellphoneNumberQuestionAnswer": {"countryCode": …, "nationalNumber": …}},
         "resumeQuestionResponses": {"resumeQuestionAnswer": {"mediaUrl": …}},
         "coverLetterQuestionResponses": {"textCoverLetterQuestionAnswer": {"answer": {"value": …}}},
         "additionalQuestionResponses": {"customQuestionSetResponses": [{"customQuestionResponses": [
           {"questionIdentifier": …, "answer": {"textAnswerValue": {"value": …}}}]}]}}}

  What we relied on, and where it comes from (read 2026 with the team's search tool):
  LinkedIn's "Receive Applications" page (learn.microsoft.com/en-us/linkedin/talent/apply-connect/
  receive-applications) for the push itself: a POST per application to the job's
  `jobApplicationWebhookUrl`, a job application id to store, `X-LI-Signature`, six retries. Its
  "OnsiteApplyConfiguration Schema" page (…/apply-connect/onsite-apply-config-schema) for the
  question sections a job asks (contact information: first name, last name, e-mail and phone;
  resume; cover letter; additional questions with a `partnerQuestionIdentifier`). The stored copy
  of the Receive Applications page stops before its sample payload, so the *field names* of the
  responses above come from public partner code that consumes the push (an Odoo Apply Connect
  controller, and a Go emulator of the payload with a golden file): both read
  `contactInformationQuestionResponses.{firstNameAnswer,lastNameAnswer,emailAnswer}.value`,
  `cellphoneNumberQuestionAnswer.nationalNumber`, `resumeQuestionResponses.resumeQuestionAnswer.mediaUrl`;
  the Odoo one `coverLetterQuestionResponses.textCoverLetterQuestionAnswer.answer.value`, the Go one
  `additionalQuestionResponses.customQuestionSetResponses[].customQuestionResponses[]
  .{questionIdentifier, answer.textAnswerValue.value}` and `countryCode` beside `nationalNumber`.
  Confidence: medium (names agree across sources, none is LinkedIn's own sample). Whether
  `countryCode` is a dialling code or an ISO country is not settled: digits are read as a
  dialling code ("+91 98…"), anything else is kept in brackets after the number.
  A custom answer is stored by its question identifier: the text, the symbolic names of a
  multiple-choice answer, or the answer object as sent when it is of another kind.

- **The flat one** our emulator sent before (a `candidate` object, `resume.mediaUrl`,
  `coverLetter`, `questionAnswers`): still read, so nothing stored or queued in that shape is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.platforms.base import PlatformApplication

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
APPLIED_AT_MAX_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z, the last moment a datetime holds
# The sizes of the `applications` columns (shared/models/applications.py): a longer value is refused, not cut.
ID_MAX, EMAIL_MAX, PHONE_MAX, URL_MAX = 200, 320, 64, 2000
RESPONSES = ("questionResponses",)
CONTACT = (*RESPONSES, "contactInformationQuestionResponses")
PHONE = (*CONTACT, "cellphoneNumberQuestionAnswer")
RESUME = (*RESPONSES, "resumeQuestionResponses", "resumeQuestionAnswer")
COVER_LETTER = (*RESPONSES, "coverLetterQuestionResponses", "textCoverLetterQuestionAnswer", "answer")
QUESTION_SETS = (*RESPONSES, "additionalQuestionResponses", "customQuestionSetResponses")


class NotAnApplication(ValueError):
    """A payload that is no Apply Connect application; `field` is the path of what is wrong in it."""

    def __init__(self, field: tuple[str, ...], problem: str):
        super().__init__(f"not a LinkedIn application: {'.'.join(field) or 'the payload'} {problem}")
        self.field, self.problem = field, problem


@dataclass(frozen=True)
class _Candidate:
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    resume_url: str | None
    cover_letter: str | None
    answers: dict[str, Any] | list[Any] | None


def parse_application(payload: object) -> PlatformApplication:
    """An Apply Connect application (pushed or pulled, either shape) in our terms.

    Raises:
        NotAnApplication: (a ValueError) naming the first field of the wrong type, size or range.
    """
    if not isinstance(payload, dict):
        raise NotAnApplication((), "must be a JSON object")
    candidate = _documented(payload) if "questionResponses" in payload else _flat(payload)
    names = (candidate.first_name, candidate.last_name)
    return PlatformApplication(
        external_id=_identifier(payload, "jobApplicationId"),
        job_external_id=_identifier(payload, "externalJobId"),
        candidate_name=" ".join(part for part in names if part) or "(no name given)",
        candidate_email=candidate.email,
        candidate_phone=candidate.phone,
        resume_url=candidate.resume_url,
        cover_letter=candidate.cover_letter,
        answers=candidate.answers,
        applied_at=_applied_at(payload.get("appliedAt")),
        raw=payload,
    )


def _documented(payload: dict[str, Any]) -> _Candidate:
    _object_at(payload, RESPONSES)  # a questionResponses that is no object is named as such
    return _Candidate(
        first_name=_text(_object_at(payload, (*CONTACT, "firstNameAnswer")), (*CONTACT, "firstNameAnswer", "value")),
        last_name=_text(_object_at(payload, (*CONTACT, "lastNameAnswer")), (*CONTACT, "lastNameAnswer", "value")),
        email=_text(_object_at(payload, (*CONTACT, "emailAnswer")), (*CONTACT, "emailAnswer", "value"), EMAIL_MAX),
        phone=_phone(_object_at(payload, PHONE)),
        resume_url=_text(_object_at(payload, RESUME), (*RESUME, "mediaUrl"), URL_MAX),
        cover_letter=_text(_object_at(payload, COVER_LETTER), (*COVER_LETTER, "value"))
        or _text(payload, ("coverLetter",)),
        answers=_custom_answers(payload),
    )


def _flat(payload: dict[str, Any]) -> _Candidate:
    candidate, resume = _object_at(payload, ("candidate",)), _object_at(payload, ("resume",))
    return _Candidate(
        first_name=_text(candidate, ("candidate", "firstName")),
        last_name=_text(candidate, ("candidate", "lastName")),
        email=_text(candidate, ("candidate", "email"), EMAIL_MAX),
        phone=_text(candidate, ("candidate", "phoneNumber"), PHONE_MAX),
        resume_url=_text(resume, ("resume", "mediaUrl"), URL_MAX),
        cover_letter=_text(payload, ("coverLetter",)),
        answers=_answers(payload.get("questionAnswers")),
    )


def _object_at(payload: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    """The object at `path` ({} where any part is absent or null); NotAnApplication where one is no object."""
    current = payload
    for depth, key in enumerate(path, start=1):
        value = current.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise NotAnApplication(path[:depth], "must be an object")
        current = value
    return current


def _phone(answer: dict[str, Any]) -> str | None:
    number = _text(answer, (*PHONE, "nationalNumber"), PHONE_MAX)
    code = _text(answer, (*PHONE, "countryCode"), PHONE_MAX)
    if not number:
        return None
    digits = (code or "").removeprefix("+")
    phone = f"+{digits} {number}" if digits.isdigit() else f"{number} ({code})" if code else number
    return _within(phone, (*PHONE, "nationalNumber"), PHONE_MAX)


def _custom_answers(payload: dict[str, Any]) -> dict[str, Any] | None:
    """Every custom question's answer by its identifier, over all question sets; None if none was asked."""
    sets = _list_at(payload, QUESTION_SETS)
    answers: dict[str, Any] = {}
    for index, question_set in enumerate(sets):
        set_path = (*QUESTION_SETS, str(index))
        if not isinstance(question_set, dict):
            raise NotAnApplication(set_path, "must be an object")
        for number, response in enumerate(_list_at(question_set, ("customQuestionResponses",))):
            path = (*set_path, "customQuestionResponses", str(number))
            if not isinstance(response, dict):
                raise NotAnApplication(path, "must be an object")
            identifier = _text(response, (*path, "questionIdentifier"), ID_MAX)
            if not identifier:
                raise NotAnApplication((*path, "questionIdentifier"), "must be a non-empty string")
            answers[identifier] = _answer_value(_object_at(response, ("answer",)))
    return answers or None


def _list_at(container: dict[str, Any], path: tuple[str, ...]) -> list[Any]:
    value = _object_at(container, path[:-1]).get(path[-1])
    if value is not None and not isinstance(value, list):
        raise NotAnApplication(path, "must be a list")
    return value or []


def _answer_value(answer: dict[str, Any]) -> Any:
    text = answer.get("textAnswerValue")
    if isinstance(text, dict) and "value" in text:
        return text["value"]
    choice = answer.get("multipleChoiceAnswerValue")
    if isinstance(choice, dict) and "symbolicNames" in choice:
        return choice["symbolicNames"]
    # Another kind, e.g. a number's `{"<kind>AnswerValue": {"value": 5}}`, whose name no source we
    # read gives: its one value; anything else is kept as sent.
    if len(answer) == 1:
        (only,) = answer.values()
        if isinstance(only, dict) and set(only) == {"value"}:
            return only["value"]
    return answer or None


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
