"""What the applications and sync endpoints accept and answer."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.api.schemas.common import MAX_ID, Page, PlatformName

MAX_PAGE_SIZE = 200


class ApplicationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    job_id: int
    platform: PlatformName
    source: str = Field(description='Where it came from: "LinkedIn apply", "Naukri" or "Naukri CSV".')
    external_application_id: str
    candidate_name: str
    candidate_email: str | None
    candidate_phone: str | None
    resume_url: str | None = Field(description="The platform's link; jobpub stores it and never fetches it.")
    cover_letter: str | None
    answers: dict | list | None = Field(
        description="Where the job asked screening questions (LinkedIn, Indeed): keyed by our question id, each "
        '{"question": <text>, "type": <type>, "answer": <yes/no, the choice text(s), a number or text>}.'
    )
    knocked_out: bool = Field(description="Failed a knock-out screening question; stored anyway, never dropped.")
    knocked_out_by: list[str] | None = Field(description="Our ids of the knock-out questions it failed.")
    applied_at: datetime
    received_at: datetime


class ApplicationPageOut(Page[ApplicationOut]):
    pass


class SyncRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    platform: PlatformName | None = Field(None, description="Default: every connected platform.")
    job_id: int | None = Field(None, ge=1, le=MAX_ID, description="Only this job's applications (read from the start).")


class SyncOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    platform: PlatformName
    job_id: int | None
    trigger: Literal["schedule", "api", "cli"]
    status: Literal["pending", "running", "succeeded", "failed"]
    fetched: int
    new: int
    duplicates: int
    unmatched: int
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class SyncsOut(Page[SyncOut]):
    """The pulls a request queued (or found under way), one per platform; `next_cursor` is always null."""
