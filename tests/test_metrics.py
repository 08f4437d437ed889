"""Prometheus metrics: the API's /metrics (outcome and request counters, the outbox and the broker's
queues read at scrape time) and a `jobpub worker` group's own metrics server."""

from __future__ import annotations

import secrets
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import httpx
import redis
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from services.api.app import create_app
from services.relay.relay import Relay
from shared import tenants
from shared.broker import build_broker
from shared.db import build_engine, build_session_factory, unit_of_work
from shared.events import JobPublishRetryScheduled
from shared.models import utcnow
from shared.outbox import publish_dispatch, record
from tests.conftest import REDIS_URL, RUN_ID, create_tenant, own_database, run_settings, settings_env
from tests.support import PUBLISH, free_port, publish, wait_until

JOBPUB = str(Path(sys.executable).parent / "jobpub")
LOOPBACK_HEX = "0100007F"  # 127.0.0.1 as /proc/net/tcp writes it


def value(text: str, name: str, **labels: str) -> float:
    """The sum of the samples called `name` whose labels include `labels` (0 if there is none)."""
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    )


def scrape(client) -> str:
    answer = client.get("/metrics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    return answer.text


def status_of(client, tenant, job_id: int) -> str:
    return client.get(f"/jobs/publishing/{job_id}/status/", headers=tenant.headers).json()["platforms"]["naukri"][
        "status"
    ]


def test_a_publish_is_counted_for_its_platform_and_its_request_by_route_template(client, tenant, pipeline):
    before = scrape(client)
    job_id = publish(client, tenant, platforms=("naukri",))
    wait_until(lambda: status_of(client, tenant, job_id) == "published", 30, what="the job to publish")

    after = scrape(client)
    published = value(after, "jobpub_publishes_total", platform="naukri")
    assert published >= value(before, "jobpub_publishes_total", platform="naukri") + 1
    request = dict(method="POST", route=PUBLISH, status="202")
    assert (
        value(after, "jobpub_http_requests_total", **request)
        == value(before, "jobpub_http_requests_total", **request) + 1
    )
    assert value(after, "jobpub_http_request_duration_seconds_count", **request) >= 1
    # The status polls are counted under their template; no id and nothing of the tenant's is in a label.
    assert value(after, "jobpub_http_requests_total", route="/jobs/publishing/{job_id}/status/", status="200") >= 1
    assert f"/jobs/publishing/{job_id}/" not in after and tenant.name not in after and "organization" not in after


def test_metrics_is_served_without_an_api_key_and_is_not_in_the_openapi_schema(client):
    assert client.get("/metrics").status_code == 200
    assert "/metrics" not in client.get("/openapi.json").json()["paths"]


def test_the_outbox_gauges_show_events_waiting_and_how_late_the_oldest_due_one_is(emulators):
    with own_database("_metrics") as url:
        settings = run_settings(url, emulators, broker_namespace=f"jobpub-metrics-{RUN_ID}")
        engine = build_engine(settings)
        sessions = build_session_factory(engine)
        with unit_of_work(sessions) as session:
            organization_id = tenants.create_organization(session, f"org-{secrets.token_hex(4)}").id
        try:
            client = TestClient(create_app(settings, engine))  # and no relay: what is recorded waits
            _record_retry(sessions, organization_id, due_in=timedelta(hours=1))
            first = scrape(client)
            assert value(first, "jobpub_outbox_events_waiting", queue="publish.naukri") == 1
            assert value(first, "jobpub_outbox_oldest_due_event_age_seconds", queue="publish.naukri") == 0
            assert value(first, "jobpub_outbox_events_waiting", queue="publish.linkedin") == 0

            _record_retry(sessions, organization_id, due_in=timedelta(seconds=-30))
            second = scrape(client)
            assert value(second, "jobpub_outbox_events_waiting", queue="publish.naukri") == 2
            assert 30 <= value(second, "jobpub_outbox_oldest_due_event_age_seconds", queue="publish.naukri") < 60
            assert value(second, "jobpub_broker_queue_messages", queue="publish.naukri", state="ready") == 0
            assert value(second, "jobpub_metrics_source_up", source="database") == 1
            assert value(second, "jobpub_metrics_source_up", source="broker") == 1
        finally:
            engine.dispose()


def _record_retry(sessions, organization_id: int, due_in: timedelta) -> None:
    retry_at = utcnow() + due_in
    event = JobPublishRetryScheduled(
        organization_id=organization_id,
        job_id=1,
        posting_id=1,
        platform="naukri",
        attempt=1,
        error="503",
        retry_at=retry_at,
    )
    with unit_of_work(sessions) as session:
        record(session, event, dispatch=publish_dispatch("naukri", retry_at))


def test_a_scrape_answers_while_neither_the_database_nor_the_broker_can_be_reached(emulators):
    dead_database = f"postgresql://postgres@127.0.0.1:{free_port()}/nowhere"
    settings = run_settings(dead_database, emulators, broker_url=f"redis://127.0.0.1:{free_port()}/0")
    client = TestClient(create_app(settings))

    text = scrape(client)
    assert value(text, "jobpub_metrics_source_up", source="database") == 0
    assert value(text, "jobpub_metrics_source_up", source="broker") == 0
    assert "jobpub_outbox_events_waiting" not in text and "jobpub_broker_queue_messages" not in text
    assert value(text, "jobpub_http_requests_total", route="/metrics") >= 1  # the process's own counters still come


def test_a_worker_group_of_two_processes_serves_the_sum_of_their_counters_on_loopback(emulators, tmp_path):
    port = free_port()
    with own_database("_worker_metrics") as url:
        settings = run_settings(url, emulators, broker_namespace=f"jobpub-wmetrics-{RUN_ID}")
        engine = build_engine(settings)
        sessions = build_session_factory(engine)
        tenant = create_tenant(sessions, settings, emulators, platforms=("naukri",))
        stop = threading.Event()
        relay = threading.Thread(
            target=Relay(settings, sessions, build_broker(settings)).run, args=(stop,), daemon=True
        )
        env = settings_env(
            settings, worker_metrics_enabled="true", worker_metrics_port=port, worker_metrics_dir=tmp_path
        )
        worker = subprocess.Popen(
            [JOBPUB, "worker", "--processes", "2", "--threads", "2", "--queues", "publish.naukri"],
            env=env,
            stdout=(tmp_path / "worker.log").open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        relay.start()
        try:
            with TestClient(create_app(settings, engine)) as client:
                jobs = [publish(client, tenant, platforms=("naukri",)) for _ in range(4)]
                for job_id in jobs:
                    wait_until(
                        lambda job_id=job_id: status_of(client, tenant, job_id) == "published",
                        30,
                        what=f"job {job_id} to publish",
                    )
            metrics_url = f"http://127.0.0.1:{port}/metrics"
            text = wait_until(
                lambda: _published_four(metrics_url), 20, what="the worker metrics to count four publishes"
            )
            assert value(text, "dramatiq_messages_total", queue_name="publish.naukri") >= 4
            assert _listening_addresses(port) == {LOOPBACK_HEX}
        finally:
            stop.set()
            worker.terminate()
            worker.wait(30)
            relay.join(5)
            engine.dispose()
            client_redis = redis.Redis.from_url(REDIS_URL)
            for key in client_redis.scan_iter(f"{settings.broker_namespace}*"):
                client_redis.delete(key)


def _published_four(url: str) -> str | None:
    try:
        text = httpx.get(url, timeout=2).text
    except httpx.HTTPError:
        return None  # the server starts once both worker processes are up
    return text if value(text, "jobpub_publishes_total", platform="naukri") == 4 else None


def _listening_addresses(port: int) -> set[str]:
    """The local addresses of the IPv4 and IPv6 sockets listening on `port` (state 0A)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, port_hex = local.partition(":")
            if state == "0A" and int(port_hex, 16) == port:
                found.add(address)
    return found


def test_made_up_http_methods_are_counted_as_one_other_series_and_never_as_their_own_labels(client):
    made_up = {"X" + secrets.token_hex(4).upper() for _ in range(50)}
    before = scrape(client)
    for method in made_up:
        client.request(method, "/jobs/publishing/applications/")

    after = scrape(client)
    assert not made_up & {labels["method"] for labels in request_series(after)}
    others_before = {(s["route"], s["status"]) for s in request_series(before) if s["method"] == "other"}
    others_after = {(s["route"], s["status"]) for s in request_series(after) if s["method"] == "other"}
    assert len(others_after - others_before) <= 1  # at most one new series for all fifty methods
    assert value(after, "jobpub_http_requests_total", method="other") == value(
        before, "jobpub_http_requests_total", method="other"
    ) + len(made_up)


def request_series(text: str) -> list[dict]:
    return [
        sample.labels
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "jobpub_http_requests_total"
    ]
