"""Tenant notification webhooks: signed the Standard Webhooks way (checked with the reference
library), delivered at least once with retries, every attempt recorded, and never sent to an
address inside our network."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from standardwebhooks import Webhook, WebhookVerificationError

from services.api.app import create_app
from services.notifier.attempts import claim_delivery
from services.notifier.delivering import build_notify_client, deliver
from shared.context import build_worker_context
from shared.db import unit_of_work
from shared.models import NotificationDelivery, NotificationEndpoint, PublishingLog, utcnow
from shared.notifications import new_signing_secret, seal_signing_secret
from tests.conftest import postings_of
from tests.support import publish, settled_status, wait_until

NOTIFICATIONS = "/jobs/publishing/notifications/"


@dataclass
class Receiver:
    """An HTTP endpoint on loopback that records what it gets and answers as told."""

    answers: list[int] = field(default_factory=list)  # statuses for the next requests; then 200
    redirect_to: str | None = None
    received: list[dict] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/jobpub"

    def of_type(self, kind: str) -> list[dict]:
        return [r for r in self.received if json.loads(r["body"])["type"] == kind]


@pytest.fixture
def receiver():
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["content-length"]))
            state.received.append({"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
            status = state.answers.pop(0) if state.answers else 200
            self.send_response(302 if state.redirect_to else status)
            if state.redirect_to:
                self.send_header("location", state.redirect_to)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    state.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=state.server.serve_forever, daemon=True).start()
    yield state
    state.server.shutdown()


def register(client, tenant, url: str) -> dict:
    answer = client.post(NOTIFICATIONS, json={"url": url, "description": "ATS"}, headers=tenant.headers)
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_publish_outcomes_and_new_applications_are_notified_and_verify_as_standard_webhooks(
    client, tenant, pipeline, emulators, sessions, receiver
):
    endpoint = register(client, tenant, receiver.url)
    assert endpoint["secret"].startswith("whsec_")
    assert endpoint["secret"] not in client.get(NOTIFICATIONS, headers=tenant.headers).text

    job_id = publish(client, tenant, platforms=["linkedin"])
    assert settled_status(client, tenant, job_id)["platforms"]["linkedin"]["status"] == "published"
    [published] = wait_until(lambda: receiver.of_type("job.published"), what="the job.published notification")
    verified = Webhook(endpoint["secret"]).verify(published["body"], published["headers"])
    assert verified["data"]["job_id"] == job_id and verified["data"]["url"]

    external_id = postings_of(sessions, job_id)["linkedin"].external_id
    emulators.linkedin.apply(external_id, client_id=tenant.clients["linkedin"][0])
    [received] = wait_until(lambda: receiver.of_type("application.received"), what="the application notification")
    assert Webhook(endpoint["secret"]).verify(received["body"], received["headers"])["data"]["job_id"] == job_id
    with pytest.raises(WebhookVerificationError):  # a tampered body does not verify
        Webhook(endpoint["secret"]).verify(received["body"].replace(b"job_id", b"job_iD"), received["headers"])


def test_an_endpoint_that_fails_is_retried_with_the_same_id_and_every_attempt_is_recorded(
    client, tenant, pipeline, receiver
):
    receiver.answers = [500, 503]
    endpoint = register(client, tenant, receiver.url)
    job_id = publish(client, tenant, platforms=["naukri"])
    settled_status(client, tenant, job_id)

    def delivered():
        rows = client.get(f"{NOTIFICATIONS}{endpoint['id']}/deliveries/", headers=tenant.headers).json()["items"]
        return rows if rows and rows[0]["status"] == "delivered" else None

    [delivery] = wait_until(delivered, 30, what="the delivery to succeed")
    assert (delivery["attempts"], delivery["last_status_code"]) == (3, 200)
    assert [r["headers"]["webhook-id"] for r in receiver.received] == [delivery["message_id"]] * 3


def test_urls_inside_our_network_are_refused_when_saved_and_when_fetched(
    client, make_tenant, settings, engine, sessions, receiver
):
    tenant = make_tenant(platforms=())
    public_only = settings.model_copy(update={"webhook_allowed_networks": ""})
    with TestClient(create_app(public_only, engine)) as guarded:
        for url in (
            "http://127.0.0.1:8080/hook",
            "http://localhost/hook",
            "http://[::1]/hook",
            "https://10.1.2.3/hook",
            "http://192.168.0.10/hook",
            "http://169.254.169.254/latest/meta-data",
            "ftp://example.com/hook",
        ):
            answer = guarded.post(NOTIFICATIONS, json={"url": url}, headers=tenant.headers)
            assert answer.status_code == 422, (url, answer.text)
            assert (
                answer.json()["detail"][0]["loc"] == ["body", "url"] and "refused" in answer.json()["detail"][0]["msg"]
            )
        assert guarded.get(NOTIFICATIONS, headers=tenant.headers).json()["items"] == []

    # A URL accepted earlier (a name that later resolves inside our network, say) is checked again at every delivery.
    delivery_id = _queued_delivery(sessions, settings, tenant.id, receiver.url)
    context = build_worker_context(public_only, sessions)
    deliver(context, build_notify_client(context), delivery_id)
    assert receiver.received == []
    with sessions() as session:
        assert "loopback" in session.get(NotificationDelivery, delivery_id).last_error

    # Redirects are not followed (here to the cloud metadata address).
    receiver.redirect_to = "http://169.254.169.254/latest/meta-data"
    redirected = _queued_delivery(sessions, settings, tenant.id, receiver.url)
    trusting = build_worker_context(settings, sessions)  # loopback allowed: the receiver itself is reached
    deliver(trusting, build_notify_client(trusting), redirected)
    with sessions() as session:
        row = session.get(NotificationDelivery, redirected)
    assert row.status == "pending" and row.last_status_code == 302 and "redirects are not followed" in row.last_error


def _queued_delivery(sessions, settings, organization_id: int, url: str) -> int:
    from shared.crypto import cipher_from_settings

    with unit_of_work(sessions) as session:
        endpoint = NotificationEndpoint(
            organization_id=organization_id,
            url=url,
            description="",
            secret_encrypted=seal_signing_secret(cipher_from_settings(settings), organization_id, new_signing_secret()),
            enabled=True,
        )
        session.add(endpoint)
        session.flush()
        delivery = NotificationDelivery(
            endpoint_id=endpoint.id,
            organization_id=organization_id,
            message_id=f"msg_test_{endpoint.id}",
            event_type="job.published",
            payload={"type": "job.published", "data": {}},
            status="pending",
            attempts=0,
        )
        session.add(delivery)
        session.flush()
        return delivery.id


def test_a_delivery_claimed_by_a_worker_that_died_mid_send_is_sent_again_once_its_claim_lapses(
    make_tenant, settings, sessions, receiver
):
    """Given a delivery claimed by a worker that then died (its claim committed, no outcome ever
    recorded), when dramatiq redelivers the message before the claim's lease ends, then nothing is
    sent but another look is queued for the lease's end; at that time the delivery is sent and delivered."""
    tenant = make_tenant(platforms=())
    delivery_id = _queued_delivery(sessions, settings, tenant.id, receiver.url)
    context = build_worker_context(settings, sessions)
    dead_claim = claim_delivery(context, delivery_id)  # ... and the worker is killed before sending

    deliver(context, build_notify_client(context), delivery_id)  # the redelivered message, too early

    with sessions() as session:
        row = session.get(NotificationDelivery, delivery_id)
        wake_up = session.scalars(
            select(PublishingLog)
            .where(PublishingLog.event_type == "WebhookDeliveryQueued")
            .order_by(PublishingLog.id.desc())
        ).first()
    assert receiver.received == [] and (row.status, row.attempts) == ("sending", dead_claim.attempt)
    assert wake_up.payload["delivery_id"] == delivery_id and wake_up.dispatch_after == row.next_attempt_at

    with unit_of_work(sessions) as session:  # time passes: the lease runs out
        session.get(NotificationDelivery, delivery_id).next_attempt_at = utcnow()
    deliver(context, build_notify_client(context), delivery_id)  # the look queued for the lease's end

    with sessions() as session:
        row = session.get(NotificationDelivery, delivery_id)
    assert (row.status, row.attempts, row.last_status_code) == ("delivered", 2, 200)
    assert [r["headers"]["webhook-id"] for r in receiver.received] == [row.message_id]


def test_one_organization_cannot_see_or_remove_anothers_endpoints(client, make_tenant, receiver):
    owner, stranger = make_tenant(platforms=()), make_tenant(platforms=())
    endpoint = register(client, owner, receiver.url)
    assert client.get(NOTIFICATIONS, headers=stranger.headers).json()["items"] == []
    assert client.get(f"{NOTIFICATIONS}{endpoint['id']}/deliveries/", headers=stranger.headers).status_code == 404
    assert client.delete(f"{NOTIFICATIONS}{endpoint['id']}/", headers=stranger.headers).status_code == 404
    assert [e["id"] for e in client.get(NOTIFICATIONS, headers=owner.headers).json()["items"]] == [endpoint["id"]]
