"""Indeed's Disposition Sync on the Indeed emulator: the `partnerDisposition.send` mutation on
`POST /graphql`, as docs.indeed.com documents it.

    mutation { partnerDisposition { send(input: $input) { numberGoodDispositions failedDispositions {…} } } }
    input.dispositions: 1 to 25 PartnerDispositionInput, each with `identifiedBy` (exactly one of
    indeedApplyID, ittk, universalApplyId, alternateIdentifier), `dispositionStatus` (an
    IndeedDispositionStatus), `rawDispositionStatus`, `atsName` and `statusChangeDateTime`.

A malformed input is a GraphQL `BAD_USER_INPUT` error naming the field; a well-formed disposition
of an application this emulator never delivered to the caller is answered in
`failedDispositions` with its rationale (Indeed's per-disposition refusal), the rest are received.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from services.emulators.indeed_graphql import error
from services.emulators.status_inbox import StatusInbox

MAX_DISPOSITIONS = 25  # Indeed's guide: no more than 25 dispositions a request
IDENTIFIERS = ("indeedApplyID", "ittk", "universalApplyId", "alternateIdentifier")
STATUSES = frozenset(
    {
        "NEW", "REVIEW", "LIKED", "CONTACTED", "INTERVIEW", "BACKGROUND_CHECK", "WITHDRAWN", "HIRED",
        "INCOMPLETE", "UNABLE_TO_MAP", "SCREEN", "VERIFY_ELIGIBILITY", "NOT_SELECTED", "OFFER_DECLINED",
        "ASSESS_QUALIFICATIONS", "OFFER_MADE", "ONBOARDED", "POSITIVELY_SCREENED", "JOB_INACTIVE", "JOB_CLOSED",
        "DROPPED_DUPLICATE", "DROPPED_JOB_EXPIRED", "DROPPED_FRAUD_SPAM",
    }
)  # fmt: skip
_SEND = re.compile(r"^\s*mutation\b[^{]*\{\s*partnerDisposition\s*\{\s*send\s*\(")


def asks_for_send(document: Any) -> bool:
    return (
        isinstance(document, dict) and isinstance(document.get("query"), str) and bool(_SEND.match(document["query"]))
    )


def send(emulator: StatusInbox, client_id: str, variables: Any) -> dict:
    given = variables.get("input") if isinstance(variables, dict) else None
    dispositions = given.get("dispositions") if isinstance(given, dict) else None
    problems = disposition_problems(dispositions)
    if problems:
        raise error("; ".join(problems), "BAD_USER_INPUT")
    assert isinstance(dispositions, list)  # disposition_problems refuses anything else
    failed = []
    for disposition in dispositions:
        identified = disposition["identifiedBy"]
        apply_id = identified.get("indeedApplyID")
        if apply_id is None or not emulator.owns_application(client_id, "id", apply_id):
            failed.append({"identifiedBy": identified, "rationale": "no Indeed Apply application with this ID"})
        else:
            emulator.receive_status(client_id, disposition)
    good = len(dispositions) - len(failed)
    return {"data": {"partnerDisposition": {"send": {"numberGoodDispositions": good, "failedDispositions": failed}}}}


def disposition_problems(dispositions: Any) -> list[str]:
    """What makes `input.dispositions` invalid, each naming its field; [] if nothing does."""
    if not isinstance(dispositions, list) or not 1 <= len(dispositions) <= MAX_DISPOSITIONS:
        return [f"input.dispositions: must be a list of 1 to {MAX_DISPOSITIONS} dispositions"]
    problems = []
    for index, disposition in enumerate(dispositions):
        where = f"input.dispositions[{index}]"
        if not isinstance(disposition, dict):
            problems.append(f"{where}: must be a PartnerDispositionInput")
            continue
        identified = disposition.get("identifiedBy")
        given = [name for name in IDENTIFIERS if isinstance(identified, dict) and identified.get(name)]
        if len(given) != 1:
            problems.append(f"{where}.identifiedBy: give exactly one of {', '.join(IDENTIFIERS)}")
        if disposition.get("dispositionStatus") not in STATUSES:
            problems.append(f"{where}.dispositionStatus: is not an IndeedDispositionStatus")
        for name in ("rawDispositionStatus", "atsName"):
            if not isinstance(disposition.get(name), str) or not disposition[name].strip():
                problems.append(f"{where}.{name}: is required")
        if not _zoned_datetime(disposition.get("statusChangeDateTime")):
            problems.append(f"{where}.statusChangeDateTime: must be an ISO 8601 date-time with a zone")
    return problems


def _zoned_datetime(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False
