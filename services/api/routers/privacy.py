"""Candidates' personal data: retention rules, erasure on request, and a copy of what is held.

Setting retention, erasing and exporting take an operator key (403 otherwise): each acts on every
candidate of the organization or hands one person's whole file out, and each is recorded naming
the key. Reading the rules takes any key. Every query is within the caller's organization.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from services.api.deps import CurrentOrg, OperatorOrg, SessionDep
from services.api.job_publishing import FieldProblem
from services.api.schemas.common import NoNul
from services.api.schemas.errors import error_answers
from services.api.schemas.privacy import (
    CandidateExportOut,
    ErasureIn,
    ErasureOut,
    RetentionRuleIn,
    RetentionRulesOut,
)
from shared.candidate_export import export_candidate
from shared.privacy import applications_of, erase_applications
from shared.retention import rules_of, set_rule

router = APIRouter(prefix="/jobs/publishing/privacy", tags=["privacy"], responses=error_answers(401, 429))

EXPORT_REASON = "access request by the candidate"


def _key_name(request: Request) -> str:
    api_key = request.state.api_key
    return f"api key {api_key.key_id}" + (f" ({api_key.label})" if api_key.label else "")


@router.get("/retention/", response_model=RetentionRulesOut)
def retention_rules(organization_id: CurrentOrg, session: SessionDep):
    """How long applications are kept: the organization's rule, then each platform's own."""
    return {"items": rules_of(session, organization_id), "next_cursor": None}


@router.put("/retention/", response_model=RetentionRulesOut, responses=error_answers(403, 400, 413, 422))
def set_retention_rule(body: RetentionRuleIn, request: Request, organization_id: OperatorOrg, session: SessionDep):
    """Set (or, with `keep_days` null, remove) the rule for every platform or one; answers the rules.
    The scheduler erases what a rule makes due within `RETENTION_INTERVAL_SECONDS`."""
    set_rule(session, organization_id, body.platform, body.keep_days, body.counted_from, _key_name(request))
    session.commit()
    return {"items": rules_of(session, organization_id), "next_cursor": None}


@router.post("/erasures/", response_model=ErasureOut, responses=error_answers(403, 400, 413, 422))
def erase_candidate(body: ErasureIn, request: Request, organization_id: OperatorOrg, session: SessionDep):
    """Erase a person's applications (by e-mail, any case, and/or ids) and their copies, in one
    transaction; an `ApplicationsErased` event names the key and reason, never the person."""
    found = applications_of(session, organization_id, email=body.email, application_ids=body.application_ids or ())
    _refuse_unknown_ids(body.application_ids or [], {application.id for application in found})
    ids = [application.id for application in found]
    erased: list[int] = []
    if not body.dry_run:
        erased = erase_applications(
            session, organization_id, ids, cause="request", reason=body.reason, by=_key_name(request)
        )
        session.commit()
    return ErasureOut(matched=len(ids), erased=len(erased), application_ids=ids, dry_run=body.dry_run)


def _refuse_unknown_ids(asked: list[int], known: set[int]) -> None:
    # Another organization's application is as unknown as a missing one.
    for index, application_id in enumerate(asked):
        if application_id not in known:
            message = f"no application {application_id} in your organization"
            raise FieldProblem(("body", "application_ids", index), message, "unknown_application")


@router.get("/candidates/", response_model=CandidateExportOut, responses=error_answers(403, 422))
def export_candidate_data(
    request: Request,
    organization_id: OperatorOrg,
    session: SessionDep,
    email: Annotated[str, Query(min_length=3, max_length=320, description="The person's e-mail, any case."), NoNul],
    reason: Annotated[str, Query(min_length=1, max_length=500, description="Why, for the publishing log."), NoNul] = (
        EXPORT_REASON
    ),
):
    """Everything held about the person with this e-mail: their applications with every field and
    the notifications that mention them. Recorded as a `CandidateDataExported` event (counts, no e-mail)."""
    exported = export_candidate(session, organization_id, email, reason=reason, by=_key_name(request))
    session.commit()
    return exported
