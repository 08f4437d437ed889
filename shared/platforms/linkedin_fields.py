"""LinkedIn's own fields of a job posting element, declared for the API's checks and the console's
form, and LinkedIn's rule for the job's core location.

From LinkedIn's OpenAPI description (linkedin-developers/job-posting-development-tools,
OpenAPI-specification/job_posting_v2.yaml): `categories` (job-function codes from LinkedIn's Job
Functions table), `industries` (`urn:li:industry:<id>` from its Industry Codes table),
`experienceLevel` (an enum) and `companyJobCode` (the requisition code in the company's own
system). All optional on LinkedIn's side, so none is required here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.platforms.fields import BoardField, Problem

EXPERIENCE_LEVELS = (
    "ENTRY_LEVEL",
    "ASSOCIATE",
    "MID_SENIOR_LEVEL",
    "DIRECTOR",
    "EXECUTIVE",
    "INTERNSHIP",
    "NOT_APPLICABLE",
)
# Our cap: LinkedIn names no length for companyJobCode; this is the length of the requisition
# codes it links postings by that we store comfortably and show whole.
COMPANY_JOB_CODE_MAX = 200
LOCATION_FORMS = '"City, State", "City, Country" or "Postcode, CC"'

LINKEDIN_FIELDS = (
    BoardField(
        "categories",
        "codes",
        "Job functions",
        help="LinkedIn's job-function codes (its Job Functions table).",
        code_list="linkedin_job_functions.v1",
    ),
    BoardField(
        "industries",
        "codes",
        "Industries",
        help="LinkedIn industry URNs (its Industry Codes table).",
        code_list="linkedin_industries.v1",
    ),
    BoardField("experience_level", "choice", "Experience level", choices=EXPERIENCE_LEVELS),
    BoardField(
        "company_job_code",
        "text",
        # Not "Company job code": a form's "Company" field must stay the only label with that word.
        "Requisition code",
        help="Your ATS's code for the job (LinkedIn's companyJobCode); LinkedIn links a job's sources by it.",
        max_length=COMPANY_JOB_CODE_MAX,
    ),
)


def location_problems(core: Mapping[str, Any], values: Mapping[str, Any]) -> list[Problem]:
    """LinkedIn takes a location as "City, State", "City, Country" or "Postcode, CC": a place name
    alone ("Remote", "Pune") is refused. A third part ("City, State, Country") is let through, as
    LinkedIn itself shows locations that way. A job naming several has each checked (they go out as
    `location` and `alternateLocations`)."""
    places = core.get("locations")
    if places is None:
        return [] if _readable(core.get("location")) else [_location_problem(("location",))]
    return [_location_problem(("locations", index)) for index, place in enumerate(places) if not _readable(place)]


def _readable(location: object) -> bool:
    parts = [part.strip() for part in str(location or "").split(",")]
    return 2 <= len(parts) <= 3 and all(parts)


def _location_problem(where: tuple[str | int, ...]) -> Problem:
    return Problem(where, f"LinkedIn takes a location as {LOCATION_FORMS}", "location_form", core=True)


def element_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """The job's LinkedIn values under LinkedIn's own names in the posting element."""
    names = {
        "categories": "categories",
        "industries": "industries",
        "experience_level": "experienceLevel",
        "company_job_code": "companyJobCode",
    }
    return {names[name]: value for name, value in values.items() if name in names and value is not None}
