"""What `GET /jobs/publishing/me/` answers: the caller's organization and key, never the key's secret."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class OrganizationOut(BaseModel):
    id: int
    name: str


class KeyOut(BaseModel):
    key_id: str = Field(description="The public part of the key (jp_<key_id>_…); the secret is never shown.")
    scope: Literal["recruiter", "operator"] = Field(description="An operator key may also list and replay failures.")
    label: str


class MeOut(BaseModel):
    organization: OrganizationOut
    key: KeyOut
