"""What the source-tracking setting accepts and answers (shared/source_tracking.py says what it does)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, StringConstraints
from pydantic_core import PydanticCustomError

from services.api.schemas.common import Strict
from shared.source_tracking import DEFAULT_PARAMETERS, PARAMETER_NAME, PLACEHOLDERS, TEMPLATE_PATTERN, template_problem

MAX_PARAMETERS = 10
# The rule in the document; the check, with a message naming the parameter, is _known_placeholders.
TEMPLATE_IN_DOCUMENT = Field(json_schema_extra={"pattern": TEMPLATE_PATTERN})
ParameterName = Annotated[str, StringConstraints(pattern=f"^{PARAMETER_NAME.pattern}$")]


def _known_placeholders(parameters: dict[str, str] | None) -> dict[str, str] | None:
    for name, template in (parameters or {}).items():
        problem = template_problem(template)
        if problem:
            raise PydanticCustomError(
                "template_invalid",
                "{name}: {problem} is not one of {known}; write {{ and }} for a literal brace",
                {"name": name, "problem": problem, "known": ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)},
            )
    return parameters


class SourceTrackingIn(Strict):
    enabled: bool = Field(True, description="false: every board gets the apply URL exactly as the job gives it.")
    parameters: Annotated[
        dict[ParameterName, Annotated[str, StringConstraints(min_length=1, max_length=200), TEMPLATE_IN_DOCUMENT]]
        | None,
        Field(min_length=1, max_length=MAX_PARAMETERS),
        AfterValidator(_known_placeholders),
    ] = Field(
        None,
        description="Parameter → template of {platform}, {job_id}, {external_id}; null: the default UTM parameters.",
        examples=[{"src": "{platform}", "job": "{job_id}"}],
    )


class SourceTrackingOut(BaseModel):
    enabled: bool
    parameters: dict[str, str] = Field(description="What each board's apply URL gets (templates as set).")
    default: bool = Field(description="true while the organization uses the default UTM parameters.")


def tracking_out(setting: dict | None) -> SourceTrackingOut:
    if setting is None:
        return SourceTrackingOut(enabled=True, parameters=dict(DEFAULT_PARAMETERS), default=True)
    parameters = setting.get("parameters")
    return SourceTrackingOut(
        enabled=bool(setting.get("enabled", True)),
        parameters=dict(parameters or DEFAULT_PARAMETERS),
        default=parameters is None and bool(setting.get("enabled", True)),
    )
