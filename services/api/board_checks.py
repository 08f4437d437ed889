"""What each platform would refuse of a job, found at request time (a 422) rather than by a worker
days later: a description shorter than the platform takes, a field of its own missing or not in
its code list, a location LinkedIn cannot read, a Naukri Classified text over its limit.

The rules are the adapters' (shared/platforms/: `min_description`, `board_fields`,
`listing_problems`); this module only applies them to the platforms a request publishes to (or
the platforms a job is on, for an edit) and names each problem's place in the request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from services.api.job_publishing import FieldProblem, FieldProblems
from shared.platforms import adapter_class
from shared.platforms.fields import Problem, problems


def check_job(
    core: Mapping[str, Any],
    board_fields: Mapping[str, Any],
    platforms: Iterable[str],
    prefix: tuple[str | int, ...],
) -> None:
    """Raise FieldProblems naming every problem, each at `prefix` + its place in the job
    (`("description",)`, `("board_fields", "naukri", "ctc_lakhs")`), or return."""
    found = [_located(problem, prefix) for problem in job_problems(core, board_fields, platforms)]
    if found:
        raise FieldProblems(found)


def job_problems(core: Mapping[str, Any], board_fields: Mapping[str, Any], platforms: Iterable[str]) -> list[Problem]:
    """Every problem, with paths from the job: core fields as they are, a platform's own under
    ("board_fields", platform, …). Every block given is checked; required fields and the
    platform's rules only where the job is published."""
    publishing = list(dict.fromkeys(platforms))
    found: list[Problem] = []
    for platform in dict.fromkeys([*board_fields, *publishing]):
        adapter, values = adapter_class(platform), board_fields.get(platform)
        declared = problems(adapter.board_fields, values, publishing=platform in publishing)
        found += [
            _named(adapter.display_name, Problem(("board_fields", platform, *p.path), p.message, p.kind))
            for p in declared
        ]
        if platform not in publishing:
            continue
        needed, description = adapter.min_description, str(core.get("description") or "")
        if len(description) < needed:
            message = f"{platform} needs a description of at least {needed} characters; this one has {len(description)}"
            found.append(Problem(("description",), message, "string_too_short", core=True))
        own = values if isinstance(values, Mapping) else {}
        found += [_named(adapter.display_name, p) for p in adapter.listing_problems(core, own)]
    return found


def _named(platform: str, problem: Problem) -> Problem:
    return Problem(problem.path, f"{platform}: {problem.message}", problem.kind, problem.core)


def _located(problem: Problem, prefix: tuple[str | int, ...]) -> FieldProblem:
    return FieldProblem((*prefix, *problem.path), problem.message, problem.kind)
