"""Scenario 5: every message delivered three times, the copies running at once.

The relay sends through a broker that enqueues each message three times under three message
ids (so dramatiq keeps all three: the same id would collapse in its ack set), as a relay that
died twice between sending and marking would, only all at once. Two worker groups of four
threads take the copies concurrently. The posting's claim must let one copy work and the
others wait and skip: one create per posting, never two.
"""

from __future__ import annotations

import threading
import uuid

import pytest
from dramatiq import Message

from services.relay.relay import Relay
from shared.broker import build_broker
from tests.faults.invariants import assert_published_exactly_once
from tests.faults.rig import fault_rig

JOBS = 100
COPIES = 3
CREATE_ROUTES = {"linkedin": "POST /v2/simpleJobPostings", "naukri": "POST /v1/jobs"}


class DeliversThreeTimes:
    """What the relay sees as its broker: each message goes to the real one three times."""

    def __init__(self, broker):
        self.broker = broker
        self.sent = 0

    def declare_queue(self, queue_name: str) -> None:
        self.broker.declare_queue(queue_name)

    def enqueue(self, message: Message) -> None:
        for _ in range(COPIES):
            self.broker.enqueue(message.copy(message_id=str(uuid.uuid4())))
            self.sent += 1


def creates_sent(emulators) -> dict:
    return {name: getattr(emulators, name).stats()["requests"].get(route, 0) for name, route in CREATE_ROUTES.items()}


@pytest.mark.timeout(120)
def test_three_concurrent_copies_of_every_message_create_each_posting_once(emulators):
    with fault_rig(emulators) as rig:
        tenant = rig.tenant(("linkedin", "naukri"))
        creates_before = creates_sent(emulators)
        jobs = rig.publish_many(tenant, JOBS, platforms=("both",))  # queued in the outbox, nothing sent yet
        broker = build_broker(rig.settings)
        tripled = DeliversThreeTimes(broker)
        stop = threading.Event()
        relay = threading.Thread(target=Relay(rig.settings, rig.sessions, tripled).run, args=(stop,), daemon=True)
        relay.start()
        rig.start_worker("a")
        rig.start_worker("b")
        try:
            settled_in = rig.wait_until_settled(60)
        finally:
            stop.set()
            relay.join(5)
            broker.close()
        creates = {name: count - creates_before[name] for name, count in creates_sent(emulators).items()}
        print(
            f"\nscenario 5: {tripled.sent} deliveries for {2 * JOBS} postings; creates sent to the platforms: "
            f"{creates}; settled in {settled_in:.1f}s"
        )
        assert creates == {"linkedin": JOBS, "naukri": JOBS}
        assert_published_exactly_once(rig, [tenant], jobs)
