"""The jobs list the console starts from: newest first, each with its platforms, paged by cursor."""

from __future__ import annotations

from tests.support import publish, settled_status

JOBS = "/jobs/publishing/jobs/"


def test_jobs_are_listed_newest_first_with_each_platforms_status_and_link(client, tenant, pipeline):
    older = publish(client, tenant, platforms=["naukri"], title="Older job")
    newer = publish(client, tenant, platforms=["both"], title="Newer job")
    settled_status(client, tenant, older)
    settled_status(client, tenant, newer)

    items = client.get(JOBS, headers=tenant.headers).json()["items"]

    assert [item["job_id"] for item in items] == [newer, older]
    assert items[0]["title"] == "Newer job" and items[0]["company"] == "Acme"
    assert set(items[0]["platforms"]) == {"linkedin", "naukri"}
    assert set(items[1]["platforms"]) == {"naukri"}
    assert items[0]["platforms"]["linkedin"]["status"] == "published"
    assert items[0]["platforms"]["linkedin"]["url"].startswith("http://127.0.0.1")


def test_pages_follow_the_cursor_to_older_jobs_and_end_with_no_cursor(client, tenant, pipeline):
    made = [publish(client, tenant, platforms=["naukri"], title=f"Job {n}") for n in range(3)]

    first = client.get(JOBS, params={"limit": 2}, headers=tenant.headers).json()
    second = client.get(JOBS, params={"limit": 2, "cursor": first["next_cursor"]}, headers=tenant.headers).json()

    assert [item["job_id"] for item in first["items"]] == [made[2], made[1]]
    assert [item["job_id"] for item in second["items"]] == [made[0]]
    assert second["next_cursor"] is None


def test_the_console_is_served_outside_the_api_schema_with_a_strict_content_policy(client):
    page = client.get("/console/")
    assert page.status_code == 200 and "<title>" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert client.get("/console", follow_redirects=False).headers["location"] == "/console/"
    assert not any(path.startswith("/console") for path in client.get("/openapi.json").json()["paths"])
