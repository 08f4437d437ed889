"""Scenario 7: the platforms misbehave the ways real ones do, all in one run: 429s with
Retry-After, a burst of 5xx, requests that time out (the platform still acting on them after we
gave up), and every LinkedIn access token expiring mid-run.

Every posting must still end published exactly once, and no retry after a 429 may come sooner
than the platform's Retry-After.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shared.models import PostingStatus, PublishingLog
from tests.faults.invariants import assert_published_exactly_once
from tests.faults.rig import fault_rig
from tests.support import wait_until

JOBS = 100
RETRY_AFTER_SECONDS = 2
# A retry's due time is computed when the 429 arrives, its log row stamped a moment later (on a
# loaded machine, a tenth of a second or more). Half a second covers that moment and still
# tells Retry-After apart from our own backoff, which this run caps at 0.5 s.
ROW_STAMP_ALLOWANCE_SECONDS = 0.5
TOKEN_ROUTE = "POST /oauth/v2/accessToken"
FAULTS = {
    "rate_limit": {"times": 15, "retry_after": RETRY_AFTER_SECONDS, "on": "all"},
    "server_error": {"times": 25, "status": 503, "on": "all", "after": 40},  # one burst, a little into the run
    "slow": {"times": 8, "seconds": 1.5, "on": "all", "after": 60},  # longer than JOBPUB_HTTP_TIMEOUT_SECONDS (1)
}


def retries_after_429(rig) -> list[float]:
    """For each retry scheduled after a 429: seconds between recording it and its due time."""
    with rig.sessions() as session:
        retries = select(PublishingLog).where(PublishingLog.event_type == "JobPublishRetryScheduled")
        rows = session.scalars(retries).all()
    return [
        (row.dispatch_after - row.created_at).total_seconds() for row in rows if "(429)" in row.payload.get("error", "")
    ]


@pytest.mark.timeout(150)
def test_429s_5xx_bursts_timeouts_and_an_expired_token_end_with_every_posting_published_once(emulators):
    with fault_rig(emulators) as rig:
        tenant = rig.tenant(("linkedin", "naukri"))
        for emulator in (emulators.linkedin, emulators.naukri):
            emulator.set_faults(FAULTS)
        rig.start_relay()
        rig.start_worker("a")
        jobs = rig.publish_many(tenant, JOBS, platforms=("both",))
        wait_until(lambda: rig.count_postings(PostingStatus.PUBLISHED) >= JOBS // 2, 60, what="half the postings")
        tokens_before = emulators.linkedin.stats()["requests"].get(TOKEN_ROUTE, 0)
        emulators.linkedin.expire_tokens()  # the workers' cached tokens are now refused with 65602
        settled_in = rig.wait_until_settled(90)

        tokens_after_expiry = emulators.linkedin.stats()["requests"].get(TOKEN_ROUTE, 0) - tokens_before
        waits = retries_after_429(rig)
        left = {name: getattr(emulators, name).current_faults() for name in ("linkedin", "naukri")}
        print(
            f"\nscenario 7: {len(waits)} retries after a 429, the shortest {min(waits, default=0):.2f}s after it "
            f"(Retry-After {RETRY_AFTER_SECONDS}s); {tokens_after_expiry} new tokens fetched after the expiry; "
            f"faults not used up: {left}; settled in {settled_in:.1f}s"
        )
        assert left == {"linkedin": {}, "naukri": {}}, "every fault struck"
        assert rig.settings.retry_backoff_max_seconds * 1.1 < RETRY_AFTER_SECONDS - ROW_STAMP_ALLOWANCE_SECONDS
        assert waits and min(waits) >= RETRY_AFTER_SECONDS - ROW_STAMP_ALLOWANCE_SECONDS
        assert tokens_after_expiry >= 1, "the expired token was refused and replaced mid-run"
        assert_published_exactly_once(rig, [tenant], jobs)
