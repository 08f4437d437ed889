"""A job's screening questions as Indeed Apply asks them, and the answers its application carries.

Asked: through the Job Sync API, `metadata.indeedApply.applyQuestionsDetails.questions`
(docs-plus.indeed.com, `SourcedJobPostingIndeedApplyInput` → `IndeedApplyQuestionsDetailsInput`
→ `IndeedApplyScreenerQuestionsDefinitionInput`): `screenerQuestions` (and the required, here
empty, `demographicQuestions`), each a `ScreenerQuestionBodyInput` holding one typed question
under its type's name (`textarea`, `text`, `select`, `multiselect`, …). Inside, the parameters of
Indeed's JSON screener questions (docs.indeed.com, "JSON for screener questions"): `id`,
`question`, `required`, `options` of `{value, label}`, `format` ("decimal" for a number). Our
question id is the `id`; a yes/no is a select of `YES`/`NO`; a choice's value is its stable key.
The typed inputs' own field lists are not in what we read, so that part is medium confidence.
Knock-outs are not sent (Indeed's `qualification` parameter is documented by name only); jobpub
judges them itself when the application arrives.

Answered: the application's `questionsAndAnswers` (docs.indeed.com, "Application data"), read as
a list of `{"question": {"id", …}, "answer": {"value", "label"} or a list of them}`; the older
placement under `questions.questionsAndAnswers` is read too.
"""

from __future__ import annotations

from typing import Any

from shared.screening import ScreeningQuestion

SCHEMA_VERSION = "1.0"
TEXT_LIMIT = 4000
_INDEED_TYPE = {
    "text": "textarea",
    "yes_no": "select",
    "single_choice": "select",
    "multiple_choice": "multiselect",
    "numeric": "text",
}


def questions_details(questions: tuple[ScreeningQuestion, ...]) -> dict[str, Any] | None:
    """`applyQuestionsDetails` for these questions; None when there are none."""
    if not questions:
        return None
    screener = [{_INDEED_TYPE[question.type]: _question(question)} for question in questions]
    definition = {"schemaVersion": SCHEMA_VERSION, "screenerQuestions": screener, "demographicQuestions": []}
    return {"questions": definition}


def _question(question: ScreeningQuestion) -> dict[str, Any]:
    body: dict[str, Any] = {"id": question.id, "question": question.text, "required": question.required}
    if question.type == "text":
        body["limit"] = TEXT_LIMIT
    elif question.type == "numeric":
        body["format"] = "decimal"
    else:
        body["options"] = [{"value": key, "label": label} for key, label in question.options()]
    return body


def answers_of(payload: dict[str, Any]) -> dict[str, Any] | None:
    """The application's answers by question id (a choice by its value, several as a list); None if none."""
    entries = payload.get("questionsAndAnswers")
    if entries is None and isinstance(payload.get("questions"), dict):
        entries = payload["questions"].get("questionsAndAnswers")
    if not isinstance(entries, list):
        return None
    answers: dict[str, Any] = {}
    for entry in entries:
        question = entry.get("question") if isinstance(entry, dict) else None
        identifier = question.get("id") if isinstance(question, dict) else None
        if isinstance(identifier, str) and identifier:
            answers[identifier] = _value(entry.get("answer"))
    return answers or None


def _value(answer: Any) -> Any:
    if isinstance(answer, list):
        return [_value(item) for item in answer]
    if isinstance(answer, dict):
        return answer.get("value", answer.get("label"))
    return answer
