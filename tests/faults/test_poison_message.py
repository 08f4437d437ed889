"""Scenario 6: one publish kills its worker every time it runs, among 500 normal ones.

The poison's platform account never answers (the emulator hangs every request of that one
client), and the test plays the out-of-memory killer: each time a delivery of the poison claims
its posting, the worker group dies with SIGKILL and its supervisor (the test) starts it again.
Normal publishes in flight die with it and must still complete; the poison must end quarantined
after JOBPUB_QUARANTINE_AFTER_DELIVERIES deaths instead of killing workers for ever.
"""

from __future__ import annotations

import time

import pytest

from shared.models import PostingStatus
from tests.conftest import log_of, postings_of
from tests.faults.invariants import assert_published_exactly_once
from tests.faults.rig import fault_rig

NORMAL_JOBS = 500
QUARANTINE_AFTER = 3


def hanging(poison_posting, deaths: int) -> bool:
    """A new delivery claimed the poison and is still on it a moment later (the one that
    quarantines it also claims it first, and records the failure within milliseconds)."""
    claims = poison_posting().unfinished_claims
    if claims <= deaths:
        return False
    time.sleep(0.5)
    latest = poison_posting()
    return latest.status == PostingStatus.PUBLISHING and latest.unfinished_claims == claims


@pytest.mark.timeout(180)
def test_a_publish_that_kills_its_worker_every_time_is_quarantined_and_500_others_complete(emulators):
    with fault_rig(emulators, quarantine_after_deliveries=QUARANTINE_AFTER) as rig:
        poisoned, tenant = rig.tenant(), rig.tenant()
        poisoned_client = poisoned.clients["naukri"][0]
        emulators.naukri.set_faults({"slow": {"times": 100, "seconds": 600, "on": "all", "client": poisoned_client}})
        poison = rig.publish(poisoned)
        jobs = rig.publish_many(tenant, NORMAL_JOBS)
        rig.start_relay()
        worker = rig.start_worker("a")
        started, deaths = time.monotonic(), 0

        def poison_posting():
            return postings_of(rig.sessions, poison)["naukri"]

        while poison_posting().status != PostingStatus.FAILED:
            assert time.monotonic() - started < 90, f"the poison was not quarantined after {deaths} deaths"
            if hanging(poison_posting, deaths):  # a delivery took it and hangs: the worker dies
                worker.kill()
                deaths += 1
                worker = rig.start_worker("a")
            time.sleep(0.05)
        quarantined_in = time.monotonic() - started
        settled_in = rig.wait_until_settled(90)
        print(
            f"\nscenario 6: the poison killed its worker {deaths} times and was quarantined after "
            f"{quarantined_in:.1f}s; the {NORMAL_JOBS} others settled {settled_in:.1f}s later"
        )
        assert deaths == QUARANTINE_AFTER
        assert "quarantined" in poison_posting().last_error
        assert [row.event_type for row in log_of(rig.sessions, poison)].count("JobPublishFailed") == 1
        assert_published_exactly_once(rig, [tenant], jobs)
