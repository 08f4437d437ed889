"""A tenant's platform quota pace is its own: typing another tenant's client id spends none of it.

Like tests/test_platform_quota.py: an emulator of this test's own, two real `jobpub worker`
processes pacing through Redis, and counts, not timings.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from shared.models import PublishingLog
from tests.conftest import create_tenant
from tests.support import job_body, settled_status
from tests.test_platform_quota import quota_run

FLOOD = 20
# Two requests a second, and a worker waits at most half a second for its turn (a third of its
# lease): a schedule someone else keeps full makes a publish give its turn back.
SLOW_PACE = dict(naukri_requests_per_second=2, lease_seconds=1.5, http_timeout_seconds=1.0)


def deferrals(sessions, job_id: int) -> int:
    with sessions() as session:
        return session.scalar(
            select(func.count())
            .select_from(PublishingLog)
            .where(PublishingLog.job_id == job_id, PublishingLog.event_type == "JobPublishRetryScheduled")
        )


@pytest.mark.no_worker
def test_a_tenant_that_configures_another_tenants_client_id_does_not_spend_that_tenants_quota(emulators):
    with quota_run(emulators, {"requests_per_second": 100}, **SLOW_PACE) as (client, sessions, owner, _emulator):
        settings = client.app.state.settings
        intruder = create_tenant(sessions, settings, emulators, platforms=())
        stolen = {"client_id": owner.clients["naukri"][0], "client_secret": "not-the-owners-secret"}
        answer = client.put("/jobs/publishing/platforms/naukri/", json=stolen, headers=intruder.headers)
        assert answer.status_code == 201, answer.text
        for _ in range(FLOOD):  # each attempt takes a turn of the intruder's pace, then is refused (401)
            sent = client.post(
                "/jobs/publishing/publish/", json={"job": job_body(), "platforms": ["naukri"]}, headers=intruder.headers
            )
            assert sent.status_code == 202, sent.text

        answer = client.post(
            "/jobs/publishing/publish/", json={"job": job_body(), "platforms": ["naukri"]}, headers=owner.headers
        )
        job_id = answer.json()["job_id"]
        status = settled_status(client, owner, job_id, timeout=60)

        assert status["platforms"]["naukri"]["status"] == "published"
        assert deferrals(sessions, job_id) == 0  # its first turn was free: nobody else is on its schedule
