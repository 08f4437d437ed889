"""Writing how an attempt ended: the posting's change and its event, only by the lease holder.

On PostgreSQL the usual outcome is one statement in autocommit, one round trip:

    WITH released AS (UPDATE postings SET …, lease_token = NULL, …
                      WHERE id = … AND lease_token = <this claim's> [AND …] RETURNING id)
    INSERT INTO publishing_log (…) SELECT … FROM released

The lease check and the write are that one statement, so only the holder records an outcome,
and only once. When it writes nothing, the outcome is written in steps in one transaction with
the posting locked (services/publisher/claims.py `held_posting`), which also tells a lost lease:
that way go an outcome that settles a publish while an operation waits for it
(shared/operations.py), and one that notifies an organization with webhook endpoints
(shared/notifications.py), whose rows need more than a statement can say. SQLite always goes
that way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, exists, insert, literal, select, update
from sqlalchemy.orm import Session, sessionmaker

from services.publisher.claims import RELEASED, Claim, held_posting, release
from shared.context import WorkerContext
from shared.db import autocommitting, unit_of_work
from shared.events import Event
from shared.models import NotificationEndpoint, OperationStatus, Posting, PublishingLog
from shared.notifications import notify
from shared.operations import after_publish_outcome
from shared.outbox import Dispatch, log_values, record

POSTINGS = cast(Table, Posting.__table__)
LOG = cast(Table, PublishingLog.__table__)
ENDPOINTS = cast(Table, NotificationEndpoint.__table__)


@dataclass(frozen=True)
class Outcome:
    changes: dict[str, Any]  # the posting's columns as the outcome leaves them, besides releasing the lease
    event: Event
    dispatch: Dispatch | None = None
    notification: tuple[str, dict[str, Any]] | None = None  # type and data for the organization's endpoints
    settles_publish: bool = False  # an operation asked for meanwhile goes on from here


def write_outcome(ctx: WorkerContext, held: Claim, outcome: Outcome, correlation_id: str | None) -> bool:
    """Record `outcome` and release the lease if `held` still holds it; False when it does not."""
    if not ctx.settings.is_sqlite and _write_at_once(ctx.sessions, held, outcome, correlation_id):
        return True
    return _write_in_steps(ctx.sessions, held, outcome, correlation_id)


def _write_at_once(sessions: sessionmaker[Session], held: Claim, outcome: Outcome, correlation_id: str | None) -> bool:
    conditions = [POSTINGS.c.id == held.posting_id, POSTINGS.c.lease_token == held.lease_token]
    if outcome.settles_publish:
        conditions.append(POSTINGS.c.operation_status.is_distinct_from(OperationStatus.PENDING))
    if outcome.notification:
        endpoints = exists().where(ENDPOINTS.c.organization_id == held.organization_id, ENDPOINTS.c.enabled.is_(True))
        conditions.append(~endpoints)
    released = (update(POSTINGS).where(*conditions).values(**outcome.changes, **RELEASED).returning(POSTINGS.c.id)).cte(
        "released"
    )
    row = log_values(outcome.event, dispatch=outcome.dispatch, correlation_id=correlation_id)
    event_row = select(*(literal(value, LOG.c[name].type) for name, value in row.items())).select_from(released)
    statement = insert(LOG).from_select(list(row), event_row).add_cte(released).returning(LOG.c.id)
    with autocommitting(sessions) as session:
        return session.execute(statement).first() is not None


def _write_in_steps(sessions: sessionmaker[Session], held: Claim, outcome: Outcome, correlation_id: str | None) -> bool:
    with unit_of_work(sessions) as session:
        posting = held_posting(session, held)
        if posting is None:
            return False
        for name, value in outcome.changes.items():
            setattr(posting, name, value)
        release(posting)
        record(session, outcome.event, dispatch=outcome.dispatch, correlation_id=correlation_id)
        if outcome.settles_publish:
            after_publish_outcome(session, posting, correlation_id)
        if outcome.notification:
            notify(session, held.organization_id, *outcome.notification)
        return True
