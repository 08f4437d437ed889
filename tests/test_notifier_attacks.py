"""A tenant's notification endpoint used against the instance: a receiver that answers one byte a
second, one that answers a body far bigger than memory should hold, an organization registering
endless endpoints, and IPv6 addresses that carry an IPv4 address of our own network inside them.

The slow and the huge receivers run on loopback and are reached through the whole pipeline (API,
relay, a real dramatiq worker) on a database of the test's own, so the sessions counted in
`pg_stat_activity` are only ours.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from services.api.app import create_app
from shared.db import build_engine, build_session_factory
from shared.models import NotificationDelivery
from shared.url_guard import UnsafeUrl, check_on_fetch, check_on_save, parse_networks
from tests.conftest import Pipeline, create_tenant, own_database
from tests.support import publish, settled_status, wait_until

NOTIFICATIONS = "/jobs/publishing/notifications/"
DEADLINE_SECONDS = 2.0
DRIP_SECONDS = 15  # far longer than the deadline: an attempt that waits for the drip is not bounded
HUGE_BODY = 64 * 1024 * 1024
CHUNK = 64 * 1024


@dataclass
class Stack:
    settings: object
    sessions: object
    client: TestClient


@pytest.fixture
def stack(settings, emulators):
    """API, relay and worker on a fresh database, with a short deadline and a single attempt per notification."""
    token = secrets.token_hex(3)
    with own_database(f"_notify_{token}") as url:
        own = settings.model_copy(
            update={
                "database_url": url,
                "broker_namespace": f"{settings.broker_namespace}-notify-{token}",
                "notify_deadline_seconds": DEADLINE_SECONDS,
                "notify_max_attempts": 1,
            }
        )
        engine = build_engine(own)
        sessions = build_session_factory(engine)
        pipeline = Pipeline(own, sessions).start()
        try:
            with TestClient(create_app(own, engine)) as client:
                yield Stack(own, sessions, client)
        finally:
            pipeline.stop()
            engine.dispose()


@dataclass
class HostileReceiver:
    """A loopback endpoint that answers in a way meant to hold a worker: dripping, or endless."""

    answer: str  # "drip" (headers one byte a second) or "huge" (a HUGE_BODY body)
    started: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)
    bytes_sent: int = 0
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/jobpub"


def serve(receiver: HostileReceiver) -> HostileReceiver:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["content-length"]))
            try:
                (drip if receiver.answer == "drip" else flood)(self.wfile)
            except OSError:
                pass  # the client hung up: what a bounded client does
            finally:
                receiver.finished.set()

        def log_message(self, *args):
            pass

    def drip(out) -> None:
        out.write(b"HTTP/1.1 200 OK\r\nx-slow: ")
        receiver.started.set()
        for _ in range(DRIP_SECONDS):
            out.write(b"a")
            receiver.bytes_sent += 1
            time.sleep(1)
        out.write(b"\r\ncontent-length: 0\r\n\r\n")

    def flood(out) -> None:
        out.write(f"HTTP/1.1 200 OK\r\ncontent-length: {HUGE_BODY}\r\n\r\n".encode())
        receiver.started.set()
        zeros = bytes(CHUNK)
        while receiver.bytes_sent < HUGE_BODY:
            out.write(zeros)
            receiver.bytes_sent += CHUNK

    receiver.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=receiver.server.serve_forever, daemon=True).start()
    return receiver


@pytest.fixture
def hostile():
    started = []
    yield lambda answer: started.append(serve(HostileReceiver(answer))) or started[-1]
    for receiver in started:
        receiver.server.shutdown()
        receiver.server.server_close()


def register(client, tenant, url: str) -> dict:
    answer = client.post(NOTIFICATIONS, json={"url": url}, headers=tenant.headers)
    assert answer.status_code == 201, answer.text
    return answer.json()


def delivery_of(sessions, organization_id: int) -> NotificationDelivery | None:
    with sessions() as session:
        return session.scalar(
            select(NotificationDelivery).where(NotificationDelivery.organization_id == organization_id)
        )


def test_a_receiver_that_drips_its_answer_is_cut_at_the_deadline_and_holds_no_lock_or_transaction_meanwhile(
    stack, emulators, hostile
):
    """Given an endpoint that answers one header byte a second for 15 s, when a publish notifies it,
    then while it drips its delivery row can be locked by anyone and no session sits in a transaction,
    another organization publishes as usual, and the attempt is failed at the 2 s deadline."""
    slow = hostile("drip")
    victim, bystander = (
        create_tenant(stack.sessions, stack.settings, emulators, platforms=("naukri",)) for _ in range(2)
    )
    register(stack.client, victim, slow.url)

    publish(stack.client, victim, platforms=["naukri"])
    assert slow.started.wait(20), "the notification never reached the receiver"
    dripping_since = time.monotonic()

    with stack.sessions() as session:  # NOWAIT: fails at once if the notifier holds the row while it sends
        session.execute(
            select(NotificationDelivery.id)
            .where(NotificationDelivery.organization_id == victim.id)
            .with_for_update(nowait=True)
        ).all()
        session.rollback()
        assert (
            session.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid() "
                    "AND state LIKE 'idle in transaction%' AND now() - state_change > interval '500 milliseconds'"
                )
            )
            == 0
        )

    other_job = publish(stack.client, bystander, platforms=["naukri"])
    assert settled_status(stack.client, bystander, other_job)["platforms"]["naukri"]["status"] == "published"

    failed = wait_until(
        lambda: (row := delivery_of(stack.sessions, victim.id)) and row.status == "failed" and row,
        DRIP_SECONDS - 5,
        what="the dripping attempt to be cut at the deadline",
    )
    assert time.monotonic() - dripping_since < DEADLINE_SECONDS + 5
    assert failed.attempts == 1 and "deadline" in failed.last_error
    assert not slow.finished.is_set() or slow.bytes_sent < DRIP_SECONDS


def test_a_receiver_answering_a_huge_body_is_not_read_to_the_end(stack, emulators, hostile):
    """Given an endpoint whose 200 answer carries 64 MiB, when it is notified, then the delivery is
    recorded as delivered and the worker hangs up long before the body ends (it never holds it)."""
    huge = hostile("huge")
    tenant = create_tenant(stack.sessions, stack.settings, emulators, platforms=("naukri",))
    register(stack.client, tenant, huge.url)

    publish(stack.client, tenant, platforms=["naukri"])

    delivered = wait_until(
        lambda: (row := delivery_of(stack.sessions, tenant.id)) and row.status in ("delivered", "failed") and row,
        30,
        what="the delivery to be recorded",
    )
    assert (delivered.status, delivered.last_status_code) == ("delivered", 200)
    assert huge.finished.wait(10), "the worker is still reading the body"
    assert huge.bytes_sent < HUGE_BODY // 4, f"{huge.bytes_sent} bytes were taken before the worker hung up"


def test_an_organization_cannot_register_more_endpoints_than_the_limit(client, make_tenant):
    """Given the default limit of 10, the 11th endpoint answers 409 saying the limit; another
    organization is not affected, and removing one makes room again."""
    limit = 10
    owner, other = make_tenant(platforms=()), make_tenant(platforms=())
    made = [register(client, owner, f"http://127.0.0.1:9/hook/{n}") for n in range(limit)]

    refused = client.post(NOTIFICATIONS, json={"url": "http://127.0.0.1:9/hook/one-more"}, headers=owner.headers)

    assert refused.status_code == 409, refused.text
    assert f"at most {limit} notification endpoints" in refused.json()["detail"]
    assert len(client.get(NOTIFICATIONS, headers=owner.headers).json()["items"]) == limit
    register(client, other, "http://127.0.0.1:9/hook/other")
    assert client.delete(f"{NOTIFICATIONS}{made[0]['id']}/", headers=owner.headers).status_code == 204
    register(client, owner, "http://127.0.0.1:9/hook/one-more")


# IPv6 addresses that lead to an IPv4 address of a private network, this machine or the cloud metadata service.
EMBEDDING_NON_PUBLIC = (
    "http://[64:ff9b::7f00:1]/hook",  # NAT64 of 127.0.0.1
    "http://[64:ff9b::a9fe:a9fe]/latest/meta-data",  # NAT64 of 169.254.169.254
    "http://[64:ff9b::a00:5]/hook",  # NAT64 of 10.0.0.5
    "http://[64:ff9b:1::a00:1]/hook",  # local-use NAT64 (RFC 8215): refused outright
    "http://[2002:a00:1::]/hook",  # 6to4 of 10.0.0.1
    "http://[2002:7f00:1::1]/hook",  # 6to4 of 127.0.0.1
    "http://[::127.0.0.1]/hook",  # IPv4-compatible (deprecated): refused outright
    "http://[::8.8.8.8]/hook",  # even of a public address
    "http://[fec0::1]/hook",  # site-local (deprecated): refused outright
    "http://[::ffff:10.0.0.1]/hook",  # IPv4-mapped 10.0.0.1
    "http://[::ffff:169.254.169.254]/hook",  # IPv4-mapped metadata address
    "http://[2001:0:a00:1::1]/hook",  # Teredo, server 10.0.0.1
)


def test_ipv6_addresses_embedding_a_non_public_ipv4_address_are_refused_when_saved_and_when_fetched(
    client, make_tenant, settings, engine
):
    """Given the tests' own allowance of 127.0.0.0/8 and a deployment allowing nothing, an IPv6 form
    that carries a non-public IPv4 address is refused by the API and by the check made before a fetch;
    the allowance covers connecting to 127.0.0.1 itself, not a gateway's 127.0.0.1 behind NAT64 or 6to4."""
    tenant = make_tenant(platforms=())
    public_only = settings.model_copy(update={"webhook_allowed_networks": ""})
    with TestClient(create_app(public_only, engine)) as guarded:
        for api in (client, guarded):
            for url in EMBEDDING_NON_PUBLIC:
                answer = api.post(NOTIFICATIONS, json={"url": url}, headers=tenant.headers)
                assert answer.status_code == 422, (url, answer.text)
                assert (
                    answer.json()["detail"][0]["loc"] == ["body", "url"]
                    and "refused" in answer.json()["detail"][0]["msg"]
                )
    assert client.get(NOTIFICATIONS, headers=tenant.headers).json()["items"] == []

    for allowed in (parse_networks(settings.webhook_allowed_networks), ()):
        for url in EMBEDDING_NON_PUBLIC:  # literal addresses: the lookup is local, nothing is sent
            with pytest.raises(UnsafeUrl):
                check_on_fetch(url, allowed)


def test_ipv6_addresses_embedding_a_public_ipv4_address_are_still_accepted():
    """NAT64, 6to4 and IPv4-mapped forms of a public address are as public as the address itself."""
    for url in ("http://[64:ff9b::808:808]/hook", "http://[2002:808:808::1]/hook", "http://[::ffff:8.8.8.8]/hook"):
        check_on_save(url)


def test_an_ipv4_mapped_address_is_judged_as_the_ipv4_address_it_is():
    """::ffff:127.0.0.1 is a connection to 127.0.0.1 itself, so the deployment's allowance applies to it."""
    check_on_save("http://[::ffff:127.0.0.1]/hook", parse_networks("127.0.0.0/8"))
    with pytest.raises(UnsafeUrl, match="loopback"):
        check_on_save("http://[::ffff:127.0.0.1]/hook")
