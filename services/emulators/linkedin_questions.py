"""Apply Connect's screening questions on the LinkedIn emulator: what a valid
`onsiteApplyConfiguration.questions` is (shared/platforms/linkedin_questions.py says where the
shape comes from), and the answers an emulated candidate gives to a posting's custom questions.

Checked: `questions` is an object; its `additionalQuestions.customQuestionSets` a list of sets,
each with 1 or more `questions` and a `repeatLimit` of 1…10 if given; each question has a
non-empty `partnerQuestionIdentifier` unique in the job, a non-empty `questionText`, a boolean
`required` if given, and `questionDetails` with exactly one known kind; a multiple choice has 1 or
more choices with distinct `symbolicName`s and a `displayValue` each, and its favorable names are
among them.
"""

from __future__ import annotations

import json
from typing import Any

DETAIL_KINDS = (
    "textQuestionDetails",
    "multipleChoiceQuestionDetails",
    "numericQuestionDetails",
    "dateRangeQuestionDetails",
    "documentQuestionDetails",
)
SETS_PATH = "onsiteApplyConfiguration/questions/additionalQuestions/customQuestionSets"
DEFAULT_TEXT_ANSWER = "I have done this work for several years."
DEFAULT_NUMBER = 5


def question_errors(configuration: object) -> list[str]:
    """Every reason the element's `onsiteApplyConfiguration.questions` is invalid, as LinkedIn words them."""
    if not isinstance(configuration, dict) or configuration.get("questions") is None:
        return []
    questions = configuration["questions"]
    if not isinstance(questions, dict):
        return [_error("onsiteApplyConfiguration/questions", "must be a record")]
    additional = questions.get("additionalQuestions") or {}
    sets = additional.get("customQuestionSets") if isinstance(additional, dict) else None
    if sets is None:
        return []
    if not isinstance(sets, list):
        return [_error(SETS_PATH, "must be an array")]
    errors: list[str] = []
    seen: set[str] = set()
    for number, question_set in enumerate(sets):
        errors += _set_errors(f"{SETS_PATH}/{number}", question_set, seen)
    return errors


def custom_questions(posting: dict) -> list[dict]:
    """The posting's custom questions, in order (none when it asks none)."""
    configuration = posting.get("onsiteApplyConfiguration") or {}
    sets = ((configuration.get("questions") or {}).get("additionalQuestions") or {}).get("customQuestionSets") or []
    return [question for question_set in sets for question in question_set.get("questions") or []]


def answer_responses(posting: dict, given: dict[str, Any] | None) -> list[dict]:
    """`customQuestionResponses` for every custom question: the answer `given` for its identifier
    (a choice by its symbolic name or its displayed text), else a made-up one."""
    responses = []
    for question in custom_questions(posting):
        identifier = question["partnerQuestionIdentifier"]
        details = question["questionDetails"]
        value = (given or {}).get(identifier)
        answer: dict[str, Any]
        if "multipleChoiceQuestionDetails" in details:
            answer = {"multipleChoiceAnswerValue": {"symbolicNames": _symbolic(details, value)}}
        elif "numericQuestionDetails" in details:
            answer = {"textAnswerValue": {"value": str(DEFAULT_NUMBER if value is None else value)}}
        else:
            answer = {"textAnswerValue": {"value": DEFAULT_TEXT_ANSWER if value is None else str(value)}}
        responses.append({"questionIdentifier": identifier, "answer": answer})
    return responses


def _symbolic(details: dict, value: Any) -> list[str]:
    choices = details["multipleChoiceQuestionDetails"]["choices"]
    if value is None:
        return [choices[0]["symbolicName"]]
    by_text = {str(c["displayValue"]).lower(): c["symbolicName"] for c in choices}
    by_text |= {str(c["symbolicName"]).lower(): c["symbolicName"] for c in choices}
    wanted = value if isinstance(value, list) else [value]
    return [by_text.get(str(item).lower(), str(item)) for item in wanted]


def _set_errors(path: str, question_set: object, seen: set[str]) -> list[str]:
    if not isinstance(question_set, dict):
        return [_error(path, "must be a record")]
    errors = []
    limit = question_set.get("repeatLimit")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 10):
        errors.append(_error(f"{path}/repeatLimit", f"{json.dumps(limit)} is out of range 1..10"))
    questions = question_set.get("questions")
    if not isinstance(questions, list) or not questions:
        return [*errors, _error(f"{path}/questions", "must be an array of 1 or more questions")]
    for number, question in enumerate(questions):
        errors += _question_errors(f"{path}/questions/{number}", question, seen)
    return errors


def _question_errors(path: str, question: object, seen: set[str]) -> list[str]:
    if not isinstance(question, dict):
        return [_error(path, "must be a record")]
    errors = []
    identifier = question.get("partnerQuestionIdentifier")
    if not isinstance(identifier, str) or not identifier:
        errors.append(_error(f"{path}/partnerQuestionIdentifier", "field is required but not found"))
    elif identifier in seen:
        errors.append(_error(f"{path}/partnerQuestionIdentifier", f"{json.dumps(identifier)} is duplicated"))
    else:
        seen.add(identifier)
    if not isinstance(question.get("questionText"), str) or not question["questionText"].strip():
        errors.append(_error(f"{path}/questionText", "field is required but not found"))
    if "required" in question and not isinstance(question["required"], bool):
        errors.append(_error(f"{path}/required", f"{json.dumps(question['required'])} is not a boolean"))
    return errors + _details_errors(f"{path}/questionDetails", question.get("questionDetails"))


def _details_errors(path: str, details: object) -> list[str]:
    kinds = [kind for kind in DETAIL_KINDS if isinstance(details, dict) and details.get(kind) is not None]
    if not isinstance(details, dict) or len(kinds) != 1 or set(details) - set(DETAIL_KINDS):
        return [_error(path, f"must hold exactly one of {', '.join(DETAIL_KINDS)}")]
    if kinds[0] != "multipleChoiceQuestionDetails":
        return []
    choice_path = f"{path}/multipleChoiceQuestionDetails"
    choices = details[kinds[0]].get("choices")
    if not isinstance(choices, list) or not choices:
        return [_error(f"{choice_path}/choices", "must be an array of 1 or more choices")]
    names = [c.get("symbolicName") for c in choices if isinstance(c, dict) and isinstance(c.get("displayValue"), str)]
    if len(names) != len(choices) or not all(isinstance(n, str) and n for n in names) or len(set(names)) != len(names):
        return [_error(f"{choice_path}/choices", "each choice needs a distinct symbolicName and a displayValue")]
    favorable = (details[kinds[0]].get("favorableMultipleChoiceAnswer") or {}).get("favorableSymbolicNames") or []
    unknown = [name for name in favorable if name not in names]
    if unknown:
        return [_error(f"{choice_path}/favorableMultipleChoiceAnswer", f"{json.dumps(unknown)} are not choices")]
    return []


def _error(field: str, reason: str) -> str:
    return f"ERROR :: /{field} :: {reason}"
