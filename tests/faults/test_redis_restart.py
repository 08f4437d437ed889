"""Scenario 2: Redis stopped and started again (empty: no persistence) in the middle of a load.

The API must keep answering 202 while Redis is down (requests wait in the outbox; the rate
limiter, which counts in Redis, lets them through), the relay and the workers must reconnect by
themselves, and the messages that were queued in Redis when it died must be recovered from the
database.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from shared.models import PublishingLog
from tests.faults.invariants import assert_published_exactly_once
from tests.faults.rig import fault_rig

BATCH = 100
DOWN_SECONDS = 2.0


def recovered_requests(rig) -> int:
    with rig.sessions() as session:
        return session.scalar(
            select(func.count())
            .select_from(PublishingLog)
            .where(PublishingLog.event_type == "JobPublishRequested")
            .where(PublishingLog.payload["reason"].as_string() == "recovered")
        )


@pytest.mark.timeout(180)
def test_redis_stopped_mid_load_loses_nothing_and_the_api_keeps_accepting(emulators):
    # A limit far above this load: the limiter still counts every request in Redis.
    with fault_rig(emulators, rate_limit="100000/minute") as rig:
        tenant = rig.tenant()
        emulators.naukri.set_faults({"slow": {"times": 10**6, "seconds": 0.05}})  # keep a backlog queued in Redis
        rig.start_relay()
        rig.start_worker("a")
        jobs = rig.publish_many(tenant, BATCH)
        time.sleep(0.5)

        rig.redis.stop()
        stopped = time.monotonic()
        jobs += rig.publish_many(tenant, BATCH)  # each asserts its 202
        accepting_took = time.monotonic() - stopped
        time.sleep(max(0.0, DOWN_SECONDS - accepting_took))
        rig.redis.start()
        jobs += rig.publish_many(tenant, BATCH)

        settled_in = rig.wait_until_settled(90)
        print(
            f"\nscenario 2: {BATCH} requests accepted (202) in {accepting_took:.1f}s while Redis was down; "
            f"{recovered_requests(rig)} publishes re-requested from the database after Redis came back empty; "
            f"all {len(jobs)} settled {settled_in:.1f}s after the restart"
        )
        assert_published_exactly_once(rig, [tenant], jobs)
