"""What a valid LinkedIn job posting element is, and LinkedIn's words for what is wrong with one.

Rest.li checks every field and reports all problems at once, one `ERROR :: /<field> :: <reason>`
line each; the batch endpoint puts them, joined, in the element's 422.
"""

from __future__ import annotations

import json
import re
import time

from services.emulators.linkedin_questions import question_errors
from shared.platforms.fields import code_list
from shared.platforms.linkedin_fields import EXPERIENCE_LEVELS

LISTED_AT_LEEWAY_MS = 60_000  # "not in the future", with a minute for clocks that disagree
OPERATIONS = ("CREATE", "UPDATE", "RENEW", "CLOSE")
EMPLOYMENT_STATUSES = ("FULL_TIME", "PART_TIME", "CONTRACT", "INTERNSHIP", "TEMPORARY", "VOLUNTEER")
WORKPLACE_TYPES = ("On-site", "Hybrid", "Remote")
ORGANIZATION_URN = re.compile(r"urn:li:organization:\d+")
# LinkedIn names no number we could find ("a handful"); the emulator holds the API to the one we
# chose (shared/locations.py), so sending one more than that shows up here as LinkedIn's 422.
MAX_ALTERNATE_LOCATIONS = 5
# The location forms LinkedIn accepts: "City, State", "City, Country", "Postcode, CC" (and
# "City, Region, Country", which it recommends): two or three parts, none empty.
LOCATION_FORM = re.compile(r"[^,]*[^,\s][^,]*(,[^,]*[^,\s][^,]*){1,2}")
# Required text fields and their length range (None: no upper limit we know of).
TEXT_LIMITS = {
    "externalJobPostingId": (1, 75),
    "title": (1, 200),
    "description": (100, 25_000),
    "companyApplyUrl": (1, None),
    "location": (1, None),
}

REQUIRED = "field is required but not found and has no default value"
# The fields beyond the basics (job_posting_v2.yaml): job-function codes from LinkedIn's Job
# Functions table, `urn:li:industry:<id>` from its Industry Codes table (the ids jobpub ships),
# the experience-level enum.
JOB_FUNCTIONS = frozenset(code_list("linkedin_job_functions.v1").labels)
INDUSTRIES = frozenset(code_list("linkedin_industries.v1").labels)
CODE_NOUNS = {"categories": "job function", "industries": "industry"}
INDUSTRY_URN = re.compile(r"urn:li:industry:\d+")


def element_errors(element: object) -> list[str]:
    """Every reason this element is invalid, in LinkedIn's `ERROR :: /<field> :: <reason>` form."""
    if not isinstance(element, dict):
        return [_error("", "element must be a record")]
    return [
        *_text_errors(element),
        *_listed_at_errors(element.get("listedAt")),
        *_expire_at_errors(element.get("expireAt")),
        *_organization_errors(element.get("integrationContext")),
        *_enum_errors("jobPostingOperationType", element.get("jobPostingOperationType"), OPERATIONS, required=True),
        *_enum_errors("employmentStatus", element.get("employmentStatus"), EMPLOYMENT_STATUSES, required=False),
        *_workplace_errors(element.get("workplaceTypes")),
        *_code_list_errors("categories", element.get("categories"), JOB_FUNCTIONS),
        *_code_list_errors("industries", element.get("industries"), INDUSTRIES),
        *_enum_errors("experienceLevel", element.get("experienceLevel"), EXPERIENCE_LEVELS, required=False),
        *_company_job_code_errors(element.get("companyJobCode")),
        *question_errors(element.get("onsiteApplyConfiguration")),
        *_alternate_location_errors(element.get("alternateLocations")),
    ]


def _error(field: str, reason: str) -> str:
    return f"ERROR :: /{field} :: {reason}"


def _text_errors(element: dict):
    for field, (low, high) in TEXT_LIMITS.items():
        value = element.get(field)
        if value is None:
            yield _error(field, REQUIRED)
        elif not isinstance(value, str):
            yield _error(field, f"{json.dumps(value)} is not a string")
        elif len(value) < low or (high is not None and len(value) > high):
            yield _error(field, f"length of {len(value)} is out of range {low}..{high if high else ''}")


def _listed_at_errors(value: object):
    if value is None:
        yield _error("listedAt", REQUIRED)
    elif not isinstance(value, int) or isinstance(value, bool):
        yield _error("listedAt", f"{json.dumps(value)} cannot be coerced to Long")
    elif value > int(time.time() * 1000) + LISTED_AT_LEEWAY_MS:
        yield _error("listedAt", "must not be in the future")


def _expire_at_errors(value: object):
    if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
        yield _error("expireAt", f"{json.dumps(value)} cannot be coerced to Long")


def _organization_errors(value: object):
    if value is None:
        yield _error("integrationContext", REQUIRED)
    elif not isinstance(value, str) or not ORGANIZATION_URN.fullmatch(value):
        yield _error("integrationContext", f"{json.dumps(value)} is not a valid urn:li:organization urn")


def _enum_errors(field: str, value: object, symbols: tuple[str, ...], *, required: bool):
    if value is None:
        if required:
            yield _error(field, REQUIRED)
    elif value not in symbols:
        yield _error(field, f"{json.dumps(value)} is not an enum symbol")


def _workplace_errors(value: object):
    if value is None:
        return
    if not isinstance(value, list) or len(value) != 1:
        yield _error("workplaceTypes", "must be an array holding exactly one workplace type")
    elif value[0] not in WORKPLACE_TYPES:
        yield _error("workplaceTypes/0", f"{json.dumps(value[0])} is not one of {', '.join(WORKPLACE_TYPES)}")


def _code_list_errors(field: str, value: object, known: frozenset[str]):
    if value is None:
        return
    if not isinstance(value, list):
        yield _error(field, f"{json.dumps(value)[:80]} is not an array")
        return
    for index, item in enumerate(value):
        if not isinstance(item, str):
            yield _error(f"{field}/{index}", f"{json.dumps(item)[:80]} is not a string")
        elif field == "industries" and not INDUSTRY_URN.fullmatch(item):
            yield _error(f"{field}/{index}", f"{json.dumps(item)} is not a valid urn:li:industry urn")
        elif item not in known:
            yield _error(f"{field}/{index}", f"{json.dumps(item)} is not a known {CODE_NOUNS[field]}")


def _company_job_code_errors(value: object):
    if value is not None and not isinstance(value, str):
        yield _error("companyJobCode", f"{json.dumps(value)[:80]} is not a string")


def _alternate_location_errors(value: object):
    if value is None:
        return
    if not isinstance(value, list):
        yield _error("alternateLocations", f"{json.dumps(value)} is not an array")
        return
    if len(value) > MAX_ALTERNATE_LOCATIONS:
        yield _error(
            "alternateLocations", f"array of {len(value)} items is over the maximum of {MAX_ALTERNATE_LOCATIONS}"
        )
    for index, place in enumerate(value):
        if not isinstance(place, str):
            yield _error(f"alternateLocations/{index}", f"{json.dumps(place)} is not a string")
        elif not LOCATION_FORM.fullmatch(place):
            yield _error(
                f"alternateLocations/{index}",
                f'{json.dumps(place)} is not a location: use "City, State", "City, Country" or "Postcode, CC"',
            )
