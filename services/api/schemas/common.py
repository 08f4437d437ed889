"""The field types and rules every API schema shares.

Request models forbid unknown fields, so a body cannot set what the server owns
(organization, status, ids): such a field is a 422 that names it. What PostgreSQL cannot hold
is refused here too, as a 422 naming the field, rather than failing in the database: an id
beyond BIGINT, text with a NUL character, a date-time without a time zone or beyond year 9999.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Generic, Literal, TypeVar

from fastapi import Path, Query
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    SecretStr,
    StringConstraints,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic.types import Strict as StrictMode
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from shared.platforms import PLATFORM_NAMES
from shared.white_space import VISIBLE, WHITE_SPACE

# Built from the registry (shared/platforms/__init__.py), so a new platform is a new valid name
# here too. A Literal of a variable is fine at run time (pydantic, the OpenAPI enum) but no static
# type, so mypy sees plain strings.
if TYPE_CHECKING:
    PlatformName = str
    PlatformChoice = str
else:
    PlatformName = Literal[PLATFORM_NAMES]
    PlatformChoice = Literal[(*PLATFORM_NAMES, "both", "all")]
ALL_PLATFORMS: tuple[PlatformName, ...] = PLATFORM_NAMES

MAX_DESCRIPTION = 25_000

# Every id column is a PostgreSQL BIGINT, but an id is also a JSON number, and a JavaScript client
# (clients/typescript) reads every number as a double: above 2**53 - 1 an id would silently turn
# into its neighbour there. No table comes near it; a larger id names nothing.
MAX_ID = 2**53 - 1
IdInPath = Annotated[int, Path(ge=1, le=MAX_ID)]
IdInQuery = Annotated[int, Query(ge=1, le=MAX_ID)]


# PostgreSQL text cannot hold U+0000, so the INSERT (or even a lookup) would fail.
NUL_PROBLEM = "must not contain the NUL character (\\u0000)"


def _no_nul(value: Any) -> Any:
    text = value.get_secret_value() if isinstance(value, SecretStr) else value
    if isinstance(text, str) and "\x00" in text:
        raise PydanticCustomError("nul_character", NUL_PROBLEM)
    return value


# In the document: text holds no NUL. A pattern of its own, so that it sits beside any other.
NO_NUL_PATTERN = "^[^\\x00]*$"


def exclude_nul(schema: Any) -> None:
    """Say in a JSON schema (in place, nested schemas too, not through a $ref) that its text holds no NUL."""
    if isinstance(schema, list):
        for item in schema:
            exclude_nul(item)
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "string":
        # One pattern per string: two (an allOf) would make a generator filter instead of build.
        # Our other patterns are anchored and name what they take, and NUL is none of it.
        pattern = schema.get("pattern")
        schema["pattern"] = _WITHOUT_NUL.get(pattern, pattern) if pattern else NO_NUL_PATTERN
    if "patternProperties" in schema:  # pydantic refuses a key the pattern does not take: so does the document
        schema.setdefault("additionalProperties", False)
    for key in ("properties", "patternProperties", "additionalProperties", "items", "anyOf", "oneOf", "prefixItems"):
        nested = schema.get(key)
        exclude_nul(list(nested.values()) if key.endswith("roperties") and isinstance(nested, dict) else nested)


class _NoNul:
    """For strings outside a `Strict` body (query parameters, headers): Annotated[str, Query(), NoNul]."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(_no_nul, handler(source))

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        answer = handler(schema)
        exclude_nul(answer)
        return answer


NoNul = _NoNul()


def _utc_convertible(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise PydanticCustomError("timezone_required", "needs a time zone, e.g. 2027-01-31T00:00:00Z")
    try:
        value.astimezone(UTC)  # how it is stored and compared
    except OverflowError:
        raise PydanticCustomError(
            "datetime_out_of_range", "is beyond 0001-01-01 … 9999-12-31 once converted to UTC"
        ) from None
    return value


def _iso_text(value: Any) -> Any:
    # pydantic would take a number as seconds since 1970; the document promises an ISO 8601 text.
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.match(value.strip())):
        raise PydanticCustomError("datetime_type", "must be an ISO 8601 date-time, e.g. 2027-01-31T00:00:00Z")
    return value


_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
# Lax: a `Strict` body takes no text for a number or a flag, but a date-time comes as text.
LaxMode = StrictMode(False)
UtcDatetime = Annotated[datetime, LaxMode, BeforeValidator(_iso_text), AfterValidator(_utc_convertible)]


def _in_future(value: datetime | None) -> datetime | None:
    if value is not None and value <= datetime.now(UTC):
        raise PydanticCustomError("datetime_future", "must be in the future, e.g. 2030-01-31T00:00:00Z")
    return value


# A job's expiry: a platform refuses a posting that has already expired, so it is a 422 here.
FutureUtcDatetime = Annotated[UtcDatetime, AfterValidator(_in_future)]

# The text is stripped before its length is counted, so the schema says it must hold more than spaces.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, pattern=VISIBLE)]

# http(s), something after "://" that does not start with "/", no whitespace. In the document as a
# pattern, so a client knows the rule; checked with a sentence a person can act on.
HTTP_URL_PATTERN = f"^[Hh][Tt][Tt][Pp][Ss]?://[^/{WHITE_SPACE}]{VISIBLE}*$"
_HTTP_URL = re.compile(HTTP_URL_PATTERN)
# The patterns that let NUL through, as the document writes them: the same rule, and no NUL.
_WITHOUT_NUL = {
    VISIBLE: f"^[^\\x00]*[^{WHITE_SPACE}\\x00][^\\x00]*$",
    HTTP_URL_PATTERN: f"^[Hh][Tt][Tt][Pp][Ss]?://[^/{WHITE_SPACE}\\x00][^{WHITE_SPACE}\\x00]*$",
}


def _http_url(value: str) -> str:
    # Passed on to the platforms, never fetched by us: well-formed http(s) is all we check.
    if not _HTTP_URL.match(value):
        raise PydanticCustomError("http_url", "must be an http:// or https:// URL")
    return value


HttpUrl = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=2000),
    AfterValidator(_http_url),
    WithJsonSchema({"type": "string", "maxLength": 2000, "pattern": HTTP_URL_PATTERN}),
]


def _leave_null_out(field: dict[str, Any]) -> None:
    options = [option for option in field.pop("anyOf") if option != {"type": "null"}]
    field.update(options[0] if len(options) == 1 else {"anyOf": options})
    field.pop("default", None)  # null, which the field may not be


def _whole(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return [_whole(item) for item in value] if isinstance(value, list) else value


class Strict(BaseModel):
    """A request body: what the document says, no more. No unknown field; no text where it says a
    number, no number where it says a flag (`strict`: pydantic would otherwise convert them); no
    NUL in any text, which the document says too."""

    model_config = ConfigDict(extra="forbid", strict=True)
    # Fields that may be left out but not sent as null (a validator of the model refuses null):
    # the document lists no null for them.
    never_null: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        answer = handler(schema)
        model = handler.resolve_ref_schema(answer)
        exclude_nul(model)
        for name in cls.never_null:
            _leave_null_out(model["properties"][name])
        return answer

    @model_validator(mode="before")
    @classmethod
    def _whole_numbers(cls, data: Any) -> Any:
        """JSON Schema counts 1.0 as an integer, and `strict` would refuse it: it becomes 1 (a
        number field takes 1 as well)."""
        if not isinstance(data, dict):
            return data
        return {name: _whole(value) for name, value in data.items()}

    @field_validator("*")
    @classmethod
    def _no_nul_characters(cls, value: Any) -> Any:
        # A dict's keys and values too (source tracking's parameters): PostgreSQL would refuse them.
        if isinstance(value, dict):
            items: list[Any] = [*value, *value.values()]
        else:
            items = value if isinstance(value, list) else [value]
        for item in items:
            _no_nul(item)
        return value


# "both" predates the feed and keeps meaning the two job boards; the feed is asked for by name.
BOTH_PLATFORMS = ("linkedin", "naukri")
# Every platform, "both" and "all" once each: a longer list repeats itself.
MAX_CHOICES = len(PLATFORM_NAMES) + 2


def expand_platforms(choices: Sequence[str], everything: Collection[str] = ALL_PLATFORMS) -> list[PlatformName]:
    """The platforms `choices` names: "both" is LinkedIn and Naukri (what the frontends' button
    means), "all" is `everything` (a publish passes the organization's connected platforms); any
    other name beside them stays."""
    wanted = set(choices) - {"both", "all"}
    wanted |= set(BOTH_PLATFORMS) if "both" in choices else set()
    wanted |= set(everything) if "all" in choices else set()
    return [name for name in ALL_PLATFORMS if name in wanted]


Item = TypeVar("Item")


class Page(BaseModel, Generic[Item]):
    """Every list the API answers: `items`, and `next_cursor` (null on the last page, and always
    on a list that does not page)."""

    items: list[Item]
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` for the next page; null on the last page (and where a list does not page)."
    )
