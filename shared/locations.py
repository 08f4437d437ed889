"""How many of a job's locations each platform takes in one posting, and what becomes of the rest.

A job names one or several locations. Each platform gets them as it accepts them:

- LinkedIn: the first as `location`, up to `LINKEDIN_ALTERNATE_LOCATIONS` more as
  `alternateLocations`; the rest go out as further postings of the same job ("parts"), each with
  its own external id, that take their locations the same way.
- Naukri: up to nine in one posting (its posting form's limit); more is refused at request time.
- Indeed (Job Sync) and the feed: one location per posting (Indeed's feed takes one `<job>` per
  location, each with its own reference number), so a job in three places is three postings.

The API, the publisher and the lifecycle all split locations with `split_locations`, so a part
number always means the same locations everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# LinkedIn's OpenAPI description (linkedin-developers/job-posting-development-tools,
# job_posting_v2.yaml) has no `alternateLocations` at all, and the pages we could read name the
# field (its release notes) but no number ("a handful"). Five is our conservative choice: a job
# in more places than LinkedIn takes is never refused, it only becomes one more posting.
LINKEDIN_ALTERNATE_LOCATIONS = 5
NAUKRI_MAX_LOCATIONS = 9  # Naukri's posting form: up to nine locations (every three use a credit)
MAX_JOB_LOCATIONS = 50  # per job: at one posting a location, 50 Indeed postings is already a lot


@dataclass(frozen=True)
class LocationRule:
    """How a platform takes a job's locations; each adapter declares its own as `location_rule`."""

    per_posting: int  # how many locations one posting carries
    splits: bool  # more than that: further postings (True), or a request-time 422 (False)


ONE_PER_POSTING = LocationRule(per_posting=1, splits=True)  # an adapter that declares none: the safe way


def rule_of(platform: str) -> LocationRule:
    from shared.platforms import adapter_class  # the adapters import this module for LocationRule

    rule: LocationRule = getattr(adapter_class(platform), "location_rule", ONE_PER_POSTING)
    return rule


def split_locations(platform: str, locations: Sequence[str]) -> list[list[str]]:
    """The locations of each of the job's postings on `platform`: part 1 first.

    A platform that does not split gets them all in one posting (the API refuses too many first).
    """
    rule = rule_of(platform)
    if not rule.splits:
        return [list(locations)]
    size = rule.per_posting
    return [list(locations[start : start + size]) for start in range(0, len(locations), size)]


def too_many(platform: str, locations: Sequence[str]) -> str | None:
    """Why `platform` cannot take these locations; None when it can."""
    rule = rule_of(platform)
    if rule.splits or len(locations) <= rule.per_posting:
        return None
    return f"{platform} takes at most {rule.per_posting} locations in one posting; this job has {len(locations)}"


def part_suffix(part: int) -> str:
    """What part `part`'s external id ends with: nothing for part 1 (ids from before parts stay valid)."""
    return "" if part == 1 else f"-p{part}"
