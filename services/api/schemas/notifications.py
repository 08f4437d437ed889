"""What the notification endpoints accept and answer. A signing secret comes out once, at creation."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.api.schemas.common import HTTP_URL_PATTERN, Page, Strict


class EndpointIn(Strict):
    # The shape is in the document; whether the host is a public address is found when it is saved (a 422, unsafe_url).
    url: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)] = Field(
        json_schema_extra={"pattern": HTTP_URL_PATTERN}
    )
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""


class EndpointOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    url: str
    description: str
    enabled: bool
    created_at: datetime


class NewEndpointOut(EndpointOut):
    secret: str = Field(description="whsec_…: verifies the webhook-signature header. Shown this once only.")


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    message_id: str = Field(description="The webhook-id header: the same on every attempt.")
    event_type: str
    status: str = Field(description="pending, sending (an attempt under way), delivered or failed.")
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None = Field(
        description="When pending: the next attempt; when sending: the attempt's lease."
    )
    created_at: datetime
    delivered_at: datetime | None


class EndpointsOut(Page[EndpointOut]):
    pass


class DeliveriesOut(Page[DeliveryOut]):
    pass
