"""Scenario 4: the platform stores the posting, then the connection drops before the answer.

The publisher only learns that its create failed in transit; the posting exists on the
platform. The retry must find it by our external id (LinkedIn: jobPostingStatus; Naukri: by
reference) and record it, never create a second one.
"""

from __future__ import annotations

import pytest

from tests.faults.invariants import assert_published_exactly_once
from tests.faults.rig import fault_rig

JOBS = 100
LOST = 40  # per platform: the first creates all lose their answer after the commit


@pytest.mark.timeout(120)
def test_a_create_whose_answer_is_lost_after_the_commit_is_found_not_repeated(emulators):
    with fault_rig(emulators) as rig:
        tenant = rig.tenant(("linkedin", "naukri"))
        for emulator in (emulators.linkedin, emulators.naukri):
            emulator.set_faults({"lose_response": {"times": LOST}})
        rig.start_relay()
        rig.start_worker("a")
        jobs = rig.publish_many(tenant, JOBS, platforms=("both",))
        settled_in = rig.wait_until_settled(60)
        print(
            f"\nscenario 4: {LOST} answers per platform lost after the commit; "
            f"all {2 * JOBS} postings settled in {settled_in:.1f}s"
        )
        assert emulators.linkedin.current_faults() == emulators.naukri.current_faults() == {}, "every answer was lost"
        assert_published_exactly_once(rig, [tenant], jobs)
