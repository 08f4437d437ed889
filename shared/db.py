"""Engines and the unit of work.

A unit of work is one transaction: it commits only when the block ends without an exception,
so a state change and the event that records it land together or not at all.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from shared.config import Settings
from shared.models.base import Base

# A database error's message would otherwise carry the statement's parameters, the rows it wrote
# (a page of candidates' names, e-mails and phones), into every log that reports the error.
HIDE_PARAMETERS = True


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
    return create_engine(
        settings.database_url,
        pool_size=10,
        max_overflow=20,
        # Reconnect by itself after PostgreSQL restarts instead of failing the next request.
        pool_pre_ping=True,
        hide_parameters=HIDE_PARAMETERS,
    )


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


def upsert_insert(session: Session, model: type[Base] | Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that can take `on_conflict_do_nothing`, for the database the session uses."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)
