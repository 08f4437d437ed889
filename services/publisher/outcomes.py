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

import functools
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import BindParameter, Table, bindparam, exists, insert, select, update
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
    changes: dict[str, Any]  # the posting's columns as the outcome leaves them, besides releasing the lease (values)
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
    event_row = log_values(outcome.event, dispatch=outcome.dispatch, correlation_id=correlation_id)
    statement = _statement_writing(
        tuple(outcome.changes), outcome.settles_publish, outcome.notification is not None, tuple(event_row)
    )
    params = dict(
        posting_id=held.posting_id,
        token=held.lease_token,
        notified_organization=held.organization_id,
        **{f"set_{name}": value for name, value in outcome.changes.items()},
        **{f"log_{name}": value for name, value in event_row.items()},
    )
    with autocommitting(sessions) as database:
        return database.execute(statement, params).first() is not None


# One statement per shape of outcome (a handful): building one cost more CPU than running it.
# Its parameters are named unlike any column of postings: an UPDATE would set a column so named.
@functools.lru_cache(maxsize=64)
def _statement_writing(changed: tuple[str, ...], settles_publish: bool, notifies: bool, logged: tuple[str, ...]):
    conditions = [POSTINGS.c.id == bindparam("posting_id"), POSTINGS.c.lease_token == bindparam("token")]
    if settles_publish:
        conditions.append(POSTINGS.c.operation_status.is_distinct_from(OperationStatus.PENDING))
    if notifies:
        organization = ENDPOINTS.c.organization_id == bindparam("notified_organization")
        endpoints = exists().where(organization, ENDPOINTS.c.enabled.is_(True))
        conditions.append(~endpoints)
    changes: dict[str, BindParameter[Any]] = {name: bindparam(f"set_{name}") for name in changed}
    released = (update(POSTINGS).where(*conditions).values(**changes, **RELEASED).returning(POSTINGS.c.id)).cte(
        "released"
    )
    event_row = select(*(bindparam(f"log_{name}", type_=LOG.c[name].type) for name in logged)).select_from(released)
    return insert(LOG).from_select(list(logged), event_row).add_cte(released).returning(LOG.c.id)


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
