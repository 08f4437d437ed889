"""Each board's own fields: declared by its adapter, refused at request time when a board would
refuse them, sent in the board's own terms and checked by its emulator."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from shared.models import Job, Posting, PublishingLog
from shared.platforms import build_http_client, build_platforms
from shared.platforms.base import PermanentPlatformError, PlatformCredentials
from tests.conftest import held_on
from tests.contract.platforms import posting_content
from tests.support import NAUKRI_FIELDS, job_body, publish, settled_status

PUBLISH = "/jobs/publishing/publish/"
FIELDS = "/jobs/publishing/platforms/fields/"
LINKEDIN_FIELDS = {
    "categories": ["eng", "it"],
    "industries": ["urn:li:industry:4", "urn:li:industry:96"],
    "experience_level": "MID_SENIOR_LEVEL",
    "company_job_code": "REQ-2041",
}


def rows_of(sessions, tenant) -> tuple[int, int, int]:
    """The tenant's jobs, postings and log rows: a refused request adds none."""
    with sessions() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model).where(model.organization_id == tenant.id))
            for model in (Job, Posting, PublishingLog)
        )


def test_a_linkedin_publish_carries_categories_industries_and_experience_level_in_linkedin_s_terms(
    client, tenant, pipeline, emulators, sessions
):
    job_id = publish(client, tenant, platforms=["linkedin"], board_fields={"linkedin": LINKEDIN_FIELDS})

    assert settled_status(client, tenant, job_id)["platforms"]["linkedin"]["status"] == "published"
    [held] = held_on(emulators, sessions, job_id, "linkedin")
    assert held["categories"] == ["eng", "it"]
    assert held["industries"] == ["urn:li:industry:4", "urn:li:industry:96"]
    assert held["experienceLevel"] == "MID_SENIOR_LEVEL"
    assert held["companyJobCode"] == "REQ-2041"


@pytest.fixture(scope="module")
def adapters(settings):
    """The adapters as the registry builds them, without our Redis quota (no broker: no quota)."""
    direct = settings.model_copy(update={"broker_url": None})
    http = build_http_client(direct)
    yield build_platforms(direct, http)
    http.close()


def test_the_linkedin_emulator_refuses_an_unknown_category_industry_or_experience_level_per_element(
    emulators, adapters
):
    client_id, secret = f"fields-{secrets.token_hex(4)}", secrets.token_urlsafe(16)
    emulators.linkedin.register_client(client_id, secret)
    credentials = PlatformCredentials(client_id, secret, organization_urn="urn:li:organization:4242")
    adapter = adapters["linkedin"]
    wrong = {"categories": ["eng", "wizardry"], "industries": ["urn:li:industry:4", "industry 4"],
             "experience_level": "GURU"}  # fmt: skip

    with pytest.raises(PermanentPlatformError) as refused:
        adapter.create_posting(posting_content(board_fields=wrong), credentials)
    message = str(refused.value)
    assert 'ERROR :: /categories/1 :: "wizardry" is not a known job function' in message
    assert "ERROR :: /industries/1 ::" in message and "urn:li:industry" in message
    assert 'ERROR :: /experienceLevel :: "GURU" is not an enum symbol' in message


def test_a_naukri_job_missing_a_required_field_is_refused_before_queuing_naming_the_platform_and_field(
    client, tenant, sessions
):
    # Given a Naukri job with its experience range and CTC in lakhs, but no industry
    naukri = {key: value for key, value in NAUKRI_FIELDS.items() if key != "industry"}
    assert naukri["experience_years"] and naukri["ctc_lakhs"]
    before = rows_of(sessions, tenant)

    answer = client.post(
        PUBLISH,
        json={"job": job_body(board_fields={"naukri": naukri}), "platforms": ["naukri"]},
        headers=tenant.headers,
    )

    assert answer.status_code == 422
    [problem] = answer.json()["detail"]
    assert problem["loc"] == ["body", "job", "board_fields", "naukri", "industry"]
    assert problem["msg"].startswith("Naukri: is required")
    assert rows_of(sessions, tenant) == before  # no job, no posting, nothing queued


def test_every_problem_a_board_would_refuse_is_named_at_once(client, tenant, sessions):
    before = rows_of(sessions, tenant)
    naukri = {**NAUKRI_FIELDS, "ctc_lakhs": {"min": 30, "max": 12}, "listing_type": "classified", "industry": "mining"}
    job = job_body(location="Remote", description="x" * 300, board_fields={"naukri": naukri})

    answer = client.post(PUBLISH, json={"job": job, "platforms": ["both"]}, headers=tenant.headers)

    assert answer.status_code == 422
    problems = {tuple(p["loc"]): p["msg"] for p in answer.json()["detail"]}
    assert "LinkedIn takes a location as" in problems[("body", "job", "location")]
    assert "Classified listing takes at most 254" in problems[("body", "job", "description")]
    assert "must not be more than max" in problems[("body", "job", "board_fields", "naukri", "ctc_lakhs", "min")]
    assert "not a code of naukri_industries v1" in problems[("body", "job", "board_fields", "naukri", "industry")]
    assert rows_of(sessions, tenant) == before


def test_a_ctc_not_disclosed_and_a_linkedin_only_job_without_naukri_fields_are_accepted(client, tenant):
    undisclosed = {**NAUKRI_FIELDS, "ctc_lakhs": "not_disclosed"}
    answer = client.post(
        PUBLISH, json={"job": job_body(board_fields={"naukri": undisclosed}), "platforms": ["naukri"]},
        headers=tenant.headers,
    )  # fmt: skip
    assert answer.status_code == 202, answer.text
    linkedin_only = client.post(
        PUBLISH, json={"job": job_body(board_fields={}), "platforms": ["linkedin"]}, headers=tenant.headers
    )
    assert linkedin_only.status_code == 202, linkedin_only.text


def test_naukri_receives_its_experience_range_and_ctc_in_lakhs(client, tenant, pipeline, emulators, sessions):
    job_id = publish(client, tenant, platforms=["naukri"])

    assert settled_status(client, tenant, job_id)["platforms"]["naukri"]["status"] == "published"
    [held] = held_on(emulators, sessions, job_id, "naukri")
    assert held["experienceYears"] == {"min": 2, "max": 5}
    assert held["ctcLakhs"] == {"min": 12, "max": 18}
    assert (held["industry"], held["functionalArea"], held["role"]) == (
        "software_product",
        "engineering_software",
        "Back End Developer",
    )
    assert held["listingType"] == "hot_vacancy"  # the declared default, sent when the job names none


def test_an_edit_that_breaks_a_board_s_rule_is_refused_and_changes_nothing(client, tenant, sessions):
    job_id = publish(client, tenant, platforms=["both"])
    edited = client.patch(
        f"/jobs/publishing/{job_id}/",
        json={"title": "Staff Engineer", "board_fields": {"naukri": {**NAUKRI_FIELDS, "role": None}}},
        headers=tenant.headers,
    )
    assert edited.status_code == 422
    assert [p["loc"] for p in edited.json()["detail"]] == [["body", "board_fields", "naukri", "role"]]
    with sessions() as session:
        job = session.get(Job, job_id)
        assert job.title == "Backend Engineer" and job.board_fields["naukri"]["role"] == "Back End Developer"

    fine = client.patch(
        f"/jobs/publishing/{job_id}/",
        json={"board_fields": {"linkedin": {"experience_level": "ASSOCIATE"}}},
        headers=tenant.headers,
    )
    assert fine.status_code in (200, 202), fine.text
    with sessions() as session:
        stored = session.get(Job, job_id).board_fields
    assert stored["linkedin"] == {"experience_level": "ASSOCIATE"} and stored["naukri"] == NAUKRI_FIELDS


def test_the_fields_endpoint_says_what_each_connected_platform_needs(client, tenant):
    answer = client.get(FIELDS, headers=tenant.headers)

    assert answer.status_code == 200, answer.text
    platforms = {item["platform"]: item for item in answer.json()["items"]}
    assert set(platforms) == {"linkedin", "naukri"}  # what this tenant has connected
    naukri = {field["name"]: field for field in platforms["naukri"]["fields"]}
    assert platforms["naukri"]["renews"] is True and platforms["naukri"]["min_description"] == 50
    assert naukri["ctc_lakhs"]["required"] and naukri["ctc_lakhs"]["may_be_not_disclosed"]
    assert naukri["industry"]["code_list"]["version"] == 1
    assert {"code": "software_product", "label": "Software Product"} in naukri["industry"]["choices"]
    categories = next(f for f in platforms["linkedin"]["fields"] if f["name"] == "categories")
    assert categories["code_list"]["name"] == "linkedin_job_functions" and len(categories["choices"]) == 35
    assert platforms["linkedin"]["min_description"] == 100


def test_a_naukri_refresh_of_a_closed_posting_is_refused(emulators, adapters):
    client_id, secret = f"fields-{secrets.token_hex(4)}", secrets.token_urlsafe(16)
    emulators.naukri.register_client(client_id, secret)
    credentials = PlatformCredentials(client_id, secret)
    adapter = adapters["naukri"]
    content = posting_content(expires_at=datetime.now(UTC) + timedelta(days=5))
    created = adapter.create_posting(content, credentials)
    assert created.platform_job_id
    adapter.close_posting(created.platform_job_id, content, credentials)
    with pytest.raises(PermanentPlatformError, match="closed"):
        adapter.renew_posting(created.platform_job_id, content, credentials)


def test_the_naukri_emulator_refuses_an_unknown_industry_and_a_long_classified_description(emulators, adapters):
    client_id, secret = f"fields-{secrets.token_hex(4)}", secrets.token_urlsafe(16)
    emulators.naukri.register_client(client_id, secret)
    naukri = {"industry": "mining", "listing_type": "classified", "ctc_lakhs": "not_disclosed"}
    content = posting_content(description="d" * 300, board_fields=naukri)

    with pytest.raises(PermanentPlatformError) as refused:
        adapters["naukri"].create_posting(content, PlatformCredentials(client_id, secret))

    assert "industry: is not a known code" in str(refused.value)
    assert "description: a Classified listing takes at most 254 characters" in str(refused.value)
    assert emulators.naukri.postings_for(content.external_id) == []


def test_the_jobs_list_shows_each_job_s_own_fields_per_platform(client, tenant):
    job_id = publish(client, tenant, platforms=["linkedin"], board_fields={"linkedin": LINKEDIN_FIELDS})

    [item] = client.get("/jobs/publishing/jobs/", headers=tenant.headers).json()["items"]

    assert item["job_id"] == job_id and item["board_fields"] == {"linkedin": LINKEDIN_FIELDS}
