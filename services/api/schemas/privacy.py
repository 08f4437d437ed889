"""What the candidates' personal data endpoints accept and answer: retention rules, erasures, exports."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.api.schemas.common import MAX_ID, Page, PlatformName, Strict
from shared.white_space import VISIBLE, WHITE_SPACE

MAX_KEEP_DAYS = 36_500  # a hundred years: anything longer is "keep", which is null
MAX_ERASED_PER_REQUEST = 1000
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=320, pattern=f"^[^@{WHITE_SPACE}]+@{VISIBLE}+$"),
]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class RetentionRuleIn(Strict):
    platform: PlatformName | None = Field(None, description="null: the organization's rule for every platform.")
    keep_days: int | None = Field(
        ..., ge=0, le=MAX_KEEP_DAYS, description="Days to keep an application; null removes the rule (keep)."
    )
    counted_from: Literal["received", "job_closed"] = Field(
        "received", description="Count the days from the application's arrival, or from its job's closing."
    )


class RetentionRuleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    platform: PlatformName | None
    keep_days: int
    counted_from: Literal["received", "job_closed"]
    updated_at: datetime
    updated_by: str


class RetentionRulesOut(Page[RetentionRuleOut]):
    """The organization's rules, its own first; an empty list keeps every application."""


class ErasureIn(Strict):
    # `_someone`, in the document: an e-mail, or at least one application id.
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["email"], "properties": {"email": {"type": "string"}}},
                {"required": ["application_ids"], "properties": {"application_ids": {"type": "array", "minItems": 1}}},
            ]
        }
    )
    email: Email | None = Field(None, description="Every application with this e-mail, whatever its case.")
    application_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None = Field(
        None, max_length=MAX_ERASED_PER_REQUEST, description="These applications (of your organization)."
    )
    reason: Reason = Field(description="Why, for the publishing log (e.g. the request's ticket).")
    dry_run: bool = Field(False, description="Answer what would be erased; erase nothing.")

    @model_validator(mode="after")
    def _someone(self) -> Self:
        if not self.email and not self.application_ids:
            raise ValueError("name the person: give an email, application_ids, or both")
        return self


class ErasureOut(BaseModel):
    matched: int = Field(description="Applications of that person found (already erased ones included).")
    erased: int = Field(description="Erased now (0 on a dry run, and for those erased before).")
    application_ids: list[int]
    dry_run: bool


class ExportedStatusUpdate(BaseModel):
    status: str
    at: datetime
    recorded_at: datetime
    platform: str
    forward_state: str


class ExportedApplication(BaseModel):
    id: int
    job_id: int
    platform: PlatformName
    source: str
    external_application_id: str
    candidate_name: str
    candidate_email: str | None
    candidate_phone: str | None
    resume_url: str | None
    cover_letter: str | None
    answers: dict | list | None
    raw: dict[str, Any] = Field(description="The application as the platform sent it.")
    applied_at: datetime
    received_at: datetime
    status_updates: list[ExportedStatusUpdate] = Field(
        default_factory=list, description="What your ATS said happened to it, and whether its board was told."
    )


class ExportedDelivery(BaseModel):
    id: int
    endpoint_id: int
    event_type: str
    status: str
    created_at: datetime
    payload: dict[str, Any]


class CandidateExportOut(BaseModel):
    applications: list[ExportedApplication]
    notification_deliveries: list[ExportedDelivery] = Field(
        description="Notifications to your endpoints that mention those applications."
    )
