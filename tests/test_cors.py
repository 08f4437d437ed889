"""A frontend on its own origin calling the API from the browser (JOBPUB_CORS_ORIGINS)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from services.api.app import create_app

FRONTEND = "http://127.0.0.1:3000"


@pytest.fixture(scope="module")
def cors_client(settings, engine):
    with TestClient(create_app(settings.model_copy(update={"cors_origins": FRONTEND}), engine)) as client:
        yield client


def _preflight(client, origin: str):
    return client.options(
        "/jobs/publishing/1/status/",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "x-api-key",
        },
    )


def test_a_named_origin_may_send_the_key_and_read_the_answer(cors_client, tenant):
    preflight = _preflight(cors_client, FRONTEND)
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == FRONTEND
    assert "x-api-key" in preflight.headers["access-control-allow-headers"].lower()

    answer = cors_client.get("/jobs/publishing/me/", headers={**tenant.headers, "Origin": FRONTEND})
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == FRONTEND
    assert "retry-after" in answer.headers["access-control-expose-headers"].lower()


def test_another_origin_is_not_allowed(cors_client, tenant):
    assert "access-control-allow-origin" not in _preflight(cors_client, "http://127.0.0.2:3000").headers
    answer = cors_client.get("/jobs/publishing/me/", headers={**tenant.headers, "Origin": "http://127.0.0.2:3000"})
    assert "access-control-allow-origin" not in answer.headers


def test_without_the_setting_no_origin_is_allowed(client):
    assert "access-control-allow-origin" not in _preflight(client, FRONTEND).headers


@pytest.mark.parametrize("value", ["*", "http://127.0.0.1:3000/app", "127.0.0.1:3000"])
def test_a_wildcard_or_a_path_is_refused_by_name(settings, value):
    with pytest.raises(ValidationError, match="is not an origin"):
        settings.model_validate({**settings.model_dump(), "cors_origins": value})
