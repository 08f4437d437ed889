"""What a valid Naukri posting is (a create body, and an update's, which is checked like one), and
our simulation-mode API's words for what is wrong with it: every problem at once, as
{"field", "message"} entries that the routes (naukri.py) answer with in a 422 `{"errors": [...]}`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeGuard

from services.emulators.naukri_board_validation import board_field_problems

EMPLOYMENT_TYPES = ("full_time", "part_time", "contract", "internship", "temporary", "volunteer")
WORK_MODES = ("on_site", "hybrid", "remote")
SALARY_PERIODS = ("yearly", "monthly", "hourly")
# Required text fields and their length range (None: no upper limit).
TEXT_LIMITS = {
    "reference": (1, 75),
    "title": (1, 200),
    "description": (50, 25_000),
    "location": (1, None),
    "applyUrl": (1, None),
    "companyName": (1, None),
}
MAX_LOCATIONS = 9  # Naukri's posting form takes up to nine locations
# Required choice fields: every posting says how it is employed and where it is worked.
CHOICES = {"employmentType": EMPLOYMENT_TYPES, "workMode": WORK_MODES}


def posting_errors(body: object) -> list[dict]:
    """Every problem with a create body, as {"field", "message"} entries."""
    if not isinstance(body, dict):
        return [problem(None, "the body must be a JSON object")]
    return [
        *_text_problems(body),
        *_choice_problems(body),
        *_salary_problems(body.get("salary")),
        *_skills_problems(body.get("skills")),
        *_expiry_problems(body.get("expiresAt")),
        *board_field_problems(body),
        *_locations_problems(body.get("locations")),
    ]


def problem(field: str | None, message: str) -> dict:
    return {"field": field, "message": message}


def _text_problems(body: dict):
    for field, (low, high) in TEXT_LIMITS.items():
        value = body.get(field)
        if value is None:
            yield problem(field, "is required")
        elif not isinstance(value, str):
            yield problem(field, "must be a string")
        elif len(value.strip()) < low:
            yield problem(field, f"must be at least {low} characters" if low > 1 else "must not be empty")
        elif high is not None and len(value) > high:
            yield problem(field, f"must be at most {high} characters")


def _choice_problems(body: dict):
    for field, choices in CHOICES.items():
        value = body.get(field)
        if value is None:
            yield problem(field, "is required")
        elif value not in choices:
            yield problem(field, f"must be one of: {', '.join(choices)}")


def _salary_problems(salary: object):
    if salary is None:
        return
    if not isinstance(salary, dict):
        yield problem("salary", "must be an object with min, max, currency and period")
        return
    low, high = salary.get("min"), salary.get("max")
    if not (_is_amount(low) and _is_amount(high)):
        yield problem("salary", "min and max must be numbers of at least 0")
    elif low > high:
        yield problem("salary.min", "must not be more than salary.max")
    currency = salary.get("currency")
    if not (isinstance(currency, str) and len(currency) == 3 and currency.isalpha() and currency.isupper()):
        yield problem("salary.currency", "must be a three-letter ISO 4217 code, such as INR")
    if salary.get("period") is not None and salary["period"] not in SALARY_PERIODS:
        yield problem("salary.period", f"must be one of: {', '.join(SALARY_PERIODS)}")


def _is_amount(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


def _skills_problems(skills: object):
    if skills is None:
        return
    if not isinstance(skills, list) or not all(isinstance(s, str) and s.strip() for s in skills):
        yield problem("skills", "must be a list of non-empty strings")


def _expiry_problems(expires_at: object):
    if expires_at is None:
        return
    try:
        if not isinstance(expires_at, str):
            raise TypeError
        datetime.fromisoformat(expires_at)
    except (TypeError, ValueError):
        yield problem("expiresAt", "must be an ISO 8601 date-time")


def _locations_problems(locations: object):
    if locations is None:
        return  # one posting, one place: `location` says it
    if not isinstance(locations, list) or not all(isinstance(p, str) and p.strip() for p in locations):
        yield problem("locations", "must be a list of non-empty strings")
    elif not 1 <= len(locations) <= MAX_LOCATIONS:
        yield problem("locations", f"must name 1 to {MAX_LOCATIONS} locations; this has {len(locations)}")
