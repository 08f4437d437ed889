"""Retention: an organization's rule, set over the API, applied by the scheduler's retention pass
with a clock the test passes in — only what is due is erased, once, with an event counting it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from services.syncer.retention import apply_retention
from shared.models import KeyScope, PublishingLog, utcnow
from tests.support import wait_until
from tests.test_applications_sync import published_on, sync_now
from tests.test_candidate_privacy import erasure_events, held, push

RETENTION = "/jobs/publishing/privacy/retention/"


def set_rule(client, tenant, **rule) -> dict:
    answer = client.put(RETENTION, json=rule, headers=tenant.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def erased_ids(sessions, tenant) -> list[int]:
    return [a.id for a in held(sessions, tenant.id) if a.erased_at is not None]


def test_retention_erases_only_what_is_due_and_a_second_pass_is_a_no_op(
    client, make_tenant, pipeline, emulators, sessions
):
    # Given an organization keeping applications 30 days after arrival, but LinkedIn's 365
    owner, keeper = make_tenant(scope=KeyScope.OPERATOR), make_tenant(scope=KeyScope.OPERATOR)
    _, linkedin_job = published_on(client, owner, sessions, "linkedin")
    _, naukri_job = published_on(client, owner, sessions, "naukri")
    _, keepers_job = published_on(client, keeper, sessions, "linkedin")
    push(client, owner, linkedin_job, 8001, "li@candidates.example")
    emulators.naukri.apply(naukri_job, count=3, client_id=owner.clients["naukri"][0])
    sync_now(client, owner)
    push(client, keeper, keepers_job, 8002, "li@candidates.example")  # no rule: kept for ever
    received = utcnow()
    set_rule(client, owner, platform=None, keep_days=30, counted_from="received")
    rules = set_rule(client, owner, platform="linkedin", keep_days=365, counted_from="received")["items"]
    assert [(r["platform"], r["keep_days"]) for r in rules] == [(None, 30), ("linkedin", 365)]
    assert client.get(RETENTION, headers=owner.headers).json()["items"] == rules
    before = {a.id: a.platform for a in held(sessions, owner.id)}

    # When the retention pass runs 29 days on, then 31, then 31 again (batches of 2)
    assert apply_retention(sessions, now=received + timedelta(days=29)) == []
    first = apply_retention(sessions, now=received + timedelta(days=31), batch_size=2)
    second = apply_retention(sessions, now=received + timedelta(days=31), batch_size=2)

    # Then only Naukri's three are erased, in two batches each its own event, and nothing twice
    assert [(e.organization_id, e.platform, e.count) for e in first] == [(owner.id, "naukri", 3)]
    assert second == []
    naukri = sorted(i for i, platform in before.items() if platform == "naukri")
    assert erased_ids(sessions, owner) == naukri
    events = erasure_events(sessions, owner.id)
    assert [(e["cause"], e["by"], e["platform"], e["count"]) for e in events] == [
        ("retention", "retention", "naukri", 2),
        ("retention", "retention", "naukri", 1),
    ]
    assert events[0]["reason"] == "retention: kept 30 days after they were received"
    assert "@" not in str(events)
    assert held(sessions, keeper.id)[0].erased_at is None
    # A year on, LinkedIn's rule is due as well
    assert [(e.platform, e.count) for e in apply_retention(sessions, now=received + timedelta(days=366))] == [
        ("linkedin", 1)
    ]
    assert held(sessions, keeper.id)[0].erased_at is None


def test_a_job_closed_rule_keeps_an_open_jobs_applications_and_counts_from_the_close(
    client, make_tenant, pipeline, sessions
):
    owner = make_tenant(scope=KeyScope.OPERATOR)
    closing_job_id, closing = published_on(client, owner, sessions, "linkedin")
    _, open_job = published_on(client, owner, sessions, "linkedin")
    push(client, owner, closing, 8101, "a@candidates.example")
    push(client, owner, open_job, 8102, "b@candidates.example")
    set_rule(client, owner, platform=None, keep_days=10, counted_from="job_closed")
    [closed_one, open_one] = held(sessions, owner.id)

    assert apply_retention(sessions, now=utcnow() + timedelta(days=400)) == []  # nothing closed yet
    answer = client.post(f"/jobs/publishing/{closing_job_id}/close/", headers=owner.headers)
    assert answer.status_code == 202, answer.text
    wait_until(
        lambda: (
            client.get(f"/jobs/publishing/{closing_job_id}/status/", headers=owner.headers).json()["platforms"][
                "linkedin"
            ]["status"]
            == "closed"
        ),
        what="the job to close",
    )
    with sessions() as session:
        closed_at = session.scalar(
            select(PublishingLog.created_at).where(
                PublishingLog.job_id == closing_job_id, PublishingLog.event_type == "JobClosed"
            )
        )

    assert apply_retention(sessions, now=closed_at + timedelta(days=9)) == []
    erased = apply_retention(sessions, now=closed_at + timedelta(days=10, seconds=1))
    assert [(e.platform, e.count) for e in erased] == [("linkedin", 1)]
    assert erased_ids(sessions, owner) == [closed_one.id]
    assert open_one.id not in erased_ids(sessions, owner)


def test_only_an_operator_key_sets_retention_and_a_bad_rule_is_a_422_naming_the_field(client, make_tenant):
    recruiter, operator = make_tenant(), make_tenant(scope=KeyScope.OPERATOR)

    assert client.put(RETENTION, json={"keep_days": 30}, headers=recruiter.headers).status_code == 403
    assert client.get(RETENTION, headers=recruiter.headers).json() == {"items": [], "next_cursor": None}
    for body, field in (
        ({"keep_days": -1}, "keep_days"),
        ({"keep_days": 30, "counted_from": "applied"}, "counted_from"),
        ({"keep_days": 30, "platform": "monster"}, "platform"),
    ):
        answer = client.put(RETENTION, json=body, headers=operator.headers)
        assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["body", field], answer.text
    set_rule(client, operator, keep_days=30)
    assert set_rule(client, operator, keep_days=None)["items"] == []  # removed: keep every application
