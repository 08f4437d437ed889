"""What the orchestrators' probes answer."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class LivenessOut(BaseModel):
    status: Literal["ok"]


class ReadinessOut(BaseModel):
    status: Literal["ready", "not ready"]
    checks: dict[str, str] = Field(
        description='Per dependency (database, broker): "ok", "not configured" or "unavailable: <why>".',
        examples=[{"database": "ok", "broker": "not configured"}],
    )
