"""Application statuses from the customer's ATS: recording one, and asking for it to be forwarded.

`record_status` writes the status update and its `ApplicationStatusRecorded` event in the
caller's transaction, with the application locked, so two identical requests store one row and
a rejection and a hire cannot both slip in. The event carries the dispatch to the board's queue
(`publish.<platform>`, actor `status.<platform>`: services/publisher/status_forwarding.py), or
none where the board takes no statuses. Replaying a failed forwarding lives here too, so the API
and `jobpub failures` apply the same rule: only a failed one is sent again, so a replay run twice
forwards once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from shared.events import ApplicationStatusRecorded, ApplicationStatusReplayed
from shared.models import Application, ApplicationStatusUpdate, utcnow
from shared.outbox import record, status_dispatch
from shared.platforms import adapter_class

# Our words for what happened; each adapter maps them to its board's own codes.
STATUSES = ("viewed", "resume_downloaded", "rejected", "hired")
# Outcomes that end an application: one excludes the other.
FINAL = {"rejected": "hired", "hired": "rejected"}


class StatusConflict(Exception):
    """The status does not fit what is already recorded for the application (a 409)."""


@dataclass(frozen=True)
class Recorded:
    update: ApplicationStatusUpdate
    created: bool  # False: the same status was recorded before, and nothing changed


def not_forwarded_reason(platform: str) -> str:
    return f"not forwarded: {platform} takes no status"


def locked_application(session: Session, organization_id: int, application_id: int) -> Application | None:
    query = select(Application).where(Application.id == application_id, Application.organization_id == organization_id)
    return session.scalar(query.with_for_update())


def updates_of(session: Session, application_ids: list[int]) -> dict[int, list[ApplicationStatusUpdate]]:
    """Each application's status updates, oldest first."""
    found: dict[int, list[ApplicationStatusUpdate]] = {application_id: [] for application_id in application_ids}
    if application_ids:
        query = select(ApplicationStatusUpdate).where(ApplicationStatusUpdate.application_id.in_(application_ids))
        for update in session.scalars(query.order_by(ApplicationStatusUpdate.id)):
            found[update.application_id].append(update)
    return found


def record_status(
    session: Session,
    application: Application,
    status: str,
    at: datetime | None,
    *,
    by: str,
    correlation_id: str | None = None,
) -> Recorded:
    """Record `status` for the (locked) application and ask for it to be forwarded.

    Raises StatusConflict for an erased application, or a final status contradicting another.
    """
    known = {update.status: update for update in updates_of(session, [application.id])[application.id]}
    if status in known:
        return Recorded(known[status], created=False)
    if application.erased_at is not None:
        raise StatusConflict(f"application {application.id}'s personal data was erased; its status is not kept")
    if FINAL.get(status) in known:
        raise StatusConflict(f"application {application.id} was already {FINAL[status]}; it cannot be {status} too")
    # The adapter's OperationNotSupported is the truth; its class attribute saves a queue round trip
    # (and answers "not_supported" at once) for a board that takes no status.
    forwarding = "pending" if adapter_class(application.platform).takes_application_status else "not_supported"
    now = utcnow()
    update = ApplicationStatusUpdate(
        organization_id=application.organization_id,
        application_id=application.id,
        platform=application.platform,
        status=status,
        occurred_at=at or now,
        recorded_at=now,
        forward_state=forwarding,
        attempts=0,
        last_error=None if forwarding == "pending" else not_forwarded_reason(application.platform),
        updated_at=now,
    )
    session.add(update)
    session.flush()
    event = ApplicationStatusRecorded(
        **event_fields(update, application.job_id), at=update.occurred_at, by=by, forwarding=forwarding
    )
    dispatch = status_dispatch(update.platform) if forwarding == "pending" else None
    record(session, event, dispatch=dispatch, correlation_id=correlation_id)
    return Recorded(update, created=True)


def event_fields(update: ApplicationStatusUpdate, job_id: int) -> dict[str, Any]:
    """The fields every StatusUpdateEvent of this update carries."""
    return dict(
        organization_id=update.organization_id,
        job_id=job_id,
        platform=update.platform,
        application_id=update.application_id,
        status_update_id=update.id,
        status=update.status,
    )


def failed_updates(
    session: Session,
    organization_id: int | None,
    *,
    platform: str | None = None,
    limit: int | None = 50,
    after_id: int | None = None,
) -> list[ApplicationStatusUpdate]:
    """The status updates whose forwarding failed, oldest first (by id): the organization's, or
    every organization's (None: the operator's command line)."""
    query = select(ApplicationStatusUpdate).where(ApplicationStatusUpdate.forward_state == "failed")
    if organization_id is not None:
        query = query.where(ApplicationStatusUpdate.organization_id == organization_id)
    if platform:
        query = query.where(ApplicationStatusUpdate.platform == platform)
    if after_id is not None:
        query = query.where(ApplicationStatusUpdate.id > after_id)
    return list(session.scalars(query.order_by(ApplicationStatusUpdate.id).limit(limit)))


def replay_update(session: Session, update_id: int, *, by: str, why: str, not_before: datetime | None = None) -> bool:
    """Forward a failed status update again; False if it is not failed (any more)."""
    update = session.scalar(
        select(ApplicationStatusUpdate).where(ApplicationStatusUpdate.id == update_id).with_for_update()
    )
    if update is None or update.forward_state != "failed":
        return False
    job_id = session.scalar(select(Application.job_id).where(Application.id == update.application_id))
    assert job_id is not None  # the application row cascades its status updates away
    failed_with = update.last_error
    update.forward_state, update.attempts, update.last_error = "pending", 0, None
    update.next_attempt_at, update.updated_at = None, utcnow()
    event = ApplicationStatusReplayed(**event_fields(update, job_id), by=by, why=why, failed_with=failed_with)
    record(session, event, dispatch=status_dispatch(update.platform, not_before))
    return True


def recover_stalled_updates(session: Session, stalled_after: float, limit: int) -> int:
    """Send again every status update waiting or sending with nothing moving for `stalled_after`
    seconds (its message was lost: Redis restarted without persistence, or dramatiq dead-lettered
    it); the worker's claim makes a surplus copy harmless. Returns how many."""
    now = utcnow()
    quiet_since = now - timedelta(seconds=stalled_after)
    stalled = session.scalars(
        select(ApplicationStatusUpdate)
        .where(
            ApplicationStatusUpdate.forward_state.in_(["pending", "sending"]),
            ApplicationStatusUpdate.updated_at < quiet_since,
            or_(
                ApplicationStatusUpdate.next_attempt_at.is_(None), ApplicationStatusUpdate.next_attempt_at < quiet_since
            ),
        )
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for update in stalled:
        job_id = session.scalar(select(Application.job_id).where(Application.id == update.application_id))
        assert job_id is not None  # the application row cascades its status updates away
        update.updated_at = now
        event = ApplicationStatusReplayed(
            **event_fields(update, job_id), by="recovery", why="its message was lost", failed_with=update.last_error
        )
        record(session, event, dispatch=status_dispatch(update.platform))
    return len(stalled)
