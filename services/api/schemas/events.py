"""What a job's publishing log answers."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from services.api.schemas.common import Page


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    event_id: str
    event_type: str
    platform: str | None
    created_at: datetime
    correlation_id: str | None
    payload: dict
    dispatched_at: datetime | None


class EventPageOut(Page[EventOut]):
    pass
