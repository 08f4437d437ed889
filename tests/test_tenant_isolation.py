"""Tenant B's key on tenant A's things, for every route the API publishes in its OpenAPI spec.

The routes come from the spec, so a route added without a case here fails this test: nobody can
add an endpoint without saying how it keeps tenants apart.
"""

from __future__ import annotations

from sqlalchemy import func, select

from shared.models import Application, KeyScope, NotificationEndpoint, PlatformConnection, PublishingLog
from tests.conftest import postings_of
from tests.support import publish, settled_status, wait_until

# Routes that take no API key: the caller is identified otherwise (or not at all).
UNAUTHENTICATED = {
    ("GET", "/livez"),
    ("GET", "/readyz"),
    ("POST", "/jobs/publishing/webhooks/linkedin/applications/"),  # X-LI-Signature, tested in test_applications_intake
    ("GET", "/jobs/publishing/webhooks/linkedin/applications/"),  # LinkedIn's challenge, by client id
    ("POST", "/jobs/publishing/webhooks/indeed/applications/"),  # X-Indeed-Signature, tested in test_indeed
    ("GET", "/feeds/{token}/indeed.xml"),  # the feed's own token, tested in tests/feed/test_job_feed.py
    ("GET", "/feeds/{token}/jobs/{reference}/"),  # likewise
}


def cross_tenant_calls(
    job_id: int, sync_id: int, failed_posting_id: int, application_id: int, email: str, status_update_id: int
) -> dict[tuple[str, str], tuple[dict, set[int]]]:
    """For each route: the request tenant B makes against tenant A's things, and the statuses allowed.

    404 where the request names A's object; where it names none, B acts on its own (empty)
    namespace, and what it gets back is checked separately for A's data.
    """
    return {
        ("POST", "/jobs/publishing/publish/"): ({"json": {"job_id": job_id, "platforms": ["both"]}}, {404}),
        ("GET", "/jobs/publishing/jobs/"): ({}, {200}),  # B's own (empty) list: checked for A's items below
        ("GET", "/jobs/publishing/{job_id}/status/"): ({}, {404}),
        ("GET", "/jobs/publishing/{job_id}/events/"): ({}, {404}),
        ("POST", "/jobs/publishing/{job_id}/retry/"): ({"json": {"platforms": ["naukri"]}}, {404}),
        ("PATCH", "/jobs/publishing/{job_id}/"): ({"json": {"title": "Renamed by a stranger"}}, {404}),
        ("POST", "/jobs/publishing/{job_id}/close/"): ({}, {404}),
        ("POST", "/jobs/publishing/{job_id}/renew/"): ({"json": {"platforms": ["linkedin"]}}, {404}),
        ("POST", "/jobs/publishing/{job_id}/repost/"): ({}, {404}),
        ("GET", "/jobs/publishing/me/"): ({}, {200}),  # B's own organization and key: never A's name
        ("GET", "/jobs/publishing/applications/"): ({"params": {"job_id": job_id}}, {200}),
        ("GET", "/jobs/publishing/applications/{application_id}/"): ({}, {404}),
        ("POST", "/jobs/publishing/applications/{application_id}/status/"): ({"json": {"status": "hired"}}, {404}),
        ("POST", "/jobs/publishing/sync-applications/"): ({"json": {"job_id": job_id}}, {404}),
        ("GET", "/jobs/publishing/sync-applications/{sync_id}/"): ({}, {404}),
        ("GET", "/jobs/publishing/platforms/"): ({}, {200}),
        ("GET", "/jobs/publishing/platforms/fields/"): ({}, {200}),
        ("GET", "/jobs/publishing/platforms/{platform}/"): ({}, {404}),
        ("PATCH", "/jobs/publishing/platforms/{platform}/"): ({"json": {"enabled": False}}, {404}),
        ("DELETE", "/jobs/publishing/platforms/{platform}/"): ({}, {404}),
        ("POST", "/jobs/publishing/platforms/{platform}/test-connection/"): ({}, {404}),
        ("GET", "/jobs/publishing/notifications/"): ({}, {200}),
        ("GET", "/jobs/publishing/notifications/{endpoint_id}/deliveries/"): ({}, {404}),
        ("DELETE", "/jobs/publishing/notifications/{endpoint_id}/"): ({}, {404}),
        ("POST", "/jobs/publishing/notifications/"): ({"json": {"url": "http://127.0.0.1:9/b-own-hook"}}, {201}),
        # B's key is an operator key: it sees and replays only B's failures, and A's posting is unknown to it.
        ("GET", "/jobs/publishing/failures/"): ({}, {200}),
        ("POST", "/jobs/publishing/failures/replay/"): ({"json": {"posting_ids": [failed_posting_id]}}, {422}),
        ("GET", "/jobs/publishing/failures/status-updates/"): ({}, {200}),
        ("POST", "/jobs/publishing/failures/status-updates/replay/"): (
            {"json": {"status_update_ids": [status_update_id]}},
            {422},
        ),
        # B's rules are B's own; B naming A's candidate finds nobody, and A's application id is unknown to it.
        ("GET", "/jobs/publishing/privacy/retention/"): ({}, {200}),
        ("PUT", "/jobs/publishing/privacy/retention/"): ({"json": {"keep_days": 0}}, {200}),
        ("POST", "/jobs/publishing/privacy/erasures/"): (
            {"json": {"email": email, "application_ids": [application_id], "reason": "stranger"}},
            {422},
        ),
        ("GET", "/jobs/publishing/privacy/candidates/"): ({"params": {"email": email}}, {200}),
        # B's source-tracking setting is B's own; A's stays the default (checked below).
        ("GET", "/jobs/publishing/settings/source-tracking/"): ({}, {200}),
        ("PUT", "/jobs/publishing/settings/source-tracking/"): ({"json": {"enabled": False}}, {200}),
        # B's new feed address is B's own feed's; A's connections stay as they were (checked below).
        ("POST", "/jobs/publishing/platforms/feed/new-address/"): ({}, {201}),
        # B configuring a platform makes B's own connection; A's must stay as it was (checked below).
        ("PUT", "/jobs/publishing/platforms/{platform}/"): (
            {"json": {"client_id": "b-app", "client_secret": "b-secret", "organization_urn": "urn:li:organization:2"}},
            {201},
        ),
    }


def snapshot(sessions, client, tenant, job_id: int) -> tuple:
    """What tenant A would notice changing."""
    with sessions() as session:
        connections = session.execute(
            select(
                PlatformConnection.platform,
                PlatformConnection.client_id,
                PlatformConnection.enabled,
                PlatformConnection.client_secret_encrypted,
            )
            .where(PlatformConnection.organization_id == tenant.id)
            .order_by(PlatformConnection.platform)
        ).all()
        log = session.scalar(
            select(func.count()).select_from(PublishingLog).where(PublishingLog.organization_id == tenant.id)
        )
        applications = session.scalar(
            select(func.count())
            .select_from(Application)
            .where(Application.organization_id == tenant.id, Application.erased_at.is_(None))
        )
        endpoints = session.execute(
            select(NotificationEndpoint.id, NotificationEndpoint.url, NotificationEndpoint.enabled).where(
                NotificationEndpoint.organization_id == tenant.id
            )
        ).all()
    status = client.get(f"/jobs/publishing/{job_id}/status/", headers=tenant.headers).json()
    tracking = client.get("/jobs/publishing/settings/source-tracking/", headers=tenant.headers).json()
    return tuple(connections), log, applications, tuple(endpoints), status, tracking


def test_another_organizations_key_gets_404_on_every_route_and_changes_nothing(
    client, make_tenant, pipeline, emulators, sessions
):
    owner, stranger = make_tenant(), make_tenant(platforms=(), scope=KeyScope.OPERATOR)
    emulators.linkedin.set_faults({"server_error": {"times": 10_000, "status": 503}})
    failed_job_id = publish(client, owner, platforms=["linkedin"])
    assert settled_status(client, owner, failed_job_id)["platforms"]["linkedin"]["status"] == "failed"
    emulators.linkedin.clear_faults()
    failed_posting_id = postings_of(sessions, failed_job_id)["linkedin"].id
    job_id = publish(client, owner, platforms=["naukri"])
    settled_status(client, owner, job_id)
    emulators.naukri.apply(
        client.get(f"/jobs/publishing/{job_id}/status/", headers=owner.headers).json()["platforms"]["naukri"][
            "external_id"
        ],
        count=2,
        client_id=owner.clients["naukri"][0],
    )
    [sync] = client.post(
        "/jobs/publishing/sync-applications/", json={"platform": "naukri"}, headers=owner.headers
    ).json()["items"]
    wait_until(
        lambda: (
            client.get(f"/jobs/publishing/sync-applications/{sync['id']}/", headers=owner.headers).json()["status"]
            == "succeeded"
        ),
        what="the owner's sync",
    )
    endpoint = client.post(
        "/jobs/publishing/notifications/", json={"url": "http://127.0.0.1:9/owner-hook"}, headers=owner.headers
    ).json()
    with sessions() as session:
        application = session.scalars(select(Application).where(Application.organization_id == owner.id)).first()
    assert application is not None and application.candidate_email
    status_update = client.post(
        f"/jobs/publishing/applications/{application.id}/status/", json={"status": "viewed"}, headers=owner.headers
    ).json()
    before = snapshot(sessions, client, owner, job_id)

    spec_routes = {
        (method.upper(), path)
        for path, operations in client.get("/openapi.json").json()["paths"].items()
        for method in operations
    }
    calls = cross_tenant_calls(
        job_id, sync["id"], failed_posting_id, application.id, application.candidate_email, status_update["id"]
    )
    assert spec_routes - UNAUTHENTICATED == set(calls), "a route has no cross-tenant case here"

    for (method, path), (request, allowed) in calls.items():
        url = path.format(
            job_id=job_id,
            sync_id=sync["id"],
            platform="naukri",
            endpoint_id=endpoint["id"],
            application_id=application.id,
        )
        answer = client.request(method, url, headers=stranger.headers, **request)
        assert answer.status_code in allowed, (method, path, answer.status_code, answer.text)
        assert "Backend Engineer" not in answer.text and owner.name not in answer.text, (method, path)
        if answer.status_code == 200 and "items" in answer.json() and method != "PUT":  # a PUT answers B's own rule
            assert answer.json()["items"] == [], (method, path)
        if path == "/jobs/publishing/privacy/candidates/":
            assert answer.json() == {"applications": [], "notification_deliveries": []}
        if path == "/jobs/publishing/platforms/" and method == "GET":
            assert owner.clients["naukri"][0] not in answer.text
        assert "owner-hook" not in answer.text, (method, path)
        assert application.candidate_email not in answer.text and application.candidate_name not in answer.text
    # B's rule to keep nothing and its erasure by A's candidate's e-mail leave A's applications whole
    from services.syncer.retention import apply_retention

    apply_retention(sessions)
    assert (
        client.post(
            "/jobs/publishing/privacy/erasures/",
            json={"email": application.candidate_email, "reason": "stranger"},
            headers=stranger.headers,
        ).json()["matched"]
        == 0
    )

    assert snapshot(sessions, client, owner, job_id) == before
    assert postings_of(sessions, failed_job_id)["linkedin"].status == "failed"  # B's replay did not touch it
