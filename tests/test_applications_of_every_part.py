"""A pull of one job's applications reads every posting ("part") of the job on the platform.

A job in more places than one posting takes is several postings on a platform, each with its own
external id, and candidates apply to each (shared/locations.py). Naukri takes up to nine places in
one posting and refuses more, so the job here goes to LinkedIn, which splits: eight places are two
postings. LinkedIn also pushes each application to our webhook; the tests drop what was pushed (a
delivery our API missed) so that the pull is what stores it.
"""

from __future__ import annotations

from sqlalchemy import delete, select

from services.syncer.syncing import run_sync
from shared.context import build_worker_context
from shared.db import unit_of_work
from shared.models import Application, SyncRun
from shared.syncs import request_sync
from tests.support import publish, settled_status, wait_until
from tests.test_applications_sync import SYNC, applications_of
from tests.test_several_locations import CITIES, parts_of, publish_at


def published_in_two_parts(client, tenant, sessions) -> tuple[int, list[str]]:
    """A LinkedIn job of the tenant's in eight places; its id and its two postings' external ids."""
    job_id = publish_at(client, tenant, CITIES[:8], platforms=("linkedin",))
    postings = settled_status(client, tenant, job_id)["postings"]
    assert [(p["part"], p["status"]) for p in postings] == [(1, "published"), (2, "published")]
    return job_id, [part.external_id for part in parts_of(sessions, job_id, "linkedin")]


def pushes_missed(emulators, sessions, job_id: int, expected: int) -> None:
    """Wait for the job's pushed applications, then drop them: deliveries our API never stored."""
    assert emulators.linkedin.wait_for_webhooks(20)
    wait_until(lambda: len(applications_of(sessions, job_id)) == expected, what=f"{expected} pushed applications")
    with unit_of_work(sessions) as session:
        session.execute(delete(Application).where(Application.job_id == job_id))


def pulled_over_the_api(client, tenant, body: dict) -> dict:
    answer = client.post(SYNC, json=body, headers=tenant.headers)
    assert answer.status_code == 202, answer.text
    [sync] = answer.json()["items"]

    def finished():
        run = client.get(f"{SYNC}{sync['id']}/", headers=tenant.headers).json()
        return run if run["status"] in ("succeeded", "failed") else None

    return wait_until(finished, 30, what="the job's pull")


def counts(run) -> tuple:
    if isinstance(run, dict):
        return run["status"], run["fetched"], run["new"], run["duplicates"], run["unmatched"]
    return run.status, run.fetched, run.new, run.duplicates, run.unmatched


def test_a_job_pull_stores_the_applications_to_every_part_of_the_job_in_one_run(
    client, make_tenant, pipeline, emulators, sessions
):
    # Given a job in two LinkedIn postings, two candidates applying to the first and three to the
    # second, and another job of the organization with an application of its own
    tenant = make_tenant(platforms=("linkedin",))
    client_id = tenant.clients["linkedin"][0]
    job_id, (first, second) = published_in_two_parts(client, tenant, sessions)
    other_job = publish(client, tenant, platforms=["linkedin"])
    settled_status(client, tenant, other_job)
    [other_posting] = parts_of(sessions, other_job, "linkedin")
    emulators.linkedin.apply(other_posting.external_id, client_id=client_id)
    applied = emulators.linkedin.apply(first, count=2, client_id=client_id)
    applied += emulators.linkedin.apply(second, count=3, client_id=client_id)
    pushes_missed(emulators, sessions, job_id, expected=5)

    # When the job's applications are pulled over the API, by the worker
    run = pulled_over_the_api(client, tenant, {"platform": "linkedin", "job_id": job_id})

    # Then the one run read both postings' applications, and only the job's, and stored each once
    assert counts(run) == ("succeeded", 5, 5, 0, 0)
    stored = applications_of(sessions, job_id)
    assert sorted(a.external_application_id for a in stored) == sorted(a["jobApplicationId"] for a in applied)
    assert {a.organization_id for a in stored} == {tenant.id}

    # and pulled again, it finds the same five, all stored already
    again = pulled_over_the_api(client, tenant, {"platform": "linkedin", "job_id": job_id})
    assert counts(again) == ("succeeded", 5, 0, 5, 0)
    assert len(applications_of(sessions, job_id)) == 5


def test_a_job_pull_reads_each_part_page_by_page_from_its_start(client, make_tenant, pipeline, emulators, sessions):
    # Given a job in two LinkedIn postings with three applications each, read two a page
    tenant = make_tenant(platforms=("linkedin",))
    client_id = tenant.clients["linkedin"][0]
    job_id, (first, second) = published_in_two_parts(client, tenant, sessions)
    applied = emulators.linkedin.apply(second, count=3, client_id=client_id)
    applied += emulators.linkedin.apply(first, count=3, client_id=client_id)
    pushes_missed(emulators, sessions, job_id, expected=6)
    small_pages = build_worker_context(pipeline.settings.model_copy(update={"sync_page_size": 2}), sessions)

    # When the job's applications are pulled
    with unit_of_work(sessions) as session:
        sync_id = request_sync(session, tenant.id, "linkedin", trigger="cli", job_id=job_id, dispatch=False)
    outcome = run_sync(small_pages, sync_id)

    # Then every page of both postings was stored, each application once, and the run counted them all
    assert outcome is not None and outcome.error is None
    with sessions() as session:
        run = session.scalar(select(SyncRun).where(SyncRun.id == sync_id))
    assert counts(run) == ("succeeded", 6, 6, 0, 0)
    stored = applications_of(sessions, job_id)
    assert sorted(a.external_application_id for a in stored) == sorted(a["jobApplicationId"] for a in applied)


def test_a_job_pull_on_a_platform_the_job_was_never_published_to_finds_nothing(
    client, make_tenant, pipeline, emulators, sessions
):
    # Given an organization with LinkedIn applications stored, and a job published only to Naukri
    tenant = make_tenant()
    linkedin_job, (first, _) = published_in_two_parts(client, tenant, sessions)
    emulators.linkedin.apply(first, count=2, client_id=tenant.clients["linkedin"][0])
    assert emulators.linkedin.wait_for_webhooks(20)
    wait_until(lambda: len(applications_of(sessions, linkedin_job)) == 2, what="the pushed applications")
    naukri_job = publish(client, tenant, platforms=["naukri"])
    settled_status(client, tenant, naukri_job)

    # When the Naukri job's LinkedIn applications are pulled
    run = pulled_over_the_api(client, tenant, {"platform": "linkedin", "job_id": naukri_job})

    # Then there are none to read
    assert counts(run) == ("succeeded", 0, 0, 0, 0)
