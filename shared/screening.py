"""A job's screening questions, and what an application's answers to them mean.

A question is stored on its job (`jobs.screening_questions`, a JSON list) as the API took it,
with its id (ours: given by the client, or made once and then kept), so every board carries the
same id for it (LinkedIn's `partnerQuestionIdentifier`, Indeed's question `id`) and an answer
coming back names the question it answers. A choice travels as a short key made from its text
(`choice_key`), so reordering the choices never changes what an earlier answer meant.

Knock-outs are judged here, when an application is stored, whatever board it came from:

- yes/no and single choice: the answer must be one of `accepted`;
- multiple choice: at least one chosen answer must be one of `accepted`;
- numeric: the answer must be a number within `minimum` … `maximum` (either may be absent);
- a knock-out question left unanswered fails it.

A knocked-out application is stored like any other, marked (never dropped).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# The boards that ask a job's questions (and send answers back); elsewhere no knock-out is judged.
ASKED_ON = ("linkedin", "indeed")
QUESTION_TYPES = ("text", "yes_no", "single_choice", "multiple_choice", "numeric")
CHOICE_TYPES = ("single_choice", "multiple_choice")
YES, NO = "yes", "no"
YES_NO_KEYS = {YES: "YES", NO: "NO"}  # the symbolic names a yes/no question's two choices travel as
_NUMBER = re.compile(r"\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*")


@dataclass(frozen=True)
class ScreeningQuestion:
    """One question as the boards are asked it."""

    id: str
    text: str
    type: str  # one of QUESTION_TYPES
    required: bool = False
    choices: tuple[str, ...] = ()
    accepted: tuple[str, ...] = ()  # knock-out: the answers that pass (yes/no and choice questions)
    minimum: float | None = None  # knock-out: the numeric range that passes
    maximum: float | None = None

    @property
    def has_knockout(self) -> bool:
        return bool(self.accepted) or self.minimum is not None or self.maximum is not None

    def options(self) -> list[tuple[str, str]]:
        """(key, label) of every answer the question offers: yes/no's two, or its choices."""
        if self.type == "yes_no":
            return [(YES_NO_KEYS[YES], "Yes"), (YES_NO_KEYS[NO], "No")]
        return [(choice_key(choice), choice) for choice in self.choices]

    def accepted_keys(self) -> list[str]:
        if self.type == "yes_no":
            return [YES_NO_KEYS[answer] for answer in self.accepted]
        return [choice_key(choice) for choice in self.accepted]


def choice_key(choice: str) -> str:
    """A choice's stable key: the same text always makes the same key, whatever its position."""
    return "c_" + hashlib.sha256(choice.encode()).hexdigest()[:12]


def from_stored(stored: Iterable[Mapping[str, Any]] | None) -> tuple[ScreeningQuestion, ...]:
    """The questions as `jobs.screening_questions` holds them (see services/api/schemas/questions.py)."""
    questions = []
    for item in stored or ():
        knockout = item.get("knockout") or {}
        questions.append(
            ScreeningQuestion(
                id=item["id"],
                text=item["text"],
                type=item["type"],
                required=bool(item.get("required")),
                choices=tuple(item.get("choices") or ()),
                accepted=tuple(knockout.get("accepted") or ()),
                minimum=knockout.get("minimum"),
                maximum=knockout.get("maximum"),
            )
        )
    return tuple(questions)


@dataclass
class Judgement:
    """An application's answers keyed by our question id, and the knock-out questions it failed."""

    answers: dict[str, Any] = field(default_factory=dict)
    knocked_out_by: list[str] = field(default_factory=list)


def judge(questions: tuple[ScreeningQuestion, ...], given: Mapping[str, Any]) -> Judgement:
    """Map the board's answers (keyed by our question id) onto the job's questions and judge the knock-outs.

    Each answer is stored as {"question": <text>, "type": <type>, "answer": <our reading>}; an
    answer to no question of the job is kept under its id with "question": null.
    """
    result = Judgement()
    for question in questions:
        raw = given.get(question.id)
        answer = read_answer(question, raw)
        if raw is not None:
            result.answers[question.id] = {"question": question.text, "type": question.type, "answer": answer}
        if question.has_knockout and not passes(question, answer):
            result.knocked_out_by.append(question.id)
    known = {question.id for question in questions}
    for identifier, raw in given.items():
        if identifier not in known:
            result.answers[identifier] = {"question": None, "type": None, "answer": raw}
    return result


def read_answer(question: ScreeningQuestion, raw: Any) -> Any:
    """A board's answer in our terms: yes/no as "yes"/"no", choices as their text, numbers as numbers."""
    if raw is None:
        return None
    if question.type == "numeric":
        return _number(raw)
    if question.type in ("yes_no", *CHOICE_TYPES):
        labels = dict(question.options())
        chosen = [labels.get(str(key), _label_of(question, str(key))) for key in _as_list(raw)]
        if question.type == "yes_no":
            chosen = [text.lower() if isinstance(text, str) else text for text in chosen]
        return chosen if question.type == "multiple_choice" else (chosen[0] if chosen else None)
    return raw if isinstance(raw, str) else str(raw)


def passes(question: ScreeningQuestion, answer: Any) -> bool:
    if answer is None:
        return False
    if question.type == "numeric":
        low, high = question.minimum, question.maximum
        return isinstance(answer, float) and (low is None or answer >= low) and (high is None or answer <= high)
    accepted = set(question.accepted)
    chosen = answer if isinstance(answer, list) else [answer]
    return any(item in accepted for item in chosen)


def _label_of(question: ScreeningQuestion, given: str) -> str:
    """A board may send the label rather than the key (Indeed's `label`, a plain "Yes"): match it, case aside."""
    for key, label in question.options():
        if given.strip().lower() in (label.lower(), key.lower()):
            return label
    return given


def _as_list(raw: Any) -> list[Any]:
    return list(raw) if isinstance(raw, list | tuple) else [raw]


def _number(raw: Any) -> float | None:
    if isinstance(raw, list) and len(raw) == 1:
        raw = raw[0]
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return float(raw)
    if isinstance(raw, str) and _NUMBER.fullmatch(raw):
        return float(raw)
    return None
