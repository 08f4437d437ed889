"""A job's screening questions as the API takes them (shared/screening.py says what they mean).

Every rule is checked at request time, so a 422 names the question's index and its field
(`body.job.screening_questions.2.knockout`) before anything is stored or sent to a board.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonDict
from pydantic_core import PydanticCustomError

from services.api.schemas.common import Strict, Text
from shared.screening import CHOICE_TYPES, NO, YES
from shared.white_space import WHITE_SPACE

MAX_QUESTIONS = 50
YES_OR_NO = f"^[{WHITE_SPACE}]*(?:{YES}|{NO})[{WHITE_SPACE}]*$"
MAX_CHOICES_PER_QUESTION = 50
QuestionId = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"),
    Field(description="Ours and stable: given, or made when the job is stored and then kept. Letters, digits, _.:-"),
]
ChoiceText = Annotated[Text, StringConstraints(max_length=200)]


class KnockoutIn(Strict):
    """What an answer must be to pass; an application that fails is stored and marked `knocked_out`."""

    accepted: list[ChoiceText] | None = Field(
        None, min_length=1, description='yes_no: "yes" and/or "no"; single/multiple_choice: some of the choices.'
    )
    minimum: float | None = Field(None, allow_inf_nan=False, description="numeric: the smallest answer that passes.")
    maximum: float | None = Field(None, allow_inf_nan=False, description="numeric: the largest answer that passes.")

    @model_validator(mode="after")
    def _something(self) -> KnockoutIn:
        if self.accepted is None and self.minimum is None and self.maximum is None:
            raise ValueError("give accepted (yes/no and choice questions) or minimum/maximum (numeric)")
        if self.minimum is not None and self.maximum is not None and self.maximum < self.minimum:
            raise ValueError("maximum must not be below minimum")
        return self


def _null_or_absent(name: str) -> JsonDict:
    return {"not": {"required": [name], "properties": {name: {"not": {"type": "null"}}}}}


def _rules_by_type() -> JsonDict:
    """The rules `_choices_fit_type` and `_knockout_fits_type` apply, as JSON Schema `if`/`then`, so a
    generated client or form knows them. Not stated, since no schema can say them: a knock-out's
    accepted answers among the question's own choices, choices that differ only once stripped, and
    ids unique across questions."""
    knockout_by_numbers: JsonDict = {
        "type": "object",
        "anyOf": [{"required": [end], "properties": {end: {"type": "number"}}} for end in ("minimum", "maximum")],
        "allOf": [_null_or_absent("accepted")],
    }

    def knockout_by_answers(answers: JsonDict) -> JsonDict:
        return {
            "type": "object",
            "properties": {"accepted": {"type": "array", "items": answers}},
            "required": ["accepted"],
            "allOf": [_null_or_absent("minimum"), _null_or_absent("maximum")],
        }

    def when(kinds: tuple[str, ...], then: JsonDict) -> JsonDict:
        return {"if": {"properties": {"type": {"enum": list(kinds)}}, "required": ["type"]}, "then": then}

    def knockout_is(schema: JsonDict) -> JsonDict:
        return {"properties": {"knockout": {"anyOf": [schema, {"type": "null"}]}}}

    return {
        "allOf": [
            when(
                CHOICE_TYPES,
                {
                    "required": ["choices"],
                    "properties": {"choices": {"type": "array", "minItems": 2, "uniqueItems": True}},
                },
            ),
            when(CHOICE_TYPES, knockout_is(knockout_by_answers({"type": "string"}))),
            when(
                ("text", "yes_no", "numeric"),
                {"properties": {"choices": {"anyOf": [{"type": "null"}, {"maxItems": 0}]}}},
            ),
            when(("text",), _null_or_absent("knockout")),
            # "yes" or "no", with the white space a ChoiceText is stripped of
            when(("yes_no",), knockout_is(knockout_by_answers({"type": "string", "pattern": YES_OR_NO}))),
            when(("numeric",), knockout_is(knockout_by_numbers)),
        ]
    }


class ScreeningQuestionIn(Strict):
    model_config = ConfigDict(json_schema_extra=_rules_by_type())

    id: QuestionId | None = None
    text: Annotated[Text, StringConstraints(max_length=1000)]
    type: Literal["text", "yes_no", "single_choice", "multiple_choice", "numeric"]
    choices: list[ChoiceText] | None = Field(
        None,
        max_length=MAX_CHOICES_PER_QUESTION,
        description="single_choice and multiple_choice only: 2 or more.",
        validate_default=True,  # a choice question that leaves them out is refused too
    )
    required: bool = False
    knockout: KnockoutIn | None = None

    @field_validator("choices")
    @classmethod
    def _choices_fit_type(cls, choices: list[str] | None, info: ValidationInfo) -> list[str] | None:
        kind = info.data.get("type")
        if kind in CHOICE_TYPES:
            if not choices or len(choices) < 2:
                raise PydanticCustomError("choices_required", f"a {kind} question needs at least 2 choices")
            if len(set(choices)) != len(choices):
                raise PydanticCustomError("choices_repeated", "each choice must differ from the others")
        elif choices:
            raise PydanticCustomError("choices_not_allowed", f"a {kind} question has no choices")
        return choices

    @model_validator(mode="after")
    def _knockout_fits_type(self) -> ScreeningQuestionIn:
        knockout = self.knockout
        if knockout is None:
            return self
        if self.type == "text":
            raise _knockout_problem("a text question cannot knock out; use yes_no, a choice or numeric")
        if self.type == "numeric":
            if knockout.accepted is not None:
                raise _knockout_problem("a numeric question's knock-out is minimum and/or maximum, not accepted")
            if knockout.minimum is None and knockout.maximum is None:
                raise _knockout_problem("a numeric question's knock-out needs minimum and/or maximum")
            return self
        if knockout.minimum is not None or knockout.maximum is not None:
            raise _knockout_problem(f"a {self.type} question's knock-out is accepted, not minimum/maximum")
        offered = [YES, NO] if self.type == "yes_no" else list(self.choices or ())
        unknown = [answer for answer in knockout.accepted or () if answer not in offered]
        if not knockout.accepted or unknown:
            raise _knockout_problem(f"accepted must name answers the question offers ({', '.join(offered)})")
        return self


def _knockout_problem(message: str) -> PydanticCustomError:
    # Raised from the model, so the location names the question; the message names the knock-out.
    return PydanticCustomError("knockout_invalid", "knockout: {message}", {"message": message})


def _ids_differ(questions: list[ScreeningQuestionIn] | None) -> list[ScreeningQuestionIn] | None:
    seen: dict[str, int] = {}
    for index, question in enumerate(questions or ()):
        if question.id is None:
            continue
        if question.id in seen:
            raise PydanticCustomError(
                "question_id_repeated",
                "question {index} repeats the id '{id}' of question {first}; ids must be unique",
                {"index": index, "id": question.id, "first": seen[question.id]},
            )
        seen[question.id] = index
    return questions


ScreeningQuestions = Annotated[list[ScreeningQuestionIn], Field(max_length=MAX_QUESTIONS), AfterValidator(_ids_differ)]
