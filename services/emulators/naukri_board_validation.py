"""What a valid Naukri posting holds of Naukri's own fields (our simulation-mode API's, see
shared/platforms/naukri.py): experience in years and annual CTC in INR lakhs as {"min", "max"} (CTC
may be "not_disclosed"), industry, functional area and UG/PG education as codes of the lists
jobpub ships (shared/platforms/codes/), a role, and the listing type, whose Classified keeps its
title and description to 254 characters.

Optional in the API (a posting created before these fields existed still updates); each is
checked when it is there. Problems come as {"field", "message"} entries like naukri_validation's.
"""

from __future__ import annotations

from shared.platforms.fields import NOT_DISCLOSED, code_list
from shared.platforms.naukri_fields import CLASSIFIED_TEXT_MAX, LISTING_TYPES

CODE_FIELDS = {
    "industry": "naukri_industries.v1",
    "functionalArea": "naukri_functional_areas.v1",
    "educationUg": "naukri_education_ug.v1",
    "educationPg": "naukri_education_pg.v1",
}


def _problem(field: str, message: str) -> dict:
    return {"field": field, "message": message}


def board_field_problems(body: dict):
    yield from _range_problems(body, "experienceYears", whole=True, may_withhold=False)
    yield from _range_problems(body, "ctcLakhs", whole=False, may_withhold=True)
    for field, reference in CODE_FIELDS.items():
        value = body.get(field)
        if value is not None and value not in code_list(reference).labels:
            yield _problem(field, "is not a known code")
    role = body.get("role")
    if role is not None and not (isinstance(role, str) and role.strip()):
        yield _problem("role", "must be a non-empty string")
    listing_type = body.get("listingType")
    if listing_type is not None and listing_type not in LISTING_TYPES:
        yield _problem("listingType", f"must be one of: {', '.join(LISTING_TYPES)}")
    if listing_type == "classified":
        for field in ("title", "description"):
            text = body.get(field)
            if isinstance(text, str) and len(text) > CLASSIFIED_TEXT_MAX:
                yield _problem(field, f"a Classified listing takes at most {CLASSIFIED_TEXT_MAX} characters")


def _range_problems(body: dict, field: str, *, whole: bool, may_withhold: bool):
    value = body.get(field)
    if value is None or (may_withhold and value == NOT_DISCLOSED):
        return
    ends = [value.get("min"), value.get("max")] if isinstance(value, dict) else []
    kinds = int if whole else (int, float)
    if len(ends) != 2 or not all(isinstance(end, kinds) and not isinstance(end, bool) and end >= 0 for end in ends):
        yield _problem(
            field, "must be {min, max} of numbers of at least 0" + (' or "not_disclosed"' if may_withhold else "")
        )
    elif value["min"] > value["max"]:
        yield _problem(f"{field}.min", f"must not be more than {field}.max")
