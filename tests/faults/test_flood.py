"""Scenario 9: one organization floods the API at ten times its rate limit.

The API runs as its own `jobpub api` process. Three quiet organizations send publishes at a
steady pace, first alone and then while a fourth floods at ten times its limit. The flood must
get 429s with Retry-After; the quiet ones must get no 429 at all, and their median latency under
the flood must stay within a few times their median without it (a ratio measured in the same
run, never an absolute time: CI machines differ).
"""

from __future__ import annotations

import statistics
import threading
import time
from dataclasses import dataclass, field

import httpx
import pytest

from tests.faults.invariants import assert_published_exactly_once
from tests.faults.rig import fault_rig
from tests.support import PUBLISH, job_body

LIMIT_PER_SECOND = 10
FLOOD_PER_SECOND = 10 * LIMIT_PER_SECOND
FLOOD_THREADS = 4
QUIET_ORGANIZATIONS = 3
QUIET_PER_SECOND = 4  # each, well under the limit
PHASE_SECONDS = 5.0
MEDIAN_RATIO_BOUND = 3.0


@dataclass
class Sent:
    latencies: list = field(default_factory=list)
    statuses: list = field(default_factory=list)
    job_ids: list = field(default_factory=list)
    retry_after_missing: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def send_paced(url: str, tenant, per_second: float, seconds: float, sent: Sent) -> None:
    """Publish at a steady pace for `seconds`, recording each answer's latency and status."""
    body = {"job": job_body(), "platforms": ["naukri"]}
    with httpx.Client(base_url=url, headers=tenant.headers, timeout=30) as client:
        started = time.monotonic()
        for tick in range(int(per_second * seconds)):
            time.sleep(max(0.0, started + tick / per_second - time.monotonic()))
            before = time.monotonic()
            answer = client.post(PUBLISH, json=body)
            took = time.monotonic() - before
            with sent.lock:
                sent.latencies.append(took)
                sent.statuses.append(answer.status_code)
                if answer.status_code == 202:
                    sent.job_ids.append(answer.json()["job_id"])
                elif answer.status_code == 429 and "retry-after" not in answer.headers:
                    sent.retry_after_missing += 1


def run_phase(url: str, quiet_tenants, flood_tenant=None) -> tuple[Sent, Sent]:
    quiet, flood = Sent(), Sent()
    senders = [(tenant, QUIET_PER_SECOND, quiet) for tenant in quiet_tenants]
    if flood_tenant is not None:
        senders += [(flood_tenant, FLOOD_PER_SECOND / FLOOD_THREADS, flood)] * FLOOD_THREADS
    threads = [threading.Thread(target=send_paced, args=(url, t, rate, PHASE_SECONDS, s)) for t, rate, s in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return quiet, flood


@pytest.mark.timeout(120)
def test_a_flooding_organization_gets_429s_and_the_others_latency_holds(emulators):
    with fault_rig(emulators, rate_limit=f"{LIMIT_PER_SECOND}/second") as rig:
        quiet_tenants = [rig.tenant() for _ in range(QUIET_ORGANIZATIONS)]
        flooder = rig.tenant()
        rig.start_relay()
        rig.start_worker("a")
        url = rig.start_api()

        alone, _ = run_phase(url, quiet_tenants)
        under_flood, flood = run_phase(url, quiet_tenants, flooder)

        p50_alone, p50_flood = statistics.median(alone.latencies), statistics.median(under_flood.latencies)
        print(
            f"\nscenario 9: the flood sent {len(flood.statuses) / PHASE_SECONDS:.0f}/s "
            f"(limit {LIMIT_PER_SECOND}/s): {flood.statuses.count(429)} answered 429, "
            f"{flood.statuses.count(202)} accepted; "
            f"the others' p50 {p50_alone * 1000:.0f} ms alone, {p50_flood * 1000:.0f} ms under the flood "
            f"(ratio {p50_flood / p50_alone:.2f}), their 429s: {under_flood.statuses.count(429)}"
        )
        assert flood.statuses.count(429) > len(flood.statuses) / 2
        assert flood.retry_after_missing == 0
        assert set(alone.statuses) == set(under_flood.statuses) == {202}
        assert p50_flood <= MEDIAN_RATIO_BOUND * p50_alone

        rig.wait_until_settled(60)
        jobs = alone.job_ids + under_flood.job_ids + flood.job_ids
        assert_published_exactly_once(rig, [*quiet_tenants, flooder], jobs)
