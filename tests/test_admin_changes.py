"""What an operator does on the admin site reaches the platforms through the pipeline's own paths:
a failed posting replayed and published, a job's title fixed and updated on each platform, a key
revoked; each change in the publishing log under the admin user's name."""

from __future__ import annotations

import re

from sqlalchemy import select

from shared.models import ApiKey, PublishingLog
from tests.admin_browser import signed_in, submit, token_on
from tests.conftest import held_on, log_of, postings_of
from tests.support import publish, settled_status, wait_until


def test_an_operator_finds_a_failed_posting_replays_it_and_sees_it_published(
    client, tenant, pipeline, emulators, sessions
):
    emulators.linkedin.set_faults({"reject": {"times": 1, "message": "title contains a banned word"}})
    job_id = publish(client, tenant, platforms=["linkedin"])
    assert settled_status(client, tenant, job_id)["platforms"]["linkedin"]["status"] == "failed"
    posting_id = postings_of(sessions, job_id)["linkedin"].id

    http, name = signed_in(client.app, sessions)
    failures = http.get("/admin/failure/list", params={"search": "banned word"})
    assert f"/admin/failure/details/{posting_id}" in failures.text
    asked = f"/admin/failure/action/replay?pks={posting_id}"
    confirm = http.get(asked)
    assert f"posting {posting_id}: job {job_id} on linkedin, publish failed" in confirm.text
    assert postings_of(sessions, job_id)["linkedin"].status == "failed"  # asking changes nothing

    done = submit(http, asked, "/admin/failure/do-replay", {"pks": str(posting_id)})
    assert done.status_code == 303 and done.headers["location"].endswith("/admin/failure/list")
    assert "replayed 1" in http.get(done.headers["location"]).text

    assert settled_status(client, tenant, job_id)["platforms"]["linkedin"]["status"] == "published"
    details = http.get(f"/admin/posting/details/{posting_id}").text
    assert re.search(r">\s*published\s*<", details)
    assert len(held_on(emulators, sessions, job_id, "linkedin")) == 1
    [replayed] = [row.payload for row in log_of(sessions, job_id) if row.event_type == "JobPublishReplayed"]
    assert replayed["by"] == name and "banned word" in replayed["failed_with"]


def test_a_job_title_fixed_on_the_admin_site_is_updated_on_each_platform_and_logged(
    client, tenant, pipeline, emulators, sessions
):
    job_id = publish(client, tenant, platforms=["naukri"])
    assert settled_status(client, tenant, job_id)["platforms"]["naukri"]["status"] == "published"
    http, name = signed_in(client.app, sessions)
    edit = f"/admin/job/edit/{job_id}"
    page = http.get(edit).text
    current = re.search(r'<textarea[^>]*name="description"[^>]*>\s*([^<]*)</textarea>', page).group(1).strip()

    too_short = submit(http, edit, edit, {"save": "Save", "title": "Fixed Title", "description": "short"})
    assert too_short.status_code == 400 and "naukri needs a description of at least" in too_short.text

    fixed = submit(http, edit, edit, {"save": "Save", "title": "Backend Engineer (fixed)", "description": current})
    assert fixed.status_code == 302, fixed.text
    wait_until(
        lambda: held_on(emulators, sessions, job_id, "naukri")[0]["title"] == "Backend Engineer (fixed)",
        what="naukri to show the fixed title",
    )
    changes = [row.payload for row in log_of(sessions, job_id) if row.event_type == "AdminChanged"]
    assert [(c["by"], c["record"], c["fields"]) for c in changes] == [(name, "job", ["title"])]
    assert "JobOperationRequested" in [row.event_type for row in log_of(sessions, job_id)]


def test_a_key_revoked_on_the_admin_site_is_refused_at_once(client, make_tenant, sessions):
    tenant = make_tenant()
    assert client.get("/jobs/publishing/platforms/", headers=tenant.headers).status_code == 200
    with sessions() as session:
        key = session.scalars(select(ApiKey).where(ApiKey.organization_id == tenant.id)).one()
    http, name = signed_in(client.app, sessions)
    asked = f"/admin/api-key/action/revoke?pks={key.id}"
    confirm = http.get(asked).text
    assert key.key_id in confirm
    form = {"pks": str(key.id), "csrf_token": token_on(confirm)}
    assert http.post("/admin/api-key/do-revoke", data=form, follow_redirects=False).status_code == 303
    assert client.get("/jobs/publishing/platforms/", headers=tenant.headers).status_code == 401
    assert "Nothing selected that this applies to" in http.get(asked).text  # a revoked key is not offered again
    assert http.post("/admin/api-key/do-revoke", data=form, follow_redirects=False).status_code == 303  # posted twice
    with sessions() as session:
        logged = session.scalars(
            select(PublishingLog.payload).where(
                PublishingLog.organization_id == tenant.id, PublishingLog.event_type == "AdminChanged"
            )
        ).all()
    assert [(p["by"], p["record"], p["record_id"], p["change"]) for p in logged] == [
        (name, "api_key", key.id, "revoked")
    ]
