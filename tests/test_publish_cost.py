"""What a publish costs the database, and that the pool copes with connections PostgreSQL closed.

Given a worker of its own (its own engine, so nothing else's traffic is counted), a publish is
its claim and its outcome: each one statement, so two round trips on the wire (psycopg's
once-per-connection preparation of a statement it runs often adds one now and then). Counted
from libpq's own trace of what the client sent, so a pre-ping, a BEGIN or a COMMIT counts too.
"""

from __future__ import annotations

import re

import psycopg
from psycopg import pq
from sqlalchemy import event, select

from services.publisher.publishing import publish_posting
from shared.context import build_worker_context
from shared.db import build_engine, build_session_factory, unit_of_work
from shared.models import Job, Posting, PostingStatus, PublishingLog
from shared.postings import new_external_id
from tests.conftest import POSTGRES_ADMIN
from tests.support import DESCRIPTION, publish, wait_until

PUBLISHES = 5
# Two statements, and room for the preparation round trips of the first few publishes.
MOST_ROUND_TRIPS_PER_PUBLISH = 3


def waiting_postings(sessions, organization_id: int, count: int) -> list[int]:
    """Postings the API would have stored, but with no message sent: only this test's calls publish them."""
    with unit_of_work(sessions) as session:
        postings = []
        for n in range(count):
            job = Job(
                organization_id=organization_id,
                title=f"Cost job {n}",
                description=DESCRIPTION,
                location="Pune, India",
                employment_type="full_time",
                workplace_type="remote",
                apply_url="https://cost.example/apply",
                company_name="Cost",
                skills=[],
            )
            session.add(job)
            session.flush()
            posting = Posting(
                organization_id=organization_id, job=job, platform="naukri", external_id=new_external_id(job.id)
            )
            session.add(posting)
            postings.append(posting)
        session.flush()
        return [posting.id for posting in postings]


def published_events(sessions, posting_ids: list[int]) -> int:
    with sessions() as session:
        rows = session.scalars(select(PublishingLog.payload).where(PublishingLog.event_type == "JobPublished"))
        return sum(1 for payload in rows if payload["posting_id"] in posting_ids)


def test_a_publish_costs_the_database_at_most_three_round_trips(settings, sessions, make_tenant, tmp_path):
    tenant = make_tenant(platforms=("naukri",))
    engine = build_engine(settings)
    trace_path = tmp_path / "libpq.trace"
    with open(trace_path, "w") as trace:

        @event.listens_for(engine, "connect")
        def trace_the_wire(dbapi_connection, _record):
            dbapi_connection.pgconn.trace(trace.fileno())
            dbapi_connection.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)

        worker = build_worker_context(settings, build_session_factory(engine))
        warm_up, *measured = waiting_postings(sessions, tenant.id, 1 + PUBLISHES)
        publish_posting(worker, warm_up)  # opens the connection: its start-up is no publish's cost
        before = round_trips(trace_path)
        for posting_id in measured:
            publish_posting(worker, posting_id)
        spent = round_trips(trace_path) - before
        engine.dispose()

    assert published_events(sessions, measured) == PUBLISHES
    assert spent <= MOST_ROUND_TRIPS_PER_PUBLISH * PUBLISHES, f"{spent / PUBLISHES:.1f} round trips per publish"


def round_trips(trace_path) -> int:
    """Each simple Query, and each Sync ending an extended-protocol exchange, waits for the server."""
    return len(re.findall(r"^F\t\d+\t(?:Query|Sync)\b", trace_path.read_text(), re.M))


def test_the_next_publish_succeeds_after_postgresql_closed_every_pooled_connection(settings, sessions, make_tenant):
    tenant = make_tenant(platforms=("naukri",))
    engine = build_engine(settings)
    backends: list[int] = []
    event.listen(
        engine, "connect", lambda dbapi_connection, _record: backends.append(dbapi_connection.info.backend_pid)
    )
    worker = build_worker_context(settings, build_session_factory(engine))
    first, second = waiting_postings(sessions, tenant.id, 2)
    publish_posting(worker, first)
    killed = list(backends)

    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", (killed,))
        wait_until(
            lambda: not admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = ANY(%s)", (killed,)).fetchall(),
            what="PostgreSQL to close the worker's connections",
        )
    publish_posting(worker, second)
    engine.dispose()

    assert published_events(sessions, [first, second]) == 2
    with sessions() as session:
        assert session.get(Posting, second).status == PostingStatus.PUBLISHED
    assert set(backends) - set(killed), "the publish ran on a new connection"


def test_the_api_answers_the_first_request_after_postgresql_closed_its_idle_connections(client, tenant):
    job_id = publish(client, tenant, platforms=["naukri"])  # the API's pool holds connections now

    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        database = client.app.state.settings.database_url.rsplit("/", 1)[1]
        idle = admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND state = 'idle' AND pid <> pg_backend_pid()",
            (database,),
        ).fetchall()
        pids = [pid for (pid,) in idle]
        admin.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", (pids,))
        wait_until(
            lambda: not admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = ANY(%s)", (pids,)).fetchall(),
            what="PostgreSQL to close the idle connections",
        )
    answer = client.get(f"/jobs/publishing/{job_id}/status/", headers=tenant.headers)
    assert answer.status_code == 200, answer.text
