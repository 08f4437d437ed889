"""A copy of everything jobpub holds about one person in one organization (an access request).

The person is found by e-mail, whatever its case: their applications with every field (the
platform's raw payload too, and the statuses the customer's ATS reported of each), and the
notification deliveries that mention those applications (an `application.received` carries the
candidate's name; an `applications.received` lists ids).
Each export is a `CandidateDataExported` event naming who asked and why, with counts and ids,
never the e-mail.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import literal, or_, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from shared.application_status import updates_of
from shared.events import CandidateDataExported
from shared.models import Application, ApplicationStatusUpdate, NotificationDelivery
from shared.notifications import APPLICATIONS_RECEIVED
from shared.outbox import record
from shared.privacy import applications_of, received_notifications

APPLICATION_FIELDS = (
    "id",
    "job_id",
    "platform",
    "source",
    "external_application_id",
    "candidate_name",
    "candidate_email",
    "candidate_phone",
    "resume_url",
    "cover_letter",
    "answers",
    "raw",
    "applied_at",
    "received_at",
)
DELIVERY_FIELDS = ("id", "endpoint_id", "event_type", "status", "created_at", "payload")


def export_candidate(session: Session, organization_id: int, email: str, *, reason: str, by: str) -> dict[str, Any]:
    """What the organization holds about the person with this e-mail, recorded as exported."""
    applications = applications_of(session, organization_id, email=email)
    ids = [application.id for application in applications]
    deliveries = _mentioning(session, organization_id, ids) if ids else []
    event = CandidateDataExported(
        organization_id=organization_id,
        reason=reason,
        by=by,
        applications=len(applications),
        notification_deliveries=len(deliveries),
        application_ids=ids,
    )
    record(session, event)
    updates = updates_of(session, ids)
    return {
        "applications": [
            {**_fields(application, APPLICATION_FIELDS), "status_updates": _statuses(updates[application.id])}
            for application in applications
        ],
        "notification_deliveries": [_fields(delivery, DELIVERY_FIELDS) for delivery in deliveries],
    }


def _statuses(updates: list[ApplicationStatusUpdate]) -> list[dict[str, Any]]:
    return [
        {
            "status": u.status,
            "at": u.occurred_at,
            "recorded_at": u.recorded_at,
            "platform": u.platform,
            "forward_state": u.forward_state,
        }
        for u in updates
    ]


def _fields(row: Application | NotificationDelivery, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in names}


def _mentioning(session: Session, organization_id: int, application_ids: list[int]) -> list[NotificationDelivery]:
    found = received_notifications(session, organization_id, application_ids)
    found += _listing(session, organization_id, application_ids)
    return sorted({delivery.id: delivery for delivery in found}.values(), key=lambda delivery: delivery.id)


def _listing(session: Session, organization_id: int, application_ids: list[int]) -> list[NotificationDelivery]:
    """The `applications.received` deliveries whose id list holds one of these applications."""
    query = select(NotificationDelivery).where(
        NotificationDelivery.organization_id == organization_id,
        NotificationDelivery.event_type == APPLICATIONS_RECEIVED,
    )
    listed = NotificationDelivery.payload["data"]["application_ids"]
    if session.get_bind().dialect.name == "postgresql":
        # JSONB containment, one id at a time: "the list holds this id", answered by PostgreSQL.
        holds = [listed.op("@>")(literal(json.dumps([i])).cast(JSONB)) for i in application_ids]
        return list(session.scalars(query.where(or_(*holds))))
    wanted = set(application_ids)  # SQLite (the dev default): read the organization's lists
    return [d for d in session.scalars(query) if wanted & set(d.payload.get("data", {}).get("application_ids", []))]
