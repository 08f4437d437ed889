"""The field types and rules every API schema shares.

Request models forbid unknown fields, so a body cannot set what the server owns
(organization, status, ids): such a field is a 422 that names it. What PostgreSQL cannot hold
is refused here too, as a 422 naming the field, rather than failing in the database: an id
beyond BIGINT, text with a NUL character, a date-time without a time zone or beyond year 9999.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, Generic, Literal, TypeVar

from fastapi import Path, Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from shared.platforms import PLATFORM_NAMES

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

# Every id column is a PostgreSQL BIGINT; a larger id names nothing, and PostgreSQL would refuse to compare it.
MAX_ID = 2**63 - 1
IdInPath = Annotated[int, Path(ge=1, le=MAX_ID)]
IdInQuery = Annotated[int, Query(ge=1, le=MAX_ID)]


# PostgreSQL text cannot hold U+0000, so the INSERT (or even a lookup) would fail.
NUL_PROBLEM = "must not contain the NUL character (\\u0000)"


def _no_nul(value: Any) -> Any:
    text = value.get_secret_value() if isinstance(value, SecretStr) else value
    if isinstance(text, str) and "\x00" in text:
        raise PydanticCustomError("nul_character", NUL_PROBLEM)
    return value


# For strings that are not fields of a `Strict` body (query parameters, headers): Annotated[str, Query(), NoNul].
NoNul = AfterValidator(_no_nul)


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


UtcDatetime = Annotated[datetime, AfterValidator(_utc_convertible)]


def _in_future(value: datetime | None) -> datetime | None:
    if value is not None and value <= datetime.now(UTC):
        raise PydanticCustomError("datetime_future", "must be in the future, e.g. 2030-01-31T00:00:00Z")
    return value


# A job's expiry: a platform refuses a posting that has already expired, so it is a 422 here.
FutureUtcDatetime = Annotated[UtcDatetime, AfterValidator(_in_future)]

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _http_url(value: str) -> str:
    # Passed on to the platforms, never fetched by us: well-formed http(s) is all we check.
    scheme, _, rest = value.partition("://")
    if scheme.lower() not in ("http", "https") or not rest or rest.startswith("/") or " " in value:
        raise ValueError("must be an http:// or https:// URL")
    return value


HttpUrl = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), AfterValidator(_http_url)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _no_nul_characters(cls, value: Any) -> Any:
        for item in value if isinstance(value, list) else [value]:
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
