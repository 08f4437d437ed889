"""A job's screening questions in LinkedIn Apply Connect's terms: `onsiteApplyConfiguration.questions`.

The shape follows LinkedIn's "OnsiteApplyConfiguration Schema" page and the model classes of its
official Java SDK (linkedin/talent-solutions-java-sdk, package `…applyconnect.applyConfiguration`):
custom questions go under `additionalQuestions.customQuestionSets[].questions[]`, each a
`SimpleTalentQuestionDefinition` with a `partnerQuestionIdentifier` (unique in the job; a
duplicate makes LinkedIn post the job without onsite apply), `questionText`, `required` and
`questionDetails`, which holds exactly one of `textQuestionDetails`,
`multipleChoiceQuestionDetails` (`choices[]` of `{symbolicName, displayValue}`, `selectMultiple`,
`favorableMultipleChoiceAnswer.favorableSymbolicNames`) or `numericQuestionDetails`
(`decimalQuestionDetails`, and `favorableNumericAnswer` with `favorableFloor`/`favorableCeiling`).
A yes/no question is a multiple choice of `YES` and `NO`. Our question id is the
`partnerQuestionIdentifier`, so an answer pushed back names our question.
"""

from __future__ import annotations

from typing import Any

from shared.screening import ScreeningQuestion

TEXT_MAX_LENGTH = 4000  # what we let a text answer be; LinkedIn leaves it to the partner


def questions_configuration(questions: tuple[ScreeningQuestion, ...]) -> dict[str, Any]:
    """The `questions` object of `onsiteApplyConfiguration` for these questions ({} when none)."""
    if not questions:
        return {}
    custom = [_definition(question) for question in questions]
    return {"additionalQuestions": {"customQuestionSets": [{"questions": custom, "repeatLimit": 1}]}}


def _definition(question: ScreeningQuestion) -> dict[str, Any]:
    return {
        "partnerQuestionIdentifier": question.id,
        "questionText": question.text,
        "required": question.required,
        "questionDetails": _details(question),
    }


def _details(question: ScreeningQuestion) -> dict[str, Any]:
    if question.type == "text":
        return {"textQuestionDetails": {"maxLength": TEXT_MAX_LENGTH, "preferredFormComponent": "MULTILINE_TEXT"}}
    if question.type == "numeric":
        numeric: dict[str, Any] = {"decimalQuestionDetails": {}}
        if question.has_knockout:
            favorable = {"favorableFloor": question.minimum, "favorableCeiling": question.maximum}
            numeric["favorableNumericAnswer"] = {k: v for k, v in favorable.items() if v is not None}
        return {"numericQuestionDetails": numeric}
    multiple = question.type == "multiple_choice"
    details: dict[str, Any] = {
        "choices": [{"symbolicName": key, "displayValue": label} for key, label in question.options()],
        "selectMultiple": multiple,
        "preferredFormComponent": "CHECKBOXES" if multiple else "RADIO_BUTTONS",
    }
    if question.has_knockout:
        details["favorableMultipleChoiceAnswer"] = {"favorableSymbolicNames": question.accepted_keys()}
    return {"multipleChoiceQuestionDetails": details}
