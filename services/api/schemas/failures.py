"""What the failures endpoints (operator keys) accept and answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.api.schemas.common import MAX_ID, Page, PlatformName, Strict, UtcDatetime

# One request replays at most this many; the answer's `matched` tells the operator to call again.
MAX_REPLAY = 1000


class FailureOut(BaseModel):
    posting_id: int
    job_id: int
    platform: str
    part: int = Field(1, description="Which of the job's postings on the platform (one per group of its locations).")
    locations: list[str] = Field(default_factory=list, description="The locations this posting carries.")
    failed: str = Field(
        description="What failed: `publish`, or an operation on a live posting (`update`, `close`, `renew`)."
    )
    failed_at: datetime
    attempts: int
    error: str | None


class FailurePageOut(Page[FailureOut]):
    pass


class ReplayRequest(Strict):
    """Either `posting_ids`, or `all` with optional filters."""

    # The rule of `_one_selection`, in the document: posting_ids (and no filter), or all: true.
    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {
                    "required": ["posting_ids"],
                    "properties": {
                        "posting_ids": {"type": "array"},
                        "all": {"const": False},
                        "platform": {"type": "null"},
                        "error_contains": {"type": "null"},
                        "since": {"type": "null"},
                    },
                },
                {"required": ["all"], "properties": {"all": {"const": True}, "posting_ids": {"type": "null"}}},
            ]
        }
    )

    posting_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None = Field(None, min_length=1, max_length=MAX_REPLAY)
    all: bool = False
    platform: PlatformName | None = None
    error_contains: str | None = Field(None, min_length=1, max_length=200)
    since: UtcDatetime | None = None
    dry_run: bool = False
    why: str = Field("replayed by an operator", min_length=1, max_length=500)

    @model_validator(mode="after")
    def _one_selection(self):
        if bool(self.posting_ids) == self.all:
            raise ValueError("name posting_ids, or set all (with filters), not both or neither")
        if self.posting_ids and (self.platform or self.error_contains or self.since):
            raise ValueError("filters (platform, error_contains, since) go with all, not with posting_ids")
        return self


class ReplayOut(BaseModel):
    matched: int = Field(description="Failed postings the request selected (at most 1,000 a request).")
    replayed: int
    skipped: int = Field(description="Selected but no longer failed (replayed already).")
    dry_run: bool


class StatusFailureOut(BaseModel):
    status_update_id: int
    application_id: int
    job_id: int
    platform: str
    status: str
    failed_at: datetime
    attempts: int
    error: str | None


class StatusFailurePageOut(Page[StatusFailureOut]):
    pass


class StatusReplayRequest(Strict):
    status_update_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(min_length=1, max_length=MAX_REPLAY)
    why: str = Field("replayed by an operator", min_length=1, max_length=500)


class StatusReplayOut(BaseModel):
    matched: int
    replayed: int
    skipped: int = Field(description="Named but no longer failed (replayed already).")
