"""The publishing API's contract: authentication, tenant isolation, validation, idempotency.

These run without workers: they check what the API answers and what it stores.
"""

from __future__ import annotations

import json

from sqlalchemy import func, select

from shared.models import IdempotencyKey, Job, PublishingLog
from tests.support import job_body

PUBLISH = "/jobs/publishing/publish/"


def count(sessions, model, tenant) -> int:
    """Rows of the tenant's own: the pipeline may be writing other tenants' rows meanwhile."""
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model).where(model.organization_id == tenant.id))


def test_a_publish_request_is_accepted_at_once_with_a_pending_status_per_platform(client, tenant, sessions):
    answer = client.post(PUBLISH, json={"job": job_body(), "platforms": ["both"]}, headers=tenant.headers)
    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert set(body["platforms"]) == {"linkedin", "naukri"}
    assert {p["status"] for p in body["platforms"].values()} == {"pending"}
    with sessions() as session:
        kinds = session.scalars(select(PublishingLog.event_type).where(PublishingLog.job_id == body["job_id"])).all()
    assert kinds == ["JobPublishRequested", "JobPublishRequested"]


def test_a_request_without_a_key_or_with_a_wrong_one_is_refused(client, tenant):
    no_key = client.post(PUBLISH, json={"job": job_body(), "platforms": ["linkedin"]})
    assert no_key.status_code == 401
    assert "X-API-Key" in no_key.json()["detail"]
    forged = tenant.api_key[:-4] + "AAAA"
    wrong = client.get("/jobs/publishing/1/status/", headers={"X-API-Key": forged})
    assert wrong.status_code == 401


def test_another_organizations_job_is_not_found_and_left_untouched(client, make_tenant):
    owner, stranger = make_tenant(), make_tenant()
    job_id = client.post(PUBLISH, json={"job": job_body(), "platforms": ["naukri"]}, headers=owner.headers).json()[
        "job_id"
    ]
    assert client.get(f"/jobs/publishing/{job_id}/status/", headers=stranger.headers).status_code == 404
    assert client.post(f"/jobs/publishing/{job_id}/retry/", headers=stranger.headers).status_code == 404
    republish = client.post(PUBLISH, json={"job_id": job_id, "platforms": ["naukri"]}, headers=stranger.headers)
    assert republish.status_code == 404
    assert "Backend Engineer" not in republish.text
    assert client.get(f"/jobs/publishing/{job_id}/status/", headers=owner.headers).status_code == 200


def test_bad_input_names_the_field_and_stores_nothing(client, tenant, sessions):
    before = (count(sessions, Job, tenant), count(sessions, PublishingLog, tenant))
    cases = [
        ({"job": job_body(title=None), "platforms": ["linkedin"]}, ["body", "job", "title"]),
        (
            {"job": {k: v for k, v in job_body().items() if k != "title"}, "platforms": ["linkedin"]},
            ["body", "job", "title"],
        ),
        ({"job": job_body(), "platforms": ["monster"]}, ["body", "platforms", 0]),
        ({"job": job_body(), "platforms": []}, ["body", "platforms"]),
        ({"job": job_body(skills="python"), "platforms": ["naukri"]}, ["body", "job", "skills"]),
        ({"job": job_body(apply_url="javascript:alert(1)"), "platforms": ["naukri"]}, ["body", "job", "apply_url"]),
        ({"job": job_body(organization_id=7), "platforms": ["naukri"]}, ["body", "job", "organization_id"]),
        ({"job": job_body(), "platforms": ["naukri"], "status": "published"}, ["body", "status"]),
    ]
    for body, loc in cases:
        answer = client.post(PUBLISH, json=body, headers=tenant.headers)
        assert answer.status_code == 422, (loc, answer.text)
        assert loc in [problem["loc"] for problem in answer.json()["detail"]], (loc, answer.json())
    assert (count(sessions, Job, tenant), count(sessions, PublishingLog, tenant)) == before


def test_what_postgresql_cannot_hold_is_a_422_naming_the_field_not_a_500(client, tenant, sessions):
    # Each of these was a 500 (found by tests/test_api_schema_fuzz.py).
    before = (count(sessions, Job, tenant), count(sessions, PublishingLog, tenant))
    beyond_bigint = 2**63
    status = client.get(f"/jobs/publishing/{beyond_bigint}/status/", headers=tenant.headers)
    assert status.status_code == 422 and status.json()["detail"][0]["loc"] == ["path", "job_id"]
    infinite_salary = json.dumps(
        {"job": job_body(salary={"minimum": 1, "maximum": 2, "currency": "INR"}), "platforms": ["naukri"]}
    ).replace('"maximum": 2', '"maximum": 1e999')  # JSON parses 1e999 as infinity
    cases = [
        ({"job": job_body(title="Backend\x00Engineer"), "platforms": ["naukri"]}, ["body", "job", "title"], "NUL"),
        (
            {"job": job_body(expires_at="9999-12-31T23:59:59-14:00"), "platforms": ["naukri"]},
            ["body", "job", "expires_at"],
            "UTC",
        ),
        ({"job_id": beyond_bigint, "platforms": ["naukri"]}, ["body", "job_id"], "less than or equal"),
        (infinite_salary, ["body", "job", "salary", "maximum"], "finite"),
    ]
    for body, loc, words in cases:
        content = body if isinstance(body, str) else json.dumps(body)
        answer = client.post(PUBLISH, content=content, headers={**tenant.headers, "Content-Type": "application/json"})
        assert answer.status_code == 422, (loc, answer.text)
        [problem] = answer.json()["detail"]
        assert problem["loc"] == loc and words in problem["msg"], problem
    nul_key = {**tenant.headers, "Idempotency-Key": "order\x00-9"}
    answer = client.post(PUBLISH, json={"job": job_body(), "platforms": ["naukri"]}, headers=nul_key)
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    assert (count(sessions, Job, tenant), count(sessions, PublishingLog, tenant)) == before


def test_a_description_too_short_for_linkedin_is_refused_naming_the_platform_and_field(client, tenant, sessions):
    short = "A great job with a great team. " * 2  # 62 characters: enough for Naukri, not LinkedIn
    before = count(sessions, Job, tenant)
    answer = client.post(
        PUBLISH, json={"job": job_body(description=short), "platforms": ["both"]}, headers=tenant.headers
    )
    assert answer.status_code == 422
    [problem] = answer.json()["detail"]
    assert problem["loc"] == ["body", "job", "description"]
    assert "linkedin" in problem["msg"] and "100" in problem["msg"]
    assert count(sessions, Job, tenant) == before
    naukri_only = client.post(
        PUBLISH, json={"job": job_body(description=short), "platforms": ["naukri"]}, headers=tenant.headers
    )
    assert naukri_only.status_code == 202


def test_a_platform_the_organization_has_not_connected_is_refused_up_front(client, make_tenant):
    naukri_only = make_tenant(platforms=("naukri",))
    answer = client.post(PUBLISH, json={"job": job_body(), "platforms": ["linkedin"]}, headers=naukri_only.headers)
    assert answer.status_code == 422
    assert "linkedin is not connected" in answer.json()["detail"][0]["msg"]


def test_a_body_over_the_size_limit_is_refused_with_413(client, tenant, settings):
    huge = job_body(description="x" * (settings.max_body_bytes + 10))
    answer = client.post(PUBLISH, json={"job": huge, "platforms": ["naukri"]}, headers=tenant.headers)
    assert answer.status_code == 413
    assert "limit" in answer.json()["detail"]


def test_the_same_idempotency_key_and_body_give_the_first_answer_and_one_job(client, tenant, sessions):
    headers = {**tenant.headers, "Idempotency-Key": "order-1"}
    body = {"job": job_body(), "platforms": ["naukri"]}
    first = client.post(PUBLISH, json=body, headers=headers)
    again = client.post(PUBLISH, json=body, headers=headers)
    assert first.status_code == again.status_code == 202
    assert first.json() == again.json()
    with sessions() as session:
        jobs = session.scalar(select(func.count()).select_from(Job).where(Job.organization_id == tenant.id))
    assert jobs == 1


def test_the_same_idempotency_key_with_another_body_is_a_422(client, tenant):
    headers = {**tenant.headers, "Idempotency-Key": "order-2"}
    assert client.post(PUBLISH, json={"job": job_body(), "platforms": ["naukri"]}, headers=headers).status_code == 202
    other = client.post(PUBLISH, json={"job": job_body(title="Other"), "platforms": ["naukri"]}, headers=headers)
    assert other.status_code == 422
    [problem] = other.json()["detail"]
    assert problem["loc"] == ["header", "Idempotency-Key"]
    assert "different request" in problem["msg"]


def test_an_idempotency_key_still_in_flight_is_a_409(client, tenant, sessions, settings):
    from services.api.idempotency import IdempotencyGuard, fingerprint

    body = {"job": job_body(), "platforms": ["naukri"]}
    # A first request that has claimed the key and not yet answered:
    in_flight = IdempotencyGuard(sessions, tenant.id, "order-3", fingerprint(PUBLISH, body))
    assert in_flight.begin(settings.idempotency_in_flight_seconds) is None
    answer = client.post(PUBLISH, json=body, headers={**tenant.headers, "Idempotency-Key": "order-3"})
    assert answer.status_code == 409


def test_idempotency_keys_are_scoped_to_the_organization(client, make_tenant, sessions):
    first, second = make_tenant(), make_tenant()
    body = {"job": job_body(), "platforms": ["naukri"]}
    a = client.post(PUBLISH, json=body, headers={**first.headers, "Idempotency-Key": "shared-key"})
    b = client.post(PUBLISH, json=body, headers={**second.headers, "Idempotency-Key": "shared-key"})
    assert a.status_code == b.status_code == 202
    assert a.json()["job_id"] != b.json()["job_id"]


def test_a_request_refused_for_bad_input_releases_its_idempotency_key(client, make_tenant, sessions):
    naukri_only = make_tenant(platforms=("naukri",))
    headers = {**naukri_only.headers, "Idempotency-Key": "fix-and-retry"}
    assert client.post(PUBLISH, json={"job": job_body(), "platforms": ["linkedin"]}, headers=headers).status_code == 422
    with sessions() as session:
        assert session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == "fix-and-retry")) is None


def test_the_api_publishes_its_openapi_description(client):
    spec = client.get("/openapi.json").json()
    assert "/jobs/publishing/publish/" in spec["paths"]
    assert client.get("/docs").status_code == 200


def test_one_organizations_flood_gets_429s_while_another_is_served(settings, engine, make_tenant):
    from fastapi.testclient import TestClient

    from services.api.app import create_app

    flooder, neighbour = make_tenant(), make_tenant()
    with TestClient(create_app(settings.model_copy(update={"rate_limit": "10/minute"}), engine)) as limited:
        answers = [limited.get("/jobs/publishing/platforms/", headers=flooder.headers) for _ in range(15)]
        assert [a.status_code for a in answers] == [200] * 10 + [429] * 5
        assert 1 <= int(answers[-1].headers["Retry-After"]) <= 60
        assert "rate limit" in answers[-1].json()["detail"]
        assert limited.get("/jobs/publishing/platforms/", headers=neighbour.headers).status_code == 200
