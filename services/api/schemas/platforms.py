"""What the platform connection endpoints accept and answer. A client secret goes in and never comes out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, StringConstraints

from services.api.schemas.common import Page, PlatformName, Strict

ClientId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
# [0-9], not \d (which takes any script's digits); 200: the column's width.
OrganizationUrn = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=200, pattern=r"^urn:li:organization:[0-9]+$")
]
Secret = Annotated[SecretStr, Field(min_length=1, max_length=500)]
APPLY_SECRET_HELP = (
    "Indeed only, optional: the API secret of the Indeed Apply token, which signs the applications Indeed"
    " pushes (X-Indeed-Signature); not set, the client secret verifies them. Write-only."
)
FEED_SECRET_MIN = 32  # the feed's address is derived from it: short enough to guess would be a guessable URL
MaxAttempts = Annotated[
    int, Field(ge=1, le=20, description="Publish attempts before failed; default: the deployment's.")
]
SyncInterval = Annotated[
    int, Field(ge=5, le=86_400, description="Seconds between scheduled pulls; default: the deployment's.")
]


class ConnectionIn(Strict):
    client_id: ClientId
    client_secret: Secret = Field(
        description=(
            "LinkedIn: the app's client secret; Naukri: the API key; the feed: the seed of its public address "
            f"(at least {FEED_SECRET_MIN} characters; POST .../feed/new-address/ makes one). Write-only."
        )
    )
    organization_urn: OrganizationUrn | None = Field(
        None, description="LinkedIn (required there): urn:li:organization:<id>."
    )
    apply_secret: Secret | None = Field(None, description=APPLY_SECRET_HELP)
    enabled: bool = True
    publish_max_attempts: MaxAttempts | None = None
    sync_interval_seconds: SyncInterval | None = None


class ConnectionPatch(Strict):
    client_id: ClientId | None = None
    client_secret: Secret | None = None
    apply_secret: Secret | None = Field(None, description=APPLY_SECRET_HELP + " null: removed.")
    organization_urn: OrganizationUrn | None = None
    enabled: bool | None = None
    publish_max_attempts: MaxAttempts | None = Field(None, description="null: back to the deployment's default.")
    sync_interval_seconds: SyncInterval | None = Field(None, description="null: back to the deployment's default.")


class ConnectionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    platform: PlatformName
    client_id: str
    organization_urn: str | None
    enabled: bool
    publish_max_attempts: int | None = Field(description="null: the deployment's JOBPUB_PUBLISH_MAX_ATTEMPTS.")
    sync_interval_seconds: int | None = Field(description="null: the deployment's JOBPUB_SYNC_INTERVAL_SECONDS.")
    client_secret_set: bool = Field(True, description="The secret is stored (encrypted); it is never shown.")
    apply_secret_set: bool = Field(False, description="Indeed: an apply secret is stored (encrypted); never shown.")
    feed_url: str | None = Field(None, description="The feed only: the organization's Indeed XML feed, for crawlers.")
    job_page_url: str | None = Field(
        None, description="The feed only: a job's public page; {reference} is the posting's external id."
    )
    created_at: datetime
    updated_at: datetime


class ConnectionsOut(Page[ConnectionOut]):
    connected: list[PlatformName] = Field(description="The platforms a publish can use now: configured and enabled.")


class ConnectionTestOut(BaseModel):
    platform: PlatformName
    ok: bool
    message: str = Field(examples=["token obtained", "invalid client id or secret: …", "platform unreachable: …"])


class ChoiceOut(BaseModel):
    code: str
    label: str


class CodeListOut(BaseModel):
    name: str
    version: int = Field(description="Bumped whenever the list changes; a form may cache the list per version.")
    source: str = Field(description="Where the codes come from.")


class BoardFieldOut(BaseModel):
    name: str = Field(description="The key under `board_fields.<platform>` in a job.")
    type: Literal["text", "choice", "code", "codes", "range"] = Field(
        description='text; choice or code (one of `choices`); codes (a list of them); range ({"min", "max"}).'
    )
    label: str
    required: bool = Field(description="A publish to this platform needs it.")
    help: str
    choices: list[ChoiceOut] | None
    code_list: CodeListOut | None
    max_length: int | None
    max_items: int | None
    minimum: float | None
    maximum: float | None
    whole_numbers: bool | None
    may_be_not_disclosed: bool | None = Field(description='A range that may be "not_disclosed" instead.')
    default: Any = Field(description="What is sent when the field is left out.")


class PlatformFieldsOut(BaseModel):
    platform: PlatformName
    display_name: str
    renews: bool = Field(description="Whether POST /jobs/publishing/{job_id}/renew/ acts on this platform.")
    min_description: int = Field(description="The shortest description the platform takes, in characters.")
    fields: list[BoardFieldOut]


class PlatformsFieldsOut(Page[PlatformFieldsOut]):
    pass
