"""Indeed's Disposition Sync API (docs.indeed.com/disposition-sync-api): the hiring outcome of an
Indeed Apply application, sent back to Indeed on the same GraphQL endpoint and token as Job Sync.

    mutation { partnerDisposition { send(input: {dispositions: [PartnerDispositionInput!]!}) {
        numberGoodDispositions failedDispositions { identifiedBy { indeedApplyID } rationale } } } }

Each `PartnerDispositionInput` names the application (`identifiedBy`: exactly one of
`indeedApplyID`, `ittk`, `universalApplyId` or an alternate identifier: ours is the Indeed Apply
ID, which is the `id` of the application Indeed Apply delivered), Indeed's standard status
(`dispositionStatus`, an `IndeedDispositionStatus`), the ATS's own words for it
(`rawDispositionStatus`), when it changed (`statusChangeDateTime`, which Indeed's guide asks
senders to order by) and the ATS's name (`atsName`). Indeed answers 200 with the count it took and
each refused disposition with its `rationale`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shared.platforms.base import OperationNotSupported, PermanentPlatformError, TransientPlatformError

ATS_NAME = "jobpub"
SEND = """mutation SendPartnerDispositions($input: SendPartnerDispositionInput!) {
  partnerDisposition { send(input: $input) {
    numberGoodDispositions failedDispositions { identifiedBy { indeedApplyID } rationale } } }
}"""
# Our statuses as IndeedDispositionStatus values: a view or a résumé download is the application
# under review; a rejection is NOT_SELECTED (one of the three statuses Indeed requires, with NEW and HIRED).
DISPOSITIONS = {
    "viewed": "REVIEW",
    "resume_downloaded": "REVIEW",
    "rejected": "NOT_SELECTED",
    "hired": "HIRED",
}


def send_variables(indeed_apply_id: str, status: str, at: datetime) -> dict[str, Any]:
    """The variables of one `send`: a single disposition of one application."""
    disposition = DISPOSITIONS.get(status)
    if disposition is None:
        raise OperationNotSupported(f"indeed takes no {status!r} status")
    return {
        "input": {
            "dispositions": [
                {
                    "identifiedBy": {"indeedApplyID": indeed_apply_id},
                    "dispositionStatus": disposition,
                    "rawDispositionStatus": status,
                    "statusChangeDateTime": at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
                    "atsName": ATS_NAME,
                }
            ]
        }
    }


def check_sent(data: dict[str, Any]) -> None:
    """Raise unless Indeed took the one disposition sent; a refused one carries Indeed's rationale."""
    result = (data.get("partnerDisposition") or {}).get("send")
    if not isinstance(result, dict):
        raise TransientPlatformError("Indeed answered the disposition without a result", unclear=True)
    failed = result.get("failedDispositions") or []
    if failed:
        reasons = "; ".join(str(f.get("rationale", "")) for f in failed if isinstance(f, dict))
        raise PermanentPlatformError(f"Indeed refused the disposition: {reasons or 'no reason given'}")
    if result.get("numberGoodDispositions") != 1:
        raise TransientPlatformError("Indeed did not confirm the disposition", unclear=True)
