"""Round trips counted where they leave a process: database statements, transactions and round
trips (psycopg 3, under SQLAlchemy or used directly), and Redis commands and round trips
(redis-py), so the bench can print them per unit beside each figure.

Counted on the client side because the servers are shared: PostgreSQL here has no
pg_stat_statements, and Redis's `INFO commandstats` counts every session's commands. A process
started with `counted_env(...)` loads bench/counting_hook/sitecustomize.py, which installs the
counters and writes this process's totals to `<directory>/<pid>.json` every quarter second; the
bench sums the files at the start and the end of a measured window. The bench process counts
itself with `install()` and `totals()`.

What is counted:
- a statement: each `Cursor.execute`, and each parameter set of `Cursor.executemany` (psycopg
  sends those in pipeline mode: one round trip for the batch);
- a transaction: a COMMIT or ROLLBACK that ends one (psycopg sends none when idle), or a
  statement on an autocommit connection;
- a database round trip: a statement's, or psycopg's own BEGIN, COMMIT, ROLLBACK or SAVEPOINT
  (each its own exchange with the server outside pipeline mode);
- a Redis command: each command sent, those of a pipeline or MULTI/EXEC included (MULTI and EXEC
  as well, as Redis counts them); a Redis round trip: each write of one command or one pipeline.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import threading
import time
from pathlib import Path

import psycopg
import psycopg._connection_base
from redis.connection import AbstractConnection

COUNTS_DIRECTORY_VARIABLE = "BENCH_COUNTS_DIR"
HOOK_DIRECTORY = Path(__file__).resolve().parent / "counting_hook"
FIELDS = ("statements", "transactions", "db_round_trips", "redis_commands", "redis_round_trips")
STATEMENTS, TRANSACTIONS, DB_ROUND_TRIPS, REDIS_COMMANDS, REDIS_ROUND_TRIPS = range(len(FIELDS))
# Often enough that a window's end is read a moment after it; rarely enough to cost nothing.
WRITE_INTERVAL_SECONDS = 0.25
TRANSACTION_ENDS = (b"COMMIT", b"ROLLBACK")

# One list of counts per thread, so threads never contend for (or lose) an increment.
_per_thread: list[list[int]] = []
_registry_lock = threading.Lock()
_local = threading.local()
_installed = False


def _counts() -> list[int]:
    try:
        return _local.counts
    except AttributeError:
        counts = _local.counts = [0] * len(FIELDS)
        with _registry_lock:
            _per_thread.append(counts)
        return counts


def installed() -> bool:
    return _installed


def totals() -> dict[str, int]:
    """This process's counts since it started (or since `install()`)."""
    with _registry_lock:
        rows = list(_per_thread)
    return {name: sum(row[index] for row in rows) for index, name in enumerate(FIELDS)}


def _count_execute(original):
    @functools.wraps(original)
    def execute(self, *args, **kwargs):
        counts = _counts()
        counts[STATEMENTS] += 1
        counts[DB_ROUND_TRIPS] += 1
        if self.connection.autocommit:
            counts[TRANSACTIONS] += 1
        return original(self, *args, **kwargs)

    return execute


def _count_executemany(original):
    @functools.wraps(original)
    def executemany(self, query, params_seq, *args, **kwargs):
        params_seq = params_seq if isinstance(params_seq, list | tuple) else list(params_seq)
        counts = _counts()
        counts[STATEMENTS] += len(params_seq)
        counts[DB_ROUND_TRIPS] += 1
        if self.connection.autocommit:
            counts[TRANSACTIONS] += len(params_seq)
        return original(self, query, params_seq, *args, **kwargs)

    return executemany


def _count_command(original):
    # psycopg's own commands (BEGIN, COMMIT, ROLLBACK, SAVEPOINT …) all pass through here.
    @functools.wraps(original)
    def exec_command(self, command, *args, **kwargs):
        counts = _counts()
        counts[DB_ROUND_TRIPS] += 1
        if command in TRANSACTION_ENDS or command in ("COMMIT", "ROLLBACK"):
            counts[TRANSACTIONS] += 1
        return original(self, command, *args, **kwargs)

    return exec_command


def _count_redis(field: int, many: bool = False):
    def wrap(original):
        @functools.wraps(original)
        def counted(self, *args, **kwargs):
            _counts()[field] += len(args[0]) if many else 1
            return original(self, *args, **kwargs)

        return counted

    return wrap


def install() -> None:
    """Count this process's round trips from now on (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True
    for cursor_class in (psycopg.Cursor,):
        cursor_class.execute = _count_execute(cursor_class.execute)
        cursor_class.executemany = _count_executemany(cursor_class.executemany)
    base = psycopg._connection_base.BaseConnection
    base._exec_command = _count_command(base._exec_command)
    # send_command packs one command and writes it; a pipeline packs all of its commands with
    # pack_commands and writes them at once; every write goes through send_packed_command.
    AbstractConnection.send_command = _count_redis(REDIS_COMMANDS)(AbstractConnection.send_command)
    AbstractConnection.pack_commands = _count_redis(REDIS_COMMANDS, many=True)(AbstractConnection.pack_commands)
    AbstractConnection.send_packed_command = _count_redis(REDIS_ROUND_TRIPS)(AbstractConnection.send_packed_command)


def write_periodically(directory: Path) -> None:
    """Keep `<directory>/<pid>.json` current, from a daemon thread (restarted in a forked child)."""

    def write() -> None:
        path = directory / f"{os.getpid()}.json"
        scratch = directory / f".{os.getpid()}.json"
        scratch.write_text(json.dumps(totals()))
        os.replace(scratch, path)

    def write_forever() -> None:
        while True:
            write()
            threading.Event().wait(WRITE_INTERVAL_SECONDS)

    def start() -> None:
        threading.Thread(target=write_forever, name="bench-counts", daemon=True).start()

    def after_fork() -> None:
        global _registry_lock
        _registry_lock = threading.Lock()  # another thread may have held it at the fork
        start()

    os.register_at_fork(after_in_child=after_fork)
    atexit.register(write)  # a short-lived process may end between two writes
    start()


def counted_env(env: dict, directory: Path) -> dict:
    """`env` for a child process whose round trips are counted into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = [str(HOOK_DIRECTORY), str(HOOK_DIRECTORY.parent.parent), env.get("PYTHONPATH", "")]
    return {**env, COUNTS_DIRECTORY_VARIABLE: str(directory), "PYTHONPATH": os.pathsep.join(p for p in paths if p)}


def read_directory(directory: Path) -> dict[str, int]:
    """The sum of every counted process's latest totals in `directory`."""
    summed = dict.fromkeys(FIELDS, 0)
    for path in directory.glob("[0-9]*.json"):
        for name, value in json.loads(path.read_text()).items():
            summed[name] += value
    return summed


def difference(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {name: after[name] - before[name] for name in FIELDS}


class Window:
    """Round trips counted between `start()` and `stop()` by the processes counting into
    `directory` and, with `here=True`, by this process (when it counts: `install()`)."""

    def __init__(self, directory: Path | None, here: bool = False):
        self._directory, self._here = directory, here and _installed

    def start(self) -> None:
        self._before = self._read()

    def stop(self) -> dict[str, int] | None:
        """The counts of the window, or None when nothing was counted (the bench's --no-counts)."""
        if self._directory is None and not self._here:
            return None
        return difference(self._read(), self._before)

    def _read(self) -> dict[str, int]:
        summed = dict.fromkeys(FIELDS, 0)
        if self._directory is not None:
            time.sleep(2 * WRITE_INTERVAL_SECONDS)  # every process's latest counts written
            summed = read_directory(self._directory)
        if self._here:
            summed = {name: summed[name] + value for name, value in totals().items()}
        return summed
