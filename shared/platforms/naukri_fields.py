"""Naukri's own fields of a job, declared for the API's checks and the console's form, and the
rule of its Classified listings.

What Naukri's posting form asks for (../shared/PLATFORMS.md; Naukri has no public API, so the
wire names are our simulation-mode API's, shared/platforms/naukri.py): experience in years
(minimum and maximum), annual CTC in INR lakhs (or not disclosed), industry, functional area
(department), role, UG/PG education, and the listing type: Hot Vacancy (paid) or Classified,
whose text fields are short (254 characters).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.platforms.fields import BoardField, Problem

LISTING_TYPES = ("hot_vacancy", "classified")
CLASSIFIED_TEXT_MAX = 254
# Our bounds: Naukri's form offers 0-30+ years and CTC up to 100+ lakhs; these leave room.
EXPERIENCE_BOUNDS = (0, 50)
CTC_LAKHS_BOUNDS = (0, 1000)

NAUKRI_FIELDS = (
    BoardField(
        "experience_years",
        "range",
        "Experience (years)",
        required=True,
        bounds=EXPERIENCE_BOUNDS,
        whole=True,
    ),
    BoardField(
        "ctc_lakhs",
        "range",
        "Annual CTC (INR lakhs)",
        required=True,
        help='Minimum and maximum in lakhs a year, or "not_disclosed".',
        bounds=CTC_LAKHS_BOUNDS,
        may_withhold=True,
    ),
    BoardField("industry", "code", "Industry", required=True, code_list="naukri_industries.v1"),
    BoardField("functional_area", "code", "Functional area", required=True, code_list="naukri_functional_areas.v1"),
    BoardField("role", "text", "Role", required=True, max_length=100),
    BoardField("education_ug", "code", "UG education", code_list="naukri_education_ug.v1"),
    BoardField("education_pg", "code", "PG education", code_list="naukri_education_pg.v1"),
    BoardField(
        "listing_type",
        "choice",
        "Listing type",
        help=f"Classified: title and description at most {CLASSIFIED_TEXT_MAX} characters.",
        choices=LISTING_TYPES,
        default="hot_vacancy",
    ),
)


def classified_problems(core: Mapping[str, Any], values: Mapping[str, Any]) -> list[Problem]:
    """A Classified listing's text fields are at most 254 characters (a Hot Vacancy's are not)."""
    if values.get("listing_type") != "classified":
        return []
    return [
        Problem(
            (name,),
            f"a Naukri Classified listing takes at most {CLASSIFIED_TEXT_MAX} characters; "
            f"this one has {len(core[name])}",
            "string_too_long",
            core=True,
        )
        for name in ("title", "description")
        if isinstance(core.get(name), str) and len(core[name]) > CLASSIFIED_TEXT_MAX
    ]


def document_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """The job's Naukri values as our Naukri API takes them (camelCase, ranges as {min, max})."""
    names = {
        "experience_years": "experienceYears",
        "ctc_lakhs": "ctcLakhs",
        "industry": "industry",
        "functional_area": "functionalArea",
        "role": "role",
        "education_ug": "educationUg",
        "education_pg": "educationPg",
        "listing_type": "listingType",
    }
    return {names[name]: value for name, value in values.items() if name in names and value is not None}
