"""A platform's own fields ("board fields"): how an adapter declares them, and the one check of them.

A job keeps one core (title, description, location, …) that every platform gets, and beside it
each platform's own values: `{"linkedin": {"categories": ["eng"]}, "naukri": {"experience_years":
{"min": 3, "max": 6}, …}}`. Each adapter declares its fields as data (`board_fields`, a tuple of
`BoardField`), with the code lists they draw on shipped beside it as versioned files
(`shared/platforms/codes/<list>.v<N>.json`). The API checks a job against these declarations
before queuing, and answers them to a frontend that builds its form from them; the adapter sends
the values in its platform's own terms; the emulators check what arrives.

`problems(...)` answers every problem at once, each with the path under the platform's block
(`("ctc_lakhs",)`, `("categories", 2)`) so the API can name the platform and the field.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from shared.white_space import WHITE_SPACE

CODES_DIR = Path(__file__).resolve().parent / "codes"
NOT_DISCLOSED = "not_disclosed"  # a range that may be withheld (Naukri's CTC) takes this instead
Kind = Literal["text", "choice", "code", "codes", "range"]


@dataclass(frozen=True)
class CodeList:
    name: str
    version: int
    source: str  # where the codes come from: a published table, or said plainly that none is
    labels: Mapping[str, str]  # code → what a person reads


@cache
def code_list(reference: str) -> CodeList:
    """The code list `<name>.v<N>` shipped in shared/platforms/codes/."""
    document = json.loads((CODES_DIR / f"{reference}.json").read_text(encoding="utf-8"))
    labels = {entry["code"]: entry["label"] for entry in document["codes"]}
    return CodeList(document["list"], document["version"], document["source"], labels)


@dataclass(frozen=True)
class BoardField:
    """One field of a platform's own: what it holds and the rules it must keep.

    kind: "text" (max_length), "choice" (one of `choices`), "code" (one code of `code_list`),
    "codes" (a list of codes, at most `max_items`), "range" ({"min", "max"} within `bounds`,
    whole numbers if `whole`; or "not_disclosed" where `may_withhold`).
    `required`: a publish to this platform needs it. `default`: what the adapter sends when absent.
    """

    name: str
    kind: Kind
    label: str
    required: bool = False
    help: str = ""
    choices: tuple[str, ...] = ()
    code_list: str | None = None  # "<name>.v<N>", a file in shared/platforms/codes/
    max_length: int | None = None
    max_items: int | None = None
    bounds: tuple[float, float] | None = None
    whole: bool = False
    may_withhold: bool = False
    default: Any = None

    def codes(self) -> CodeList | None:
        return code_list(self.code_list) if self.code_list else None

    def value_schema(self) -> dict[str, Any]:
        """What a value of this field may be, as JSON Schema (the rules of `_value_problems`)."""
        schema: dict[str, Any]
        if self.kind == "text":
            schema = {"type": "string", "pattern": TEXT_PATTERN}
            if self.max_length:
                schema["maxLength"] = self.max_length
        elif self.kind == "choice":
            schema = {"enum": list(self.choices)}
        elif self.kind in ("code", "codes"):
            listed = self.codes()
            assert listed is not None, f"{self.name} is a code field without a code list"
            schema = {"type": "string", "enum": list(listed.labels)}
            if self.kind == "codes":
                schema = {"type": "array", "items": schema, "minItems": 1, "uniqueItems": True}
                if self.max_items:
                    schema["maxItems"] = self.max_items
        else:
            low, high = self.bounds or (0, math.inf)
            end: dict[str, Any] = {"type": "integer" if self.whole else "number", "minimum": low}
            if math.isfinite(high):
                end["maximum"] = high
            schema = {
                "type": "object",
                "properties": {"min": end, "max": end},
                "required": ["min", "max"],
                "additionalProperties": False,
            }
            if self.may_withhold:
                schema = {"anyOf": [schema, {"const": NOT_DISCLOSED}]}
        return (
            {"title": self.label, "description": self.help, **schema} if self.help else {"title": self.label, **schema}
        )

    def describe(self) -> dict[str, Any]:
        """The field as a frontend builds a form from it (GET /jobs/publishing/platforms/fields/)."""
        listed = self.codes()
        choices = [{"code": c, "label": c.replace("_", " ").capitalize()} for c in self.choices]
        if listed:
            choices = [{"code": code, "label": label} for code, label in listed.labels.items()]
        return {
            "name": self.name,
            "type": self.kind,
            "label": self.label,
            "required": self.required,
            "help": self.help,
            "choices": choices or None,
            "code_list": {"name": listed.name, "version": listed.version, "source": listed.source} if listed else None,
            "max_length": self.max_length,
            "max_items": self.max_items,
            "minimum": self.bounds[0] if self.bounds else None,
            "maximum": self.bounds[1] if self.bounds else None,
            "whole_numbers": self.whole if self.kind == "range" else None,
            "may_be_not_disclosed": self.may_withhold if self.kind == "range" else None,
            "default": self.default,
        }


# A text field's value: some character that is not white space, and no NUL anywhere (_text_problems).
TEXT_PATTERN = f"^[^\\x00]*[^{WHITE_SPACE}\\x00][^\\x00]*$"


def block_schema(declared: tuple[BoardField, ...]) -> dict[str, Any]:
    """The JSON Schema of one platform's block, for the OpenAPI document: every rule `problems`
    applies to a value, stated so a generated client or form knows it. Not stated, because a
    schema of the block cannot: a field is required only where the job is published there, and a
    range's min must not be more than its max. A field given as null counts as absent."""
    return {
        "type": "object",
        "properties": {field.name: {"anyOf": [field.value_schema(), {"type": "null"}]} for field in declared},
        "additionalProperties": False,
    }


Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    path: Path_  # under the platform's block: ("ctc_lakhs",), ("categories", 1); or the job's own field
    message: str
    kind: str
    core: bool = False  # True: `path` is a field of the job's core ("location"), not of the platform's block


def problems(declared: tuple[BoardField, ...], values: object, *, publishing: bool) -> list[Problem]:
    """Every problem with one platform's block of values; `publishing`: required fields must be there."""
    if values is None:
        values = {}
    if not isinstance(values, Mapping):
        return [Problem((), "must be an object of this platform's fields", "dict_type")]
    known = {field.name: field for field in declared}
    found = [
        Problem(
            (name,), f"is not a field of this platform; its fields: {', '.join(known) or 'none'}", "extra_forbidden"
        )
        for name in values
        if name not in known
    ]
    for field in declared:
        value = values.get(field.name)
        if value is None:
            if publishing and field.required:
                found.append(Problem((field.name,), f"is required: {field.label}", "missing"))
            continue
        found += [Problem((field.name, *p.path), p.message, p.kind) for p in _value_problems(field, value)]
    return found


def _value_problems(field: BoardField, value: Any) -> list[Problem]:
    if field.kind == "text":
        return _text_problems(field, value)
    if field.kind == "choice":
        return [] if value in field.choices else [_not_one_of(field.choices, value)]
    if field.kind == "code":
        return _code_problems(field, value)
    if field.kind == "codes":
        return _codes_problems(field, value)
    return _range_problems(field, value)


def _text_problems(field: BoardField, value: Any) -> list[Problem]:
    if not isinstance(value, str) or not value.strip():
        return [Problem((), "must be a non-empty string", "string_type")]
    if "\x00" in value:
        return [Problem((), "must not contain the NUL character (\\u0000)", "nul_character")]
    if field.max_length and len(value) > field.max_length:
        return [Problem((), f"must be at most {field.max_length} characters", "string_too_long")]
    return []


def _not_one_of(choices: tuple[str, ...], value: Any) -> Problem:
    shown = json.dumps(value)[:80] if isinstance(value, str | int | float | bool) else "this value"
    return Problem((), f"{shown} is not one of: {', '.join(choices)}", "literal_error")


def _code_problems(field: BoardField, value: Any) -> list[Problem]:
    listed = field.codes()
    assert listed is not None, f"{field.name} is a code field without a code list"
    if isinstance(value, str) and value in listed.labels:
        return []
    shown = json.dumps(value)[:80] if isinstance(value, str) else "this value"
    return [Problem((), f"{shown} is not a code of {listed.name} v{listed.version}", "unknown_code")]


def _codes_problems(field: BoardField, value: Any) -> list[Problem]:
    if not isinstance(value, list) or not value:
        return [Problem((), "must be a non-empty list of codes", "list_type")]
    if field.max_items and len(value) > field.max_items:
        return [Problem((), f"may hold at most {field.max_items} codes", "too_long")]
    if len(set(map(json.dumps, value))) != len(value):
        return [Problem((), "names a code twice", "duplicate_code")]
    return [
        Problem((index, *p.path), p.message, p.kind)
        for index, item in enumerate(value)
        for p in _code_problems(field, item)
    ]


def _range_problems(field: BoardField, value: Any) -> list[Problem]:
    if field.may_withhold and value == NOT_DISCLOSED:
        return []
    withheld = f', or "{NOT_DISCLOSED}"' if field.may_withhold else ""
    if not isinstance(value, Mapping) or set(value) != {"min", "max"}:
        return [Problem((), f'must be {{"min": …, "max": …}}{withheld}', "range_type")]
    low, high = field.bounds or (0, math.inf)
    found = []
    for end in ("min", "max"):
        number = value[end]
        if not _is_number(number) or (field.whole and number != int(number)):
            found.append(
                Problem((end,), "must be a whole number" if field.whole else "must be a number", "number_type")
            )
        elif not low <= number <= high:
            found.append(Problem((end,), f"must be between {low:g} and {high:g}", "out_of_range"))
    if not found and value["min"] > value["max"]:
        found.append(Problem(("min",), "must not be more than max", "range_order"))
    return found


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def with_defaults(declared: tuple[BoardField, ...], values: Mapping[str, Any] | None) -> dict[str, Any]:
    """The values an adapter sends: the job's own, and each absent field's default where it has one."""
    given = dict(values or {})
    return {**{f.name: f.default for f in declared if f.default is not None and f.name not in given}, **given}
