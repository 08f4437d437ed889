"""Taking a posting's lease, and reading with it what the attempt needs to send.

On PostgreSQL the compare-and-set and the reads are one statement in autocommit, one round trip:

    WITH taken AS (UPDATE postings SET … WHERE id = … AND <claimable> RETURNING postings.*)
    SELECT taken.*, jobs.*, platform_connections.*, organizations.source_tracking
    FROM taken JOIN jobs … JOIN organizations … LEFT JOIN platform_connections …

A claim is the hot path of every publish (services/publisher/claims.py says what it guards).
SQLite runs no UPDATE inside a WITH, so there the same is done in steps, in one transaction.
Either way a posting that was not taken is read on its own afterwards: that path is rare.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from sqlalchemy import ColumnElement, CursorResult, Select, Table, and_, bindparam, select, update
from sqlalchemy.orm import Session, configure_mappers, joinedload, sessionmaker
from sqlalchemy.orm.instrumentation import manager_of_class

from shared.connections import find_connection
from shared.db import autocommitting, unit_of_work
from shared.models import Job, Organization, PlatformConnection, Posting

POSTINGS = cast(Table, Posting.__table__)
JOBS = cast(Table, Job.__table__)
CONNECTIONS = cast(Table, PlatformConnection.__table__)
ORGANIZATIONS = cast(Table, Organization.__table__)
M = TypeVar("M", Posting, Job, PlatformConnection)


@dataclass(frozen=True, eq=False)  # one per kind of claim, told apart by identity: its statement's cache key
class ClaimRule:
    claimable: ColumnElement[bool]  # an expression of the `now` and `due_by` parameters
    sets: dict[str, Any]  # what the claim writes on the posting, lease included (its `token`, `lease_until`)


@dataclass(frozen=True)
class Taken:
    """The posting as the claim left it (its job loaded), and what the attempt sends it with."""

    posting: Posting
    connection: PlatformConnection | None
    source_tracking: dict[str, Any] | None


def take(
    sessions: sessionmaker[Session], is_sqlite: bool, posting_id: int, rule: ClaimRule, times: dict[str, Any]
) -> Taken | None:
    """Write `rule.sets` on the posting if `rule.claimable` holds; None when it does not.
    `times` binds the rule's parameters."""
    params = dict(times, posting_id=posting_id)
    if is_sqlite:
        return _take_in_steps(sessions, posting_id, rule, params)
    return _take_at_once(sessions, rule, params)


def posting_as_it_is(sessions: sessionmaker[Session], posting_id: int) -> Posting | None:
    """The posting a claim did not take, to tell why (another worker holds it, or it is done)."""
    with sessions() as session:
        return session.get(Posting, posting_id)


@functools.cache
def _statement_taking(rule: ClaimRule) -> Select:
    """Built once per rule: building it cost a publish more CPU than running it."""
    taken = (
        update(POSTINGS)
        .where(POSTINGS.c.id == bindparam("posting_id"), rule.claimable)
        .values(**rule.sets)
        .returning(*POSTINGS.c)
    ).cte("taken")
    return select(
        *_prefixed(taken.c, "posting"),
        *_prefixed(JOBS.c, "job"),
        *_prefixed(CONNECTIONS.c, "connection"),
        ORGANIZATIONS.c.source_tracking,
    ).select_from(
        taken.join(JOBS, JOBS.c.id == taken.c.job_id)
        .join(ORGANIZATIONS, ORGANIZATIONS.c.id == taken.c.organization_id)
        .outerjoin(
            CONNECTIONS,
            and_(CONNECTIONS.c.organization_id == taken.c.organization_id, CONNECTIONS.c.platform == taken.c.platform),
        )
    )


def _take_at_once(sessions: sessionmaker[Session], rule: ClaimRule, params: dict[str, Any]) -> Taken | None:
    with autocommitting(sessions) as database:
        row = database.execute(_statement_taking(rule), params).first()
    if row is None:
        return None
    posting_values, job_values, connection_values, source_tracking = _split(row)
    # Detached objects built from the row: nothing else is read for them, and nothing is written.
    posting = _read_only(Posting, posting_values)
    posting.__dict__["job"] = _read_only(Job, job_values)
    connection = None
    if connection_values["id"] is not None:
        connection = _read_only(PlatformConnection, connection_values)
    return Taken(posting, connection, source_tracking)


# The claim's row holds, in this order, the columns of each table as _statement_taking selects
# them, then the organization's source tracking; split by position (looking each value up by its
# label cost more than the split).
_ROW_TABLES = tuple(tuple(column.key for column in table.c) for table in (POSTINGS, JOBS, CONNECTIONS))


def _split(row: Sequence[Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], Any]:
    values = tuple(row)
    start = 0
    parts = []
    for keys in _ROW_TABLES:
        parts.append(dict(zip(keys, values[start : start + len(keys)], strict=True)))
        start += len(keys)
    posting, job, connection = parts
    return posting, job, connection, values[start]


def _read_only(model: type[M], values: dict[str, Any]) -> M:
    """An instance holding `values` as if loaded, never to be added to a session: built the way
    the ORM builds a loaded row, in a fifteenth of the constructor's CPU (which records each value
    as a change to write, and was a twentieth of a publish's CPU for three objects)."""
    manager = manager_of_class(model)
    if not manager.mapper.configured:
        configure_mappers()  # the constructor would have; until then the relationships have no attributes
    instance: M = manager.new_instance()
    instance.__dict__.update(values)
    return instance


def _prefixed(columns, prefix: str) -> list:
    return [column.label(f"{prefix}_{column.key}") for column in columns]


def _take_in_steps(
    sessions: sessionmaker[Session], posting_id: int, rule: ClaimRule, params: dict[str, Any]
) -> Taken | None:
    with unit_of_work(sessions) as session:
        result = session.execute(
            update(Posting)
            .where(Posting.id == bindparam("posting_id"), rule.claimable)
            .values(**rule.sets)
            .execution_options(synchronize_session=False),
            params,
        )
        # An UPDATE's result is a CursorResult (which has the rowcount); Session.execute is typed as any Result.
        if not cast("CursorResult[Any]", result).rowcount:
            return None
        posting = session.get(Posting, posting_id, populate_existing=True, options=[joinedload(Posting.job)])
        assert posting is not None  # the UPDATE just matched it, in this transaction
        organization = session.get(Organization, posting.organization_id)
        connection = find_connection(session, posting.organization_id, posting.platform)
        return Taken(posting, connection, organization.source_tracking if organization else None)
