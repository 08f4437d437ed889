"""An application id belongs to the organization it reached: another tenant that stores the same
platform id first (signing pushes to its own posting with its own secret) neither drops ours as a
duplicate nor learns from the answers that the id exists elsewhere."""

from __future__ import annotations

import json

from tests.support import wait_until
from tests.test_applications_intake import WEBHOOK, linkedin_payload, signed
from tests.test_applications_sync import SYNC, applications_of, published_on


def test_another_tenant_storing_our_application_ids_first_does_not_drop_ours(
    client, make_tenant, pipeline, emulators, sessions
):
    victim, attacker = make_tenant(platforms=("linkedin",)), make_tenant(platforms=("linkedin",))
    victim_job, victim_posting = published_on(client, victim, sessions, "linkedin")
    attacker_job, attacker_posting = published_on(client, attacker, sessions, "linkedin")

    # LinkedIn's application ids count up, so the attacker can claim the next ones before they exist.
    upcoming = len(emulators.linkedin.all_applications()) + 1
    for number in range(upcoming, upcoming + 3):
        body = json.dumps(linkedin_payload(attacker_posting, number=number)).encode()
        answer = client.post(WEBHOOK, content=body, headers=signed(body, attacker.clients["linkedin"][1]))
        assert answer.status_code == 200 and answer.json()["status"] == "stored"

    made = emulators.linkedin.apply(victim_posting, count=3, client_id=victim.clients["linkedin"][0])
    assert [a["jobApplicationId"] for a in made] == [
        f"urn:li:jobApplication:{n}" for n in range(upcoming, upcoming + 3)
    ]
    assert emulators.linkedin.wait_for_webhooks(20)
    stored = wait_until(
        lambda: len(applications_of(sessions, victim_job)) == 3 and applications_of(sessions, victim_job)
    )
    assert {a.external_application_id for a in stored} == {a["jobApplicationId"] for a in made}
    assert {a.organization_id for a in stored} == {victim.id}

    # The backstop pull of the victim counts its own copies, not the attacker's, as already stored.
    [run] = client.post(SYNC, json={"platform": "linkedin", "job_id": victim_job}, headers=victim.headers).json()[
        "items"
    ]
    result = wait_until(
        lambda: (r := client.get(f"{SYNC}{run['id']}/", headers=victim.headers).json())["status"] == "succeeded" and r,
        30,
        what="the victim's pull",
    )
    assert (result["fetched"], result["new"], result["duplicates"]) == (3, 0, 3)
    assert len(applications_of(sessions, attacker_job)) == 3


def test_a_push_answer_tells_a_tenant_nothing_about_another_tenants_applications(
    client, make_tenant, pipeline, sessions
):
    owner, prober = make_tenant(platforms=("linkedin",)), make_tenant(platforms=("linkedin",))
    _, owner_posting = published_on(client, owner, sessions, "linkedin")
    prober_job, prober_posting = published_on(client, prober, sessions, "linkedin")
    owners = json.dumps(linkedin_payload(owner_posting, number=880_001)).encode()
    assert client.post(WEBHOOK, content=owners, headers=signed(owners, owner.clients["linkedin"][1])).json() == {
        "status": "stored"
    }

    # The same id, pushed by the prober to its own posting: a new application of its own, like any unknown id.
    probe = json.dumps(linkedin_payload(prober_posting, number=880_001)).encode()
    answer = client.post(WEBHOOK, content=probe, headers=signed(probe, prober.clients["linkedin"][1]))
    assert answer.status_code == 200 and answer.json() == {"status": "stored"}
    assert [a.organization_id for a in applications_of(sessions, prober_job)] == [prober.id]
