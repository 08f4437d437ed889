"""Candidates' personal data: the one definition of "erased", which erasure on request and
retention both use.

An erased application keeps nothing about the person: the name becomes `ERASED_NAME` (the column
is NOT NULL), the platform's raw payload `{}`, and e-mail, phone, resume link, cover letter and
answers NULL; `erased_at` says when. The row stays as a tombstone with its ids (ours and the
platform's), job, posting, platform, source and dates, so the unique key (organization, platform,
external id) makes a later pull, push or import of the same application store nothing.

The copies go in the same transaction: the `application.received` notifications that carry the
candidate's name, and free text that may quote their e-mail (a pull's error, an event's error or
reason, a delivery's last error). Every query is within the one organization: another tenant's
rows are never read or touched, even for the same e-mail.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, Text, cast, func, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from shared.events import EVENT_TYPES, ApplicationsErased
from shared.models import Application, NotificationDelivery, PublishingLog, SyncRun, utcnow
from shared.notifications import APPLICATION_RECEIVED
from shared.outbox import record

ERASED_NAME = "erased"
ERASED_TEXT = "[erased]"  # what replaces a quoted e-mail in free text
# Event fields that hold free text (an error a platform wrote, an operator's reason): where an
# e-mail may have been quoted. A new event with free text should name its field one of these.
FREE_TEXT_FIELDS = frozenset({"error", "reason", "why", "failed_with"})
FREE_TEXT_EVENTS = sorted(name for name, cls in EVENT_TYPES.items() if FREE_TEXT_FIELDS & set(cls.model_fields))

Cause = Literal["retention", "request"]


def normalized_email(email: str) -> str:
    """How e-mails are compared: trimmed, case-insensitive (as people and platforms write them)."""
    return email.strip().lower()


def applications_of(
    session: Session, organization_id: int, *, email: str | None = None, application_ids: Sequence[int] = ()
) -> list[Application]:
    """The organization's applications with that e-mail (any case) or those ids, oldest first."""
    wanted: list[ColumnElement[bool]] = []
    if email:
        wanted.append(func.lower(Application.candidate_email) == normalized_email(email))
    if application_ids:
        wanted.append(Application.id.in_(application_ids))
    if not wanted:
        return []
    query = select(Application).where(Application.organization_id == organization_id, or_(*wanted))
    return list(session.scalars(query.order_by(Application.id)))


def erase_applications(
    session: Session,
    organization_id: int,
    application_ids: Iterable[int],
    *,
    cause: Cause,
    reason: str,
    by: str,
    platform: str | None = None,
    now: datetime | None = None,
) -> list[int]:
    """Erase the organization's applications among `application_ids` not erased yet, and their
    copies, with one `ApplicationsErased`; returns the ids erased (none: no event)."""
    rows = session.execute(
        select(Application.id, Application.candidate_email, Application.candidate_name)
        .where(
            Application.organization_id == organization_id,
            Application.id.in_(list(application_ids)),
            Application.erased_at.is_(None),
        )
        .order_by(Application.id)
        .with_for_update(of=Application)
    ).all()
    if not rows:
        return []
    ids = [row.id for row in rows]
    emails = {normalized_email(row.candidate_email) for row in rows if row.candidate_email}
    session.execute(
        update(Application)
        .where(Application.id.in_(ids))
        .values(
            candidate_name=ERASED_NAME,
            candidate_email=None,
            candidate_phone=None,
            resume_url=None,
            cover_letter=None,
            answers=None,
            raw={},
            erased_at=now or utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    _scrub_received_notifications(session, organization_id, ids, emails)
    _scrub_free_text(session, organization_id, emails)
    # The reason is the requester's own text, and may well name the person it is about.
    said = _pattern(emails | {row.candidate_name for row in rows if len(row.candidate_name) > 2})
    event = ApplicationsErased(
        organization_id=organization_id,
        cause=cause,
        reason=_scrubbed(reason, said),
        by=by,
        count=len(ids),
        platform=platform,
        application_ids=ids,
    )
    record(session, event)
    return ids


def _pattern(texts: Iterable[str]) -> re.Pattern[str] | None:
    # Longest first, so an e-mail is replaced whole before any shorter text inside it.
    alternatives = [re.escape(text) for text in sorted(set(texts), key=len, reverse=True) if text]
    return re.compile("|".join(alternatives), re.IGNORECASE) if alternatives else None


def _scrubbed(text: str, pattern: re.Pattern[str] | None) -> str:
    return pattern.sub(ERASED_TEXT, text) if pattern else text


def _scrubbed_json(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return _scrubbed(value, pattern)
    if isinstance(value, dict):
        return {key: _scrubbed_json(item, pattern) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrubbed_json(item, pattern) for item in value]
    return value


def received_notifications(
    session: Session, organization_id: int, application_ids: Sequence[int]
) -> list[NotificationDelivery]:
    """The `application.received` deliveries about these applications (each names its candidate)."""
    about = NotificationDelivery.payload["data"]["application_id"].as_integer()
    return list(
        session.scalars(
            select(NotificationDelivery)
            .where(
                NotificationDelivery.organization_id == organization_id,
                NotificationDelivery.event_type == APPLICATION_RECEIVED,
                about.in_(application_ids),
            )
            .order_by(NotificationDelivery.id)
        )
    )


def _scrub_received_notifications(
    session: Session, organization_id: int, application_ids: list[int], emails: set[str]
) -> None:
    pattern = _pattern(emails)
    for delivery in received_notifications(session, organization_id, application_ids):
        data = {**delivery.payload.get("data", {}), "candidate_name": ERASED_NAME}
        delivery.payload = {**delivery.payload, "data": data}  # a new dict: the JSON column sees the change
        if delivery.last_error and pattern:
            delivery.last_error = _scrubbed(delivery.last_error, pattern)


def _quoting(column: Any, emails: set[str]) -> ColumnElement[bool]:
    return or_(*(func.lower(column).contains(email, autoescape=True) for email in sorted(emails)))


def _scrub_free_text(session: Session, organization_id: int, emails: set[str]) -> None:
    """Replace the e-mails wherever free text of the organization quotes them."""
    pattern = _pattern(emails)
    if pattern is None:
        return
    columns: list[tuple[type[SyncRun] | type[NotificationDelivery], InstrumentedAttribute[str | None]]] = [
        (SyncRun, SyncRun.error),
        (NotificationDelivery, NotificationDelivery.last_error),
    ]
    for model, column in columns:
        for row in session.scalars(
            select(model).where(model.organization_id == organization_id, _quoting(column, emails))
        ):
            setattr(row, column.key, _scrubbed(getattr(row, column.key), pattern))
    for entry in session.scalars(
        select(PublishingLog).where(
            PublishingLog.organization_id == organization_id,
            PublishingLog.event_type.in_(FREE_TEXT_EVENTS),
            _quoting(cast(PublishingLog.payload, Text), emails),
        )
    ):
        entry.payload = _scrubbed_json(entry.payload, pattern)
