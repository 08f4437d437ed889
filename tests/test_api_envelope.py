"""What a client learns without probing: who its key is (`/me/`), one envelope for every list, one
shape for every error, and every answer a route can give in the OpenAPI document."""

from __future__ import annotations

from services.api.app import create_app
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


ERROR_SHAPES = {"ErrorOut", "ConflictOut", "ValidationErrorOut"}


def test_every_error_the_document_lists_has_the_one_error_shape(settings):
    document = create_app(settings).openapi()

    shapes = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, answer in operation["responses"].items():
                if int(status) >= 400 and path != "/readyz":  # a probe's 503 says which dependency is down
                    schema = answer["content"]["application/json"]["schema"]
                    shapes[(method, path, status)] = schema.get("$ref", "").rsplit("/", 1)[-1] or schema["title"]

    assert shapes and set(shapes.values()) <= ERROR_SHAPES, {k: v for k, v in shapes.items() if v not in ERROR_SHAPES}
    assert "HTTPValidationError" not in document["components"]["schemas"]
    retry_after = document["paths"]["/jobs/publishing/me/"]["get"]["responses"]["429"]["headers"]["Retry-After"]
    assert retry_after["required"] and retry_after["schema"]["type"] == "integer"


def test_a_method_a_path_does_not_take_is_a_405_naming_every_method_it_does(client, tenant):
    for method, path, allowed in (
        ("POST", "/jobs/publishing/platforms/linkedin/", {"GET", "PUT", "PATCH", "DELETE"}),
        ("DELETE", "/jobs/publishing/privacy/retention/", {"GET", "PUT"}),
        ("PATCH", "/jobs/publishing/me/", {"GET"}),  # not the job edit's PATCH /{job_id}/: "me" is no job id
        ("PUT", "/jobs/publishing/platforms/fields/", {"GET"}),  # nor the connection's PUT: "fields" is no platform
    ):
        answer = client.request(method, path, headers=tenant.headers)

        assert answer.status_code == 405, (method, path, answer.text)
        assert set(answer.headers["allow"].split(", ")) - {"HEAD"} == allowed, (path, answer.headers["allow"])
        assert answer.json() == {"detail": "Method Not Allowed"}


def test_an_error_answers_the_one_shape_whatever_its_cause(client, tenant, make_tenant):
    recruiter = make_tenant()
    answers = {
        401: client.get(ME),
        403: client.get("/jobs/publishing/failures/", headers=recruiter.headers),
        404: client.get("/jobs/publishing/123456789/status/", headers=tenant.headers),
        413: client.post("/jobs/publishing/publish/", content=b"x" * 3_000_000, headers=tenant.headers),
        422: client.post("/jobs/publishing/publish/", json={"platforms": []}, headers=tenant.headers),
    }

    for status, answer in answers.items():
        assert answer.status_code == status, answer.text
        detail = answer.json()["detail"]
        if status == 422:
            assert detail and all(set(problem) == {"loc", "msg", "type"} for problem in detail)
        else:
            assert isinstance(detail, str) and set(answer.json()) == {"detail"}
