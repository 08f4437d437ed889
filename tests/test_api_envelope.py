"""What a client learns without probing: who its key is (`/me/`), and one envelope for every list."""

from __future__ import annotations

from shared.models import KeyScope
from tests.support import publish, settled_status

ME = "/jobs/publishing/me/"


def test_who_am_i_names_the_organization_and_the_keys_scope_but_never_its_secret(client, make_tenant):
    recruiter, operator = make_tenant(), make_tenant(scope=KeyScope.OPERATOR)

    for tenant, scope in ((recruiter, "recruiter"), (operator, "operator")):
        answer = client.get(ME, headers=tenant.headers)

        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["organization"] == {"id": tenant.id, "name": tenant.name}
        assert body["key"]["scope"] == scope and tenant.api_key.startswith(f"jp_{body['key']['key_id']}_")
        assert set(body["key"]) == {"key_id", "scope", "label"}
        assert tenant.api_key not in answer.text and tenant.api_key.split("_", 2)[2] not in answer.text
    assert client.get(ME).status_code == 401


def test_every_list_answers_items_and_a_next_cursor(client, make_tenant, pipeline):
    tenant = make_tenant(scope=KeyScope.OPERATOR)
    job_id = publish(client, tenant, platforms=["naukri"])
    settled_status(client, tenant, job_id)
    endpoint = client.post(
        "/jobs/publishing/notifications/", json={"url": "http://127.0.0.1:9/hook"}, headers=tenant.headers
    ).json()
    lists = {
        ("GET", "/jobs/publishing/jobs/"): {"limit": 1},
        ("GET", "/jobs/publishing/applications/"): {},
        ("GET", f"/jobs/publishing/{job_id}/events/"): {"limit": 1},
        ("GET", "/jobs/publishing/failures/"): {},
        ("GET", "/jobs/publishing/platforms/"): {},
        ("GET", "/jobs/publishing/notifications/"): {},
        ("GET", f"/jobs/publishing/notifications/{endpoint['id']}/deliveries/"): {},
        ("POST", "/jobs/publishing/sync-applications/"): None,
    }

    for (method, path), params in lists.items():
        answer = client.request(method, path, params=params, headers=tenant.headers)

        assert answer.status_code in (200, 202), (path, answer.text)
        body = answer.json()
        assert isinstance(body["items"], list) and "next_cursor" in body, (path, body)
        assert set(body) - {"items", "next_cursor"} == ({"connected"} if path.endswith("/platforms/") else set())
    events = client.get(f"/jobs/publishing/{job_id}/events/", params={"limit": 1}, headers=tenant.headers).json()
    assert events["next_cursor"] is not None
    notifications = client.get("/jobs/publishing/notifications/", headers=tenant.headers).json()
    assert [e["id"] for e in notifications["items"]] == [endpoint["id"]] and notifications["next_cursor"] is None
