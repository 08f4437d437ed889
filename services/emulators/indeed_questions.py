"""Indeed Apply's screener questions on the Indeed emulator: what a valid
`metadata.indeedApply.applyQuestionsDetails` is (shared/platforms/indeed_questions.py says where
the shape comes from), and the `questionsAndAnswers` an emulated candidate sends.

Checked: `questions.screenerQuestions` is a list (and `demographicQuestions` one too, as the
input requires); each entry holds exactly one known type; its question has a non-empty `id`
unique in the job and a non-empty `question`; a select or multiselect has options with distinct
`value`s and a `label` each.
"""

from __future__ import annotations

from typing import Any

TYPES = ("textarea", "text", "select", "multiselect", "hierarchical", "date", "file", "information", "pagebreak")
WITH_OPTIONS = ("select", "multiselect")
DEFAULT_TEXT_ANSWER = "I have done this work for several years."
DEFAULT_NUMBER = "5"


def question_problems(where: str, indeed_apply: object) -> list[str]:
    details = indeed_apply.get("applyQuestionsDetails") if isinstance(indeed_apply, dict) else None
    if details is None:
        return []
    path = f"{where}.metadata.indeedApply.applyQuestionsDetails.questions"
    definition = details.get("questions") if isinstance(details, dict) else None
    if not isinstance(definition, dict):
        return [f"{path}: is required"]
    screener, demographic = definition.get("screenerQuestions"), definition.get("demographicQuestions")
    if not isinstance(screener, list) or not isinstance(demographic, list):
        return [f"{path}: screenerQuestions and demographicQuestions must be lists"]
    problems: list[str] = []
    seen: set[str] = set()
    for index, entry in enumerate(screener):
        problems += _entry_problems(f"{path}.screenerQuestions[{index}]", entry, seen)
    return problems


def screener_questions(posting: dict) -> list[tuple[str, dict]]:
    """(type, question) of every screener question the posting asks."""
    details = (posting["metadata"].get("indeedApply") or {}).get("applyQuestionsDetails") or {}
    entries = (details.get("questions") or {}).get("screenerQuestions") or []
    return [next(iter(entry.items())) for entry in entries]


def questions_and_answers(posting: dict, given: dict[str, Any] | None) -> list[dict]:
    """An answer to every screener question: the one `given` for its id (an option by value or label), else made up."""
    answered = []
    for kind, question in screener_questions(posting):
        value = (given or {}).get(question["id"])
        if kind in WITH_OPTIONS:
            chosen = _options(question, value)
            answer: Any = chosen if kind == "multiselect" else chosen[0]
        elif question.get("format") in ("integer", "decimal"):
            answer = {"value": DEFAULT_NUMBER if value is None else str(value)}
        else:
            answer = {"value": DEFAULT_TEXT_ANSWER if value is None else str(value)}
        answered.append(
            {"question": {"id": question["id"], "type": kind, "question": question["question"]}, "answer": answer}
        )
    return answered


def _options(question: dict, value: Any) -> list[dict]:
    options = question["options"]
    if value is None:
        return [dict(options[0])]
    wanted = [str(item).lower() for item in (value if isinstance(value, list) else [value])]
    return [dict(o) for o in options if o["value"].lower() in wanted or o["label"].lower() in wanted]


def _entry_problems(path: str, entry: object, seen: set[str]) -> list[str]:
    if not isinstance(entry, dict) or len(entry) != 1 or next(iter(entry)) not in TYPES:
        return [f"{path}: must hold exactly one of {', '.join(TYPES)}"]
    kind, question = next(iter(entry.items()))
    if not isinstance(question, dict):
        return [f"{path}.{kind}: must be an object"]
    problems = []
    identifier = question.get("id")
    if not isinstance(identifier, str) or not identifier:
        problems.append(f"{path}.{kind}.id: is required")
    elif identifier in seen:
        problems.append(f"{path}.{kind}.id: {identifier!r} is used by another question")
    else:
        seen.add(identifier)
    if kind not in ("information", "pagebreak") and not str(question.get("question") or "").strip():
        problems.append(f"{path}.{kind}.question: is required")
    if kind in WITH_OPTIONS:
        options = question.get("options")
        if not _distinct_options(options):
            problems.append(f"{path}.{kind}.options: need distinct values, each with a label")
    return problems


def _distinct_options(options: object) -> bool:
    if not isinstance(options, list) or not options:
        return False
    labelled = all(
        isinstance(o, dict) and isinstance(o.get("value"), str) and isinstance(o.get("label"), str) for o in options
    )
    return labelled and len({o["value"] for o in options}) == len(options)
