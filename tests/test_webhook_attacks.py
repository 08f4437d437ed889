"""Attacks on LinkedIn's application webhook and on the body-size limit, through the real API.

The challenge must not sign what an attacker asks for (it would sign a forged push), and no
malformed delivery may reach a 500: a bad signature header is a 401, a body that is not JSON a
400, a signed push that is not an application a 422 naming the field, an oversized body a 413
however it is sent. The TestClient re-raises any exception the app lets escape, so each answer
checked here also proves that nothing crashed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid

import httpx
from fastapi.testclient import TestClient

from services.api.app import create_app
from tests.support import job_body
from tests.test_applications_intake import WEBHOOK, linkedin_payload, signed
from tests.test_applications_sync import applications_of, published_on

PUBLISH = "/jobs/publishing/publish/"
SMALL_LIMIT = 2048


def compact(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def test_a_challenge_answer_cannot_sign_a_forged_application(client, tenant, pipeline, sessions):
    # Given a real posting of the tenant and a forged application for it, small enough to be a challenge code
    job_id, external_id = published_on(client, tenant, sessions, "linkedin")
    forged = compact(
        {
            "jobApplicationId": "urn:li:jobApplication:66601",
            "externalJobId": external_id,
            "appliedAt": 1_764_000_000_000,
            "candidate": {"firstName": "Mallory"},
        }
    )
    assert len(forged) <= 200
    # When the attacker asks the challenge to sign it and pushes it with that answer as signature
    challenge = client.get(
        WEBHOOK, params={"challengeCode": forged.decode(), "clientId": tenant.clients["linkedin"][0]}
    )
    answered = challenge.json().get("challengeResponse", "") if challenge.status_code == 200 else ""
    push = client.post(WEBHOOK, content=forged, headers={"X-LI-Signature": "hmacsha256=" + answered})
    # Then the push is refused and nothing is stored, because the challenge only answers UUIDs
    assert push.status_code == 401, push.text
    assert applications_of(sessions, job_id) == []
    assert challenge.status_code == 422
    [problem] = challenge.json()["detail"]
    assert problem["loc"] == ["query", "challengeCode"] and "must be a UUID" in problem["msg"]


def test_a_challenge_code_that_is_not_a_canonical_uuid_is_refused(client, tenant):
    code = str(uuid.uuid4())
    client_id = tenant.clients["linkedin"][0]
    not_canonical_forms = (
        code.replace("-", ""),
        "{" + code + "}",
        "urn:uuid:" + code,
        code + "\n",
        code + "0",
        "c",
        "",
        "x" * 300,
    )
    for not_canonical in not_canonical_forms:
        answer = client.get(WEBHOOK, params={"challengeCode": not_canonical, "clientId": client_id})
        assert answer.status_code == 422, not_canonical
        assert "must be a UUID" in answer.json()["detail"][0]["msg"]


def test_linkedins_uuid_challenge_is_still_answered_and_the_emulator_sends_one(
    client, tenant, pipeline, emulators, live_api
):
    client_id, secret = tenant.clients["linkedin"]
    for code in (str(uuid.uuid4()), str(uuid.uuid4()).upper()):
        answer = client.get(WEBHOOK, params={"challengeCode": code, "clientId": client_id})
        assert answer.status_code == 200, answer.text
        expected = hmac.new(secret.encode(), code.encode(), hashlib.sha256).hexdigest()
        assert answer.json() == {"challengeCode": code, "challengeResponse": expected}

    validation = emulators.linkedin.validate_webhook(live_api.url + WEBHOOK, client_id)
    sent = validation.request.url.params["challengeCode"]
    assert str(uuid.UUID(sent)) == sent  # canonical form, as LinkedIn sends
    assert validation.status_code == 200, validation.text
    assert validation.json()["challengeResponse"] == emulators.linkedin.expected_challenge_response(sent, client_id)


def test_a_signature_header_with_non_ascii_bytes_is_a_401_not_a_crash(client, tenant, pipeline, sessions):
    job_id, external_id = published_on(client, tenant, sessions, "linkedin")
    body = json.dumps(linkedin_payload(external_id, number=66602)).encode()
    for raw in ("hmacsha256=é" + "0" * 63, "hmacsha256=" + "é" * 64, "hmacsha256=\u00ff"):
        for encoding in ("latin-1", "utf-8"):
            answer = client.post(WEBHOOK, content=body, headers={"X-LI-Signature": raw.encode(encoding)})
            assert answer.status_code == 401, (raw, encoding)
            assert "X-LI-Signature does not verify" in answer.json()["detail"]
    assert applications_of(sessions, job_id) == []


def test_a_body_nested_too_deeply_is_a_400_saying_so(client):
    answer = client.post(WEBHOOK, content=b"[" * 200_000)
    assert answer.status_code == 400
    assert "not JSON" in answer.json()["detail"] and "nested" in answer.json()["detail"]


def test_a_signed_push_nested_deeper_than_any_application_is_a_400(client, tenant, pipeline, sessions):
    job_id, external_id = published_on(client, tenant, sessions, "linkedin")
    for depth in (100, 900):
        payload = linkedin_payload(external_id, number=66603)
        payload["questionAnswers"] = json.loads("[" * depth + "]" * depth)
        body = json.dumps(payload).encode()
        answer = client.post(WEBHOOK, content=body, headers=signed(body, tenant.clients["linkedin"][1]))
        assert answer.status_code == 400, depth
        assert "nested deeper than" in answer.json()["detail"]
    assert applications_of(sessions, job_id) == []


def test_a_signed_push_holding_json_postgresql_cannot_store_is_a_400(client, tenant, pipeline, sessions):
    # Python's parser accepts these; PostgreSQL's JSONB refuses them (a 500 when the row was written).
    job_id, external_id = published_on(client, tenant, sessions, "linkedin")
    unstorable = {
        b'"\\ud800"': "lone surrogate",
        b'{"\\udfff": 1}': "lone surrogate",
        b"1e400": "beyond the range",
        b"NaN": "not a JSON number",
        b"-Infinity": "not a JSON number",
    }
    for number, (value, problem) in enumerate(unstorable.items(), start=66680):
        body = compact(linkedin_payload(external_id, number=number))[:-1] + b',"coverLetter":' + value + b"}"
        answer = client.post(WEBHOOK, content=body, headers=signed(body, tenant.clients["linkedin"][1]))
        assert answer.status_code == 400, (value, answer.text)
        assert problem in answer.json()["detail"]
    assert applications_of(sessions, job_id) == []


# Each: (field path, value put there). Every one is signed correctly and is still no application.
MALFORMED_FIELDS = [
    (("appliedAt",), 1e20),
    (("appliedAt",), -1e20),
    (("appliedAt",), 10**30),
    (("appliedAt",), -1),
    (("appliedAt",), 1e308),
    (("appliedAt",), "soon"),
    (("appliedAt",), "9" * 5000),
    (("appliedAt",), True),
    (("appliedAt",), None),
    (("appliedAt",), [1]),
    (("jobApplicationId",), {"id": 1}),
    (("jobApplicationId",), None),
    (("jobApplicationId",), ""),
    (("jobApplicationId",), "urn:li:jobApplication:" + "9" * 300),
    (("candidate",), ["Mallory"]),
    (("candidate", "firstName"), 7),
    (("candidate", "email"), {"to": "x"}),
    (("candidate", "email"), "m" * 400 + "@candidates.example"),
    (("candidate", "phoneNumber"), "9" * 100),
    (("resume",), "https://media.example/resume.pdf"),
    (("resume", "mediaUrl"), 12),
    (("resume", "mediaUrl"), "https://media.example/" + "r" * 3000),
    (("coverLetter",), 42),
    (("questionAnswers",), "yes"),
    # The documented shape (answers under questionResponses) is checked as closely.
    (("questionResponses",), "yes"),
    (("questionResponses", "contactInformationQuestionResponses", "emailAnswer", "value"), 7),
    (("questionResponses", "contactInformationQuestionResponses", "firstNameAnswer"), "Mallory"),
    (("questionResponses", "resumeQuestionResponses", "resumeQuestionAnswer", "mediaUrl"), "r" * 3000),
    (("questionResponses", "additionalQuestionResponses", "customQuestionSetResponses"), {"q": 1}),
]


def with_field(payload: dict, path: tuple, value) -> dict:
    target = payload
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = value
    return payload


def test_a_signed_push_that_is_no_application_is_a_422_naming_the_field(client, tenant, pipeline, sessions):
    job_id, external_id = published_on(client, tenant, sessions, "linkedin")
    secret = tenant.clients["linkedin"][1]
    for number, (path, value) in enumerate(MALFORMED_FIELDS, start=66610):
        body = json.dumps(with_field(linkedin_payload(external_id, number=number), path, value)).encode()
        answer = client.post(WEBHOOK, content=body, headers=signed(body, secret))
        assert answer.status_code == 422, (path, str(value)[:40], answer.text)
        [problem] = answer.json()["detail"]
        assert problem["loc"] == ["body", *path], (path, problem)
        assert problem["msg"]
    assert applications_of(sessions, job_id) == []


def test_a_streamed_body_over_the_limit_is_a_413_on_json_and_raw_body_routes(settings, engine, tenant):
    def streamed(size: int):
        for _ in range(size // 512):
            yield b"x" * 512

    with TestClient(create_app(settings.model_copy(update={"max_body_bytes": SMALL_LIMIT}), engine)) as limited:
        for path, headers in ((PUBLISH, {**tenant.headers, "Content-Type": "application/json"}), (WEBHOOK, {})):
            answer = limited.post(path, content=streamed(4 * SMALL_LIMIT), headers=headers)
            assert "content-length" not in {k.lower() for k in answer.request.headers}
            assert answer.status_code == 413, (path, answer.text)
            assert answer.json()["detail"] == f"request body is larger than the limit of {SMALL_LIMIT} bytes"


def test_a_streamed_body_under_the_limit_is_served(settings, engine, tenant):
    body = json.dumps({"job": job_body(), "platforms": ["naukri"]}).encode()

    def streamed():
        for start in range(0, len(body), 256):
            yield body[start : start + 256]

    with TestClient(create_app(settings.model_copy(update={"max_body_bytes": SMALL_LIMIT}), engine)) as limited:
        answer = limited.post(
            PUBLISH, content=streamed(), headers={**tenant.headers, "Content-Type": "application/json"}
        )
        assert answer.status_code == 202, answer.text


def test_a_chunked_body_over_the_limit_is_a_413_from_the_live_server(settings, live_api, tenant):
    def chunks():
        for _ in range(settings.max_body_bytes // 65_536 + 2):
            yield b" " * 65_536

    with httpx.Client(base_url=live_api.url, trust_env=False, timeout=10) as http:
        for path, headers in ((PUBLISH, {**tenant.headers, "Content-Type": "application/json"}), (WEBHOOK, {})):
            answer = http.post(path, content=chunks(), headers=headers)
            assert answer.request.headers.get("transfer-encoding") == "chunked"
            assert answer.status_code == 413, (path, answer.text)
            assert (
                answer.json()["detail"] == f"request body is larger than the limit of {settings.max_body_bytes} bytes"
            )


def test_a_tenant_naming_another_tenants_linkedin_client_id_cannot_take_over_its_url_validation(
    client, make_tenant, pipeline
):
    owner, squatter = make_tenant(platforms=("linkedin",)), make_tenant(platforms=())
    client_id, secret = owner.clients["linkedin"]
    taken = {"client_id": client_id, "client_secret": "the-squatters-own", "organization_urn": "urn:li:organization:9"}
    assert client.put("/jobs/publishing/platforms/linkedin/", json=taken, headers=squatter.headers).status_code == 201
    # The owner changes its connection afterwards (PostgreSQL then keeps its row after the squatter's).
    changed = client.patch(
        "/jobs/publishing/platforms/linkedin/", json={"publish_max_attempts": 7}, headers=owner.headers
    )
    assert changed.status_code == 200, changed.text

    code = str(uuid.uuid4())
    answer = client.get(WEBHOOK, params={"challengeCode": code, "clientId": client_id})
    assert answer.status_code == 200, answer.text
    assert answer.json()["challengeResponse"] == hmac.new(secret.encode(), code.encode(), hashlib.sha256).hexdigest()
