"""Screening questions: checked at request time, sent to LinkedIn (Apply Connect) and Indeed (Indeed
Apply) in their own terms with our stable ids, and answers coming back stored against our questions,
an application failing a knock-out marked (never dropped)."""

from __future__ import annotations

import pytest

from services.emulators.linkedin_validation import element_errors
from shared.models import Job
from shared.platforms.base import PlatformCredentials
from shared.platforms.linkedin import posting_element
from shared.screening import ScreeningQuestion
from tests.conftest import held_on, postings_of
from tests.contract.platforms import posting_content
from tests.support import PUBLISH, job_body, publish, settled_status, wait_until
from tests.test_applications_sync import applications_of

APPLICATIONS = "/jobs/publishing/applications/"
QUESTIONS = [
    {
        "id": "work-permit",
        "text": "Are you allowed to work in India?",
        "type": "yes_no",
        "required": True,
        "knockout": {"accepted": ["yes"]},
    },
    {"text": "Years of Python?", "type": "numeric", "knockout": {"minimum": 3}},
    {"id": "stack", "text": "Which do you use?", "type": "multiple_choice", "choices": ["Django", "FastAPI", "Flask"]},
    {"id": "why", "text": "Why us?", "type": "text"},
]


@pytest.fixture
def indeed_tenant(make_tenant):
    return make_tenant(platforms=("linkedin", "indeed"))


def refused(client, tenant, questions) -> dict:
    answer = client.post(
        PUBLISH,
        json={"job": job_body(screening_questions=questions), "platforms": ["linkedin"]},
        headers=tenant.headers,
    )
    assert answer.status_code == 422, answer.text
    [problem] = answer.json()["detail"]
    return problem


def test_a_question_that_cannot_work_is_refused_naming_its_index_and_field(client, tenant):
    no_choices = refused(client, tenant, [QUESTIONS[0], {"text": "Pick", "type": "single_choice", "choices": ["A"]}])
    assert no_choices["loc"] == ["body", "job", "screening_questions", 1, "choices"]
    assert "at least 2 choices" in no_choices["msg"]
    left_out = refused(client, tenant, [{"text": "Pick several", "type": "multiple_choice"}])  # stored before
    assert left_out["loc"] == ["body", "job", "screening_questions", 0, "choices"]
    assert "at least 2 choices" in left_out["msg"]

    unknown_answer = {
        "text": "Shift?",
        "type": "single_choice",
        "choices": ["Day", "Night"],
        "knockout": {"accepted": ["Evening"]},
    }
    problem = refused(client, tenant, [unknown_answer])
    assert problem["loc"] == ["body", "job", "screening_questions", 0] and problem["msg"].startswith("knockout:")

    problem = refused(client, tenant, [QUESTIONS[0], {**QUESTIONS[3], "id": "work-permit"}])
    assert problem["loc"] == ["body", "job", "screening_questions"] and "question 1 repeats the id" in problem["msg"]


def linkedin_questions(held: dict) -> list[dict]:
    sets = held["onsiteApplyConfiguration"]["questions"]["additionalQuestions"]["customQuestionSets"]
    return [question for question_set in sets for question in question_set["questions"]]


def test_linkedin_gets_the_questions_with_identifiers_that_stay_when_the_job_is_edited(
    client, tenant, pipeline, emulators, sessions
):
    job_id = publish(client, tenant, platforms=["linkedin"], screening_questions=QUESTIONS)
    assert settled_status(client, tenant, job_id)["platforms"]["linkedin"]["status"] == "published"
    with sessions() as session:
        stored = session.get(Job, job_id).screening_questions
    ids = [question["id"] for question in stored]
    assert ids[0] == "work-permit" and ids[1].startswith("q-") and ids[2:] == ["stack", "why"]

    [held] = held_on(emulators, sessions, job_id, "linkedin")
    sent = linkedin_questions(held)
    assert [q["partnerQuestionIdentifier"] for q in sent] == ids
    permit = sent[0]["questionDetails"]["multipleChoiceQuestionDetails"]
    assert [c["symbolicName"] for c in permit["choices"]] == ["YES", "NO"]
    assert permit["favorableMultipleChoiceAnswer"] == {"favorableSymbolicNames": ["YES"]}
    assert sent[1]["questionDetails"]["numericQuestionDetails"]["favorableNumericAnswer"] == {"favorableFloor": 3}

    # The client resends the list without ids, and with a new question: the old ones keep theirs.
    resent = [{k: v for k, v in q.items() if k != "id"} for q in QUESTIONS] + [{"text": "Notice?", "type": "text"}]
    answer = client.patch(f"/jobs/publishing/{job_id}/", json={"screening_questions": resent}, headers=tenant.headers)
    assert answer.status_code == 202, answer.text

    def updated():
        [now] = held_on(emulators, sessions, job_id, "linkedin")
        return linkedin_questions(now) if len(linkedin_questions(now)) == 5 else None

    after = wait_until(updated, what="LinkedIn to hold the edited questions")
    assert [q["partnerQuestionIdentifier"] for q in after][:4] == ids


def test_the_linkedin_emulator_refuses_two_questions_under_one_identifier():
    twice = (
        ScreeningQuestion(id="same", text="One?", type="text"),
        ScreeningQuestion(id="same", text="Two?", type="text"),
    )
    content = posting_content(screening_questions=twice, application_webhook_url="https://hooks.example/apply")
    credentials = PlatformCredentials("client", "secret", organization_urn="urn:li:organization:1")
    errors = element_errors(posting_element(content, credentials, operation="CREATE"))
    assert errors == [
        "ERROR :: /onsiteApplyConfiguration/questions/additionalQuestions/customQuestionSets/0/questions/1"
        '/partnerQuestionIdentifier :: "same" is duplicated'
    ]


def listed(client, tenant, **filters) -> list[dict]:
    answer = client.get(APPLICATIONS, params=filters, headers=tenant.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def apply_twice(emulator, external_id: str, client_id: str, passing: dict, failing: dict) -> None:
    emulator.apply(external_id, client_id=client_id, candidate={"name": "Asha Rao", "answers": passing})
    emulator.apply(external_id, client_id=client_id, candidate={"name": "Rahul Das", "answers": failing})


@pytest.mark.parametrize("platform", ["linkedin", "indeed"])
def test_answers_come_back_under_our_questions_and_a_knocked_out_candidate_is_kept_and_marked(
    platform, client, indeed_tenant, pipeline, emulators, sessions
):
    tenant = indeed_tenant
    job_id = publish(client, tenant, platforms=[platform], screening_questions=QUESTIONS)
    assert settled_status(client, tenant, job_id)["platforms"][platform]["status"] == "published"
    external_id = postings_of(sessions, job_id)[platform].external_id
    with sessions() as session:
        years = session.get(Job, job_id).screening_questions[1]["id"]
    emulator = getattr(emulators, platform)
    apply_twice(
        emulator,
        external_id,
        tenant.clients[platform][0],
        passing={"work-permit": "Yes", years: 6, "stack": ["FastAPI", "Flask"], "why": "Ledgers"},
        failing={"work-permit": "No", years: 1, "stack": "Django"},
    )
    if platform == "linkedin":
        assert emulators.linkedin.wait_for_webhooks(20)
    wait_until(lambda: len(applications_of(sessions, job_id)) == 2, what="both applications to be stored")

    # LinkedIn pushes from several threads: the two may arrive in either order.
    passed, knocked = sorted(listed(client, tenant, job_id=job_id), key=lambda application: application["knocked_out"])
    assert passed["candidate_name"] == "Asha Rao" and passed["knocked_out"] is False
    assert passed["answers"]["work-permit"] == {
        "question": "Are you allowed to work in India?",
        "type": "yes_no",
        "answer": "yes",
    }
    assert passed["answers"][years]["answer"] == 6 and passed["answers"]["stack"]["answer"] == ["FastAPI", "Flask"]
    assert passed["answers"]["why"]["answer"] == "Ledgers"
    assert knocked["candidate_name"] == "Rahul Das" and knocked["knocked_out"] is True
    assert knocked["knocked_out_by"] == ["work-permit", years]
    assert [a["candidate_name"] for a in listed(client, tenant, job_id=job_id, knocked_out=True)] == ["Rahul Das"]
    assert [a["candidate_name"] for a in listed(client, tenant, job_id=job_id, knocked_out=False)] == ["Asha Rao"]
    status = client.get(f"/jobs/publishing/{job_id}/status/", headers=tenant.headers).json()
    assert status["platforms"][platform]["applications_received"] == 2


def test_indeed_gets_the_questions_as_indeed_apply_screener_questions(
    client, indeed_tenant, pipeline, emulators, sessions
):
    job_id = publish(client, indeed_tenant, platforms=["indeed"], screening_questions=QUESTIONS)
    assert settled_status(client, indeed_tenant, job_id)["platforms"]["indeed"]["status"] == "published"
    [held] = held_on(emulators, sessions, job_id, "indeed")
    asked = held["metadata"]["indeedApply"]["applyQuestionsDetails"]["questions"]["screenerQuestions"]
    assert [next(iter(entry)) for entry in asked] == ["select", "text", "multiselect", "textarea"]
    assert asked[0]["select"]["id"] == "work-permit" and asked[0]["select"]["options"] == [
        {"value": "YES", "label": "Yes"},
        {"value": "NO", "label": "No"},
    ]
    assert asked[1]["text"]["format"] == "decimal"
