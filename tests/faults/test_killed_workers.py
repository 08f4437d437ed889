"""Scenario 1: publisher workers killed with SIGKILL at random moments, 50 times over 500 jobs.

Two worker groups share the queues; the test feeds jobs in and, between batches, kills one group
while a publish is under way and starts it again, as a supervisor would. Each create answers
after 0.1 s, so a kill usually lands while some attempt holds its lease, often after the
platform has stored the posting and before jobpub has recorded it.
"""

from __future__ import annotations

import random
import time

import pytest
from sqlalchemy import func, select

from shared.models import Posting, PostingStatus
from tests.faults.invariants import assert_published_exactly_once
from tests.faults.rig import fault_rig
from tests.support import wait_until

JOBS = 500
KILLS = 50
WORKER_GROUPS = ("a", "b")


def publishes_cut_short(rig) -> int:
    """Postings whose attempts were more than one: in this scenario only a kill does that."""
    with rig.sessions() as session:
        return session.scalar(select(func.count()).select_from(Posting).where(Posting.total_attempts > 1))


@pytest.mark.timeout(240)
def test_fifty_kill_9s_over_500_jobs_lose_nothing_and_double_nothing(emulators):
    seed = random.randrange(1_000_000)
    print(f"\nscenario 1 seed {seed}")
    chance = random.Random(seed)
    # A posting that happens to be under way at three kills in a row is bad luck, not poison:
    # the quarantine (scenario 6) must not fail it here.
    with fault_rig(emulators, quarantine_after_deliveries=KILLS) as rig:
        tenant = rig.tenant()
        emulators.naukri.set_faults({"slow": {"times": 10**6, "seconds": 0.1}})
        rig.start_relay()
        workers = {name: rig.start_worker(name) for name in WORKER_GROUPS}
        jobs, landed = [], 0
        started = time.monotonic()
        for _ in range(KILLS):
            jobs += rig.publish_many(tenant, JOBS // KILLS)
            wait_until(lambda: rig.count_postings(PostingStatus.PUBLISHING), 5, what="a publish under way")
            time.sleep(chance.uniform(0.0, 0.3))
            landed += rig.count_postings(PostingStatus.PUBLISHING) > 0
            # The group up the longest: the other one may still be starting, with nothing to lose.
            victim = min(WORKER_GROUPS, key=lambda name: workers[name].started_at)
            workers[victim].kill()
            workers[victim] = rig.start_worker(victim)
        settled_in = rig.wait_until_settled(90)
        print(
            f"scenario 1: {KILLS} kills in {time.monotonic() - started - settled_in:.1f}s, {landed} while a publish "
            f"was under way in some group; {publishes_cut_short(rig)} publishes cut short and finished by another worker; "
            f"the backlog of all {JOBS} settled {settled_in:.1f}s after the last kill; "
            f"platform look-ups {emulators.naukri.stats()['requests'].get('GET /v1/jobs', 0)}"
        )
        assert_published_exactly_once(rig, [tenant], jobs)
