"""Engines and the unit of work.

A unit of work is one transaction: it commits only when the block ends without an exception,
so a state change and the event that records it land together or not at all.
"""

from __future__ import annotations

import select
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

from shared.config import Settings
from shared.models.base import Base

# A database error's message would otherwise carry the statement's parameters, the rows it wrote
# (a page of candidates' names, e-mails and phones), into every log that reports the error.
HIDE_PARAMETERS = True

# Connections older than this are replaced at checkout: one that a firewall or NAT dropped
# without a word (no hang-up to see, below) is not kept for ever.
POOL_RECYCLE_SECONDS = 1800


def build_engine(settings: Settings) -> Engine:
    if settings.is_sqlite:
        engine = create_engine(
            settings.database_url,
            connect_args={"check_same_thread": False, "timeout": 30},
            hide_parameters=HIDE_PARAMETERS,
        )
        event.listen(engine, "connect", _tune_sqlite)
        event.listen(engine, "begin", _begin_immediate)
        return engine
    engine = create_engine(
        settings.database_url,
        pool_size=10,
        max_overflow=20,
        pool_recycle=POOL_RECYCLE_SECONDS,
        hide_parameters=HIDE_PARAMETERS,
    )
    # Not pool_pre_ping: its round trip at every checkout was a sixth of a publish's cost.
    event.listen(engine, "checkout", _replace_if_hung_up)
    return engine


def _replace_if_hung_up(dbapi_connection: Any, _record: ConnectionPoolEntry, _proxy: PoolProxiedConnection) -> None:
    """Hand out no connection PostgreSQL has closed (a restart, pg_terminate_backend, an idle timeout),
    so a restart costs no failed request; found without a round trip.

    An idle connection has nothing to read: when its socket is readable all the same, the server
    sent its goodbye (FATAL, then end of stream). redis-py checks its pooled connections the same
    way. The pool then opens a fresh connection. A connection lost without a goodbye still fails
    its first statement, and then SQLAlchemy invalidates every connection pooled before it.
    """
    if dbapi_connection.closed or _has_input(dbapi_connection.fileno()):
        raise exc.DisconnectionError("PostgreSQL closed this pooled connection")


def _has_input(fd: int) -> bool:
    if not hasattr(select, "poll"):  # Windows
        return bool(select.select([fd], [], [], 0)[0])
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


def _tune_sqlite(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
    # Let SQLAlchemy's "begin" event open transactions itself (see _begin_immediate).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets the API read while the worker thread writes; the embedded default has several threads.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _begin_immediate(connection: Connection) -> None:
    # Take SQLite's write lock at BEGIN: a transaction that reads, then writes, must not find
    # that another thread wrote in between (SQLite would fail it rather than wait).
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def build_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: committed when the block ends cleanly, rolled back otherwise."""
    session = session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def autocommitting(session_factory: sessionmaker[Session]) -> Iterator[Connection]:
    """A connection whose every statement is a transaction of its own (PostgreSQL).

    For a unit of work done in one statement, which PostgreSQL makes atomic by itself: it then
    costs one round trip, not three (psycopg sends BEGIN and COMMIT as round trips of their own).
    A bare connection, not a session: the hot paths that use it run Core statements only.
    """
    engine: Engine = session_factory.kw["bind"]
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        yield connection


def upsert_insert(session: Session, model: type[Base] | Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that can take `on_conflict_do_nothing`, for the database the session uses."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)
