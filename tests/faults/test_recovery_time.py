"""Scenario 8: how long a killed worker's in-flight publishes take to finish elsewhere.

dramatiq hands a dead worker's messages to others only once its heartbeat is older than the
heartbeat timeout and a maintenance pass runs on that queue (by default 60 s and 0.1% of
commands: often many minutes). jobpub sets both (JOBPUB_WORKER_HEARTBEAT_TIMEOUT_MS and
JOBPUB_WORKER_MAINTENANCE_CHANCE), and then the attempt's lease (JOBPUB_LEASE_SECONDS) must lapse
before another worker may take the posting over. Recovery is bounded by their sum.
"""

from __future__ import annotations

import time

import pytest
import redis

from shared.models import PostingStatus
from tests.faults.invariants import assert_published_exactly_once
from tests.faults.rig import fault_rig
from tests.support import wait_until

IN_FLIGHT = 4
SLACK_SECONDS = 10.0  # the survivor's poll interval, process start-up, a loaded CI machine


def live_consumers(rig) -> int:
    client = redis.Redis.from_url(rig.settings.broker_url)
    return client.zcard(f"{rig.settings.broker_namespace}:__heartbeats__")


@pytest.mark.timeout(120)
def test_a_killed_workers_in_flight_publishes_finish_elsewhere_within_heartbeat_plus_lease(emulators):
    with fault_rig(emulators) as rig:
        tenant = rig.tenant()
        # Each create takes a second, so the first worker is still inside them when it dies.
        emulators.naukri.set_faults({"slow": {"times": IN_FLIGHT, "seconds": 1.0}})
        rig.start_relay()
        doomed = rig.start_worker("doomed", threads=IN_FLIGHT)
        jobs = rig.publish_many(tenant, IN_FLIGHT)
        wait_until(lambda: rig.count_postings(PostingStatus.PUBLISHING) == IN_FLIGHT, 30, what="every publish claimed")
        rig.start_worker("survivor")
        wait_until(lambda: live_consumers(rig) >= 2, 30, what="the survivor to consume")
        doomed.kill()
        killed_at = time.monotonic()
        wait_until(lambda: rig.count_postings(PostingStatus.PUBLISHED) == IN_FLIGHT, 60, what="recovery")
        recovery = time.monotonic() - killed_at

        heartbeat = rig.settings.worker_heartbeat_timeout_ms / 1000
        lease = rig.settings.lease_seconds
        print(
            f"\nscenario 8: recovery after kill -9: {recovery:.1f}s for {IN_FLIGHT} in-flight publishes "
            f"(heartbeat timeout {heartbeat:g}s, "
            f"maintenance chance {rig.settings.worker_maintenance_chance:,}/1,000,000, "
            f"lease {lease:g}s)"
        )
        assert recovery < heartbeat + lease + SLACK_SECONDS
        assert_published_exactly_once(rig, [tenant], jobs)
