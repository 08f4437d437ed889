"""Scenario 3: PostgreSQL restarted in the middle of a load.

The scenario runs on a private PostgreSQL cluster (the shared one serves other engineers' test
runs), restarted with `pg_ctl -m fast`: every connection of the API, the relay and the workers is
cut. None of them is restarted; they must reconnect by themselves, and every publish must still
end published exactly once.
"""

from __future__ import annotations

import time

import pytest

from shared.models import PostingStatus
from tests.faults.invariants import assert_published_exactly_once
from tests.faults.rig import fault_rig
from tests.faults.servers import private_postgres_possible
from tests.support import wait_until

BATCH = 150
# Long enough for in-flight work to fail and be retried against a dead server, as in a real
# restart or fail-over, not just a blip between two queries.
DOWN_SECONDS = 3.0

why_not = private_postgres_possible()


@pytest.mark.skipif(why_not is not None, reason=f"no private PostgreSQL cluster here: {why_not}")
@pytest.mark.timeout(180)
def test_postgres_restarted_mid_load_and_every_process_reconnects_by_itself(emulators):
    with fault_rig(emulators, own_postgres=True) as rig:
        tenant = rig.tenant()
        emulators.naukri.set_faults({"slow": {"times": 10**6, "seconds": 0.05}})  # publishes under way at the cut
        relay, worker = rig.start_relay(), rig.start_worker("a")
        jobs = rig.publish_many(tenant, BATCH)
        wait_until(lambda: rig.count_postings(PostingStatus.PUBLISHED) >= 20, 30, what="the load to be under way")

        published_before = rig.count_postings(PostingStatus.PUBLISHED)
        restart_started = time.monotonic()
        rig.postgres.restart(DOWN_SECONDS)
        restart_took = time.monotonic() - restart_started
        jobs += rig.publish_many(tenant, BATCH)

        settled_in = rig.wait_until_settled(90)
        print(
            f"\nscenario 3: PostgreSQL down for {restart_took:.1f}s once {published_before} of the first "
            f"{BATCH} published; all {len(jobs)} settled {settled_in:.1f}s after it"
        )
        assert relay.alive and worker.alive, "the relay and the worker came through without a restart"
        assert_published_exactly_once(rig, [tenant], jobs)
