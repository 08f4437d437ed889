"""The bench's round-trip counts (bench/counting.py): a process started the way the bench starts
jobpub's and the ceilings' processes counts exactly the statements, transactions and Redis
commands it sent, and writes them where the bench reads them."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import uuid

from bench.counting import counted_env, read_directory
from tests.conftest import POSTGRES_ADMIN, REDIS_URL

# Connections are opened (and warmed) before the first reading, so their set-up is not counted.
KNOWN_WORK = textwrap.dedent(
    """
    import json, sys
    import psycopg, redis
    from bench import counting

    assert counting.installed(), "the hook was not loaded"
    database = psycopg.connect(sys.argv[1])
    database.execute("SELECT 1")
    database.commit()
    client = redis.Redis.from_url(sys.argv[2])
    client.ping()
    before = counting.totals()

    for n in range(3):  # one transaction of three statements
        database.execute("SELECT %s", [n])
    database.commit()
    database.cursor().executemany("SELECT %s", [(n,) for n in range(4)])  # four statements in one trip
    database.commit()
    client.set(sys.argv[3], 1)
    client.get(sys.argv[3])
    client.pipeline(transaction=True).incr(sys.argv[3]).incr(sys.argv[3]).delete(sys.argv[3]).execute()

    after = counting.totals()
    print(json.dumps({name: after[name] - before[name] for name in after}))
    """
)


def test_a_counted_process_reports_the_round_trips_it_made(tmp_path):
    """Given a process started with the bench's counting environment, when it runs statements in
    two transactions and Redis commands alone and in a MULTI/EXEC pipeline, then its counts are
    exactly those, and the file the bench sums holds them."""
    key = f"bench-counting-test-{uuid.uuid4().hex}"
    env = counted_env({"PATH": "/usr/bin:/bin"}, tmp_path / "counts")
    script = tmp_path / "known_work.py"
    script.write_text(KNOWN_WORK)

    finished = subprocess.run(
        [sys.executable, str(script), POSTGRES_ADMIN, REDIS_URL, key],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert json.loads(finished.stdout) == {
        "statements": 7,
        "transactions": 2,
        "db_round_trips": 8,  # BEGIN, 3 statements, COMMIT; BEGIN, the batch, COMMIT
        "redis_commands": 7,  # SET, GET; MULTI, INCR, INCR, DEL, EXEC
        "redis_round_trips": 3,
    }
    written = read_directory(tmp_path / "counts")
    assert written["statements"] >= 7 and written["redis_commands"] >= 7
