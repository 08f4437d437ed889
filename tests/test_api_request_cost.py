"""What an API request costs, and the memory that makes it cheap without making it wrong.

An API process keeps the keys it checked, and counts each organization's requests in Redis with
one call that also tells it whether a key was revoked anywhere. A user notices: a revoked key is
refused by every API process on its very next request, the rate limit is one count for all API
processes, a Redis that is down refuses nobody, and a publish costs a handful of database round trips.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, text, update

from services.api.app import create_app
from services.api.routers import publishing
from shared.db import build_engine, unit_of_work
from shared.models import ApiKey
from tests.support import free_port, job_body
from tests.test_api_keys import jobpub

PLATFORMS = "/jobs/publishing/platforms/"
PUBLISH = "/jobs/publishing/publish/"
# A new job's publish: one statement (the connections' check and the INSERTs of the job, its postings and
# their events), autocommitted, so PostgreSQL sees neither a BEGIN nor a COMMIT.
PUBLISH_STATEMENTS = 1


@contextmanager
def round_trips(engine: Engine) -> Iterator[list[str]]:
    """Every statement, BEGIN, COMMIT and ROLLBACK the engine sends while the block runs."""
    sent: list[str] = []

    def statement(_conn, _cursor, text, *_args):
        sent.append(text)

    listeners = [
        ("before_cursor_execute", statement),
        ("begin", lambda _conn: sent.append("BEGIN")),
        ("commit", lambda _conn: sent.append("COMMIT")),
        ("rollback", lambda _conn: sent.append("ROLLBACK")),
    ]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        yield sent
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)


@contextmanager
def api(settings, **changes) -> Iterator[tuple[TestClient, Engine]]:
    """An API instance of its own engine (so only its own statements are counted)."""
    engine = build_engine(settings)
    try:
        with TestClient(create_app(settings.model_copy(update=changes), engine)) as client:
            yield client, engine
    finally:
        engine.dispose()


def test_a_cached_key_revoked_on_the_command_line_is_refused_by_every_api_process_on_its_next_request(
    settings, make_tenant
):
    tenant = make_tenant()
    with api(settings) as (first, first_engine), api(settings) as (second, _):
        for client in (first, second):
            for _ in range(2):  # the first requests read the key from the database and keep it
                assert client.get(PLATFORMS, headers=tenant.headers).status_code == 200
        with round_trips(first_engine) as sent:
            assert first.get(PLATFORMS, headers=tenant.headers).status_code == 200
        assert not [text for text in sent if "api_keys" in text], "the key was read again, not kept"

        key_id = tenant.api_key.split("_")[1]
        revoked = jobpub(settings, "apikey", "revoke", "--organization", tenant.name, key_id)
        assert revoked.returncode == 0, revoked.stderr

        assert first.get(PLATFORMS, headers=tenant.headers).status_code == 401
        assert second.get(PLATFORMS, headers=tenant.headers).status_code == 401


def test_the_rate_limit_is_one_count_for_every_api_process_sharing_redis(settings, make_tenant):
    tenant = make_tenant()
    with api(settings, rate_limit="6/minute") as (first, _), api(settings, rate_limit="6/minute") as (second, _):
        answers = [client.get(PLATFORMS, headers=tenant.headers) for _ in range(4) for client in (first, second)]
    assert [answer.status_code for answer in answers] == [200] * 6 + [429] * 2
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 60


def test_without_redis_the_limit_is_counted_in_the_api_process(settings, make_tenant):
    tenant = make_tenant()
    with api(settings, rate_limit="3/minute", broker_url=None) as (client, _):
        statuses = [client.get(PLATFORMS, headers=tenant.headers).status_code for _ in range(5)]
    assert statuses == [200] * 3 + [429] * 2


def test_with_redis_unreachable_requests_pass_the_limit_and_a_revoked_key_is_still_refused(
    settings, make_tenant, sessions
):
    tenant = make_tenant()
    nothing_listens = f"redis://127.0.0.1:{free_port()}/0"
    with api(settings, rate_limit="2/minute", broker_url=nothing_listens) as (client, _):
        statuses = [client.get(PLATFORMS, headers=tenant.headers).status_code for _ in range(5)]
        assert statuses == [200] * 5
        # Revoked behind the API's back, announced nowhere: without Redis no key is trusted from memory.
        with unit_of_work(sessions) as session:
            session.execute(
                update(ApiKey).where(ApiKey.organization_id == tenant.id).values(revoked_at=ApiKey.created_at)
            )
        assert client.get(PLATFORMS, headers=tenant.headers).status_code == 401


def test_a_new_job_published_to_two_platforms_is_one_statement(settings, make_tenant):
    tenant = make_tenant()
    with api(settings) as (client, engine):
        for _ in range(2):
            assert client.get(PLATFORMS, headers=tenant.headers).status_code == 200
        with round_trips(engine) as sent:
            answer = client.post(PUBLISH, json={"job": job_body(), "platforms": ["both"]}, headers=tenant.headers)
        assert answer.status_code == 202, answer.text
        assert len(answer.json()["postings"]) == 2
    statements = [text for text in sent if text not in ("BEGIN", "COMMIT", "ROLLBACK")]
    assert len(statements) == PUBLISH_STATEMENTS, "\n".join(re.sub(r"\s+", " ", text)[:90] for text in statements)


# What a worker's claim and outcome change in a posting: a pipeline another test started (it lives
# for the whole run) may already be publishing these jobs. Their values as written are compared in
# the answers, which are made from the rows as inserted.
CHANGED_BY_A_WORKER = (
    "status",
    "attempts",
    "total_attempts",
    "lease_token",
    "lease_expires_at",
    "unfinished_claims",
    "task_id",
    "url",
    "platform_job_id",
    "published_at",
    "last_error",
    "next_attempt_at",
    "operation",
    "operation_status",
)


def _stored(sessions, job_id: int) -> tuple:
    """The job's rows as PostgreSQL holds them, less what differs between two publishes (ids, times, random
    parts) and what a worker may have changed since."""
    differs = "- 'id' - 'job_id' - 'external_id' - 'created_at' - 'updated_at' - 'requested_at'"
    worked = "".join(f" - '{column}'" for column in CHANGED_BY_A_WORKER)
    with sessions() as session:
        job = session.execute(text(f"SELECT to_jsonb(j) {differs} FROM jobs j WHERE id = :id"), {"id": job_id})
        postings = session.execute(
            text(f"SELECT to_jsonb(p) {differs}{worked} FROM postings p WHERE job_id = :id ORDER BY platform, part"),
            {"id": job_id},
        )
        events = session.execute(
            text(
                f"SELECT to_jsonb(l) {differs} - 'payload' - 'event_id' - 'dispatch_after' - 'dispatched_at'"
                " - 'correlation_id',"
                " l.payload - 'event_id' - 'occurred_at' - 'job_id' - 'posting_id',"
                " (l.payload ->> 'job_id')::bigint = l.job_id AND p.job_id = l.job_id"
                " FROM publishing_log l LEFT JOIN postings p ON p.id = (l.payload ->> 'posting_id')::bigint"
                " WHERE l.job_id = :id AND l.event_type = 'JobPublishRequested' ORDER BY l.platform"
            ),
            {"id": job_id},
        )
        return job.scalar_one(), postings.scalars().all(), [tuple(row) for row in events]


def test_a_new_job_written_in_one_statement_is_stored_as_the_step_by_step_path_stores_it(
    client, make_tenant, sessions, monkeypatch
):
    tenant = make_tenant()
    job = job_body(locations=["Pune, India", "Mumbai, India"], salary=None)
    del job["location"]
    body = {"job": job, "platforms": ["both"]}
    at_once = client.post(PUBLISH, json=body, headers=tenant.headers)
    monkeypatch.setattr(publishing, "_publish_new_job_at_once", lambda *_: None)
    in_steps = client.post(PUBLISH, json=body, headers=tenant.headers)
    assert at_once.status_code == in_steps.status_code == 202, (at_once.text, in_steps.text)

    def answered(answer) -> list[dict]:
        varying = ("external_id", "requested_at", "updated_at")
        return [{k: v for k, v in posting.items() if k not in varying} for posting in answer.json()["postings"]]

    assert answered(at_once) == answered(in_steps)
    assert _stored(sessions, at_once.json()["job_id"]) == _stored(sessions, in_steps.json()["job_id"])
    assert all(same_ids for *_, same_ids in _stored(sessions, at_once.json()["job_id"])[2])
