"""The Edit dialog's places (one a line) and each platform's own fields, in a real browser: a job in
several places keeps them unless the recruiter changes them, a change of places reshapes the
postings, and a Naukri field changed there reaches the job (a bad one is refused beside it)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.conftest import held_on
from tests.console.conftest import job_card, sign_in
from tests.support import DESCRIPTION, NAUKRI_FIELDS, publish, settled_status, wait_until

SEVEN = [f"{city}, India" for city in ("Bengaluru", "Mumbai", "Pune", "Chennai", "Hyderabad", "Delhi", "Kolkata")]
JOBS = "/jobs/publishing/jobs/"


def listed(client, tenant, job_id: int) -> dict:
    [job] = [item for item in client.get(JOBS, headers=tenant.headers).json()["items"] if item["job_id"] == job_id]
    return job


def open_edit(page, card):
    card.get_by_role("button", name=re.compile(r"^Edit")).click()
    return page.get_by_role("dialog", name=re.compile("Edit"))


def test_a_job_in_seven_places_keeps_them_through_an_edit_and_a_change_of_places_closes_the_posting_left_empty(
    page, console_url, client, tenant
):
    # Given a job created from the New job form in seven places, one a line, on LinkedIn only
    sign_in(page, console_url, tenant.api_key)
    page.get_by_text("New job", exact=True).click()
    for label, value in (
        ("Title", "Console seven places"),
        ("Company", "Acme"),
        ("Location", "\n".join(SEVEN)),
        ("Apply URL", "https://acme.example/careers/seven"),
        ("Description", DESCRIPTION),
    ):
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("LinkedIn only").check()
    page.get_by_role("button", name="Create and publish").click()
    card = page.locator("li.job-card", has_text="Console seven places")
    # LinkedIn takes six places a posting: two postings, each published
    for part in ("1", "2"):
        expect(card.locator(f'[data-platform="linkedin"][data-part="{part}"] .badge-status')).to_have_text("Published")
    job_id = int(card.get_attribute("data-job-id"))
    assert listed(client, tenant, job_id)["locations"] == SEVEN

    # When the recruiter opens Edit: every place shows, one a line; only the title is changed
    dialog = open_edit(page, card)
    places = dialog.get_by_label("Location", exact=True)
    expect(places).to_have_value("\n".join(SEVEN))
    dialog.get_by_label("Title", exact=True).fill("Console seven places, edited")
    with page.expect_request(lambda request: request.method == "PATCH") as sent:
        dialog.get_by_role("button", name="Save changes").click()
    expect(dialog).to_be_hidden()

    # Then the places are not sent, and the job keeps all seven on both its postings
    assert sent.value.post_data_json == {"title": "Console seven places, edited"}
    expect(card.locator('[data-action="edit"][data-state="success"]')).to_contain_text("✓ Updated")
    assert listed(client, tenant, job_id)["locations"] == SEVEN
    expect(card.locator('[data-platform="linkedin"][data-part="2"] .badge-status')).to_have_text("Published")

    # When the recruiter opens Edit again (still every place) and keeps the first three
    dialog = open_edit(page, card)
    expect(places).to_have_value("\n".join(SEVEN))
    places.fill("\n".join(SEVEN[:3]) + "\n")
    dialog.get_by_role("button", name="Save changes").click()
    expect(dialog).to_be_hidden()

    # Then the second posting, left without places, is closed, and the first carries the three
    expect(card.locator('[data-platform="linkedin"][data-part="2"] .badge-status')).to_have_text("Closed")
    expect(card.locator('[data-platform="linkedin"][data-part="1"] .badge-status')).to_have_text("Published")
    assert listed(client, tenant, job_id)["locations"] == SEVEN[:3]
    [first] = [
        posting
        for posting in client.get(f"/jobs/publishing/{job_id}/status/", headers=tenant.headers).json()["postings"]
        if posting["platform"] == "linkedin" and posting["part"] == 1
    ]
    assert first["locations"] == SEVEN[:3]
    # And the dialog opens on the three
    open_edit(page, card)
    expect(places).to_have_value("\n".join(SEVEN[:3]))


def test_a_naukri_field_changed_in_the_edit_dialog_reaches_the_job_and_a_missing_one_is_shown_beside_it(
    page, console_url, client, tenant, emulators, sessions
):
    # Given a job live on LinkedIn and Naukri, with Naukri's own fields
    job_id = publish(client, tenant, platforms=["both"], title="Console board fields edit")
    settled_status(client, tenant, job_id)
    sign_in(page, console_url, tenant.api_key)
    card = job_card(page, job_id)

    # When the recruiter opens Edit: Naukri's fields show the job's stored values
    dialog = open_edit(page, card)
    naukri = dialog.get_by_role("group", name="Naukri's fields")
    role = naukri.get_by_label("Role", exact=True)
    expect(role).to_have_value("Back End Developer")
    expect(naukri.get_by_label("Industry", exact=True)).to_have_value("software_product")
    expect(naukri.get_by_label("Annual CTC (INR lakhs): maximum")).to_have_value("18")

    # When the role is emptied and the edit saved
    role.fill("")
    dialog.get_by_role("button", name="Save changes").click()

    # Then the API's 422 is shown beside Naukri's Role, and the dialog stays open
    expect(role).to_have_attribute("aria-invalid", "true")
    expect(naukri).to_contain_text("Naukri: is required: Role")
    expect(dialog).to_be_visible()

    # When a new role is given
    role.fill("Data Engineer")
    with page.expect_request(lambda request: request.method == "PATCH") as sent:
        dialog.get_by_role("button", name="Save changes").click()
    expect(dialog).to_be_hidden()

    # Then only Naukri's block is sent (LinkedIn's is unchanged), whole, and the job and Naukri hold it
    assert sent.value.post_data_json == {"board_fields": {"naukri": {**NAUKRI_FIELDS, "role": "Data Engineer"}}}
    expect(card.locator('[data-action="edit"][data-state="success"]')).to_contain_text("✓ Updated")
    assert listed(client, tenant, job_id)["board_fields"]["naukri"] == {**NAUKRI_FIELDS, "role": "Data Engineer"}
    wait_until(
        lambda: held_on(emulators, sessions, job_id, "naukri")[0]["role"] == "Data Engineer",
        what="Naukri to hold the new role",
    )
