"""Where candidates came from: every board's apply URL carries its source (UTM parameters by
default), the organization may turn it off or choose its own parameters, and the URL's own query
is kept and never doubled."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from tests.conftest import held_on, settings_env
from tests.feed.support import NEW_ADDRESS, feed_jobs
from tests.support import publish, settled_status

SETTING = "/jobs/publishing/settings/source-tracking/"
BOARDS = ("linkedin", "naukri", "indeed", "feed")
APPLY_URL = "https://acme.example/careers/backend?ref=careers#apply"
JOBPUB = str(Path(sys.executable).parent / "jobpub")


def published_everywhere(client, make_tenant, **job) -> tuple[int, str]:
    tenant = make_tenant(platforms=("linkedin", "naukri", "indeed"))
    feed = client.post(NEW_ADDRESS, headers=tenant.headers).json()
    job_id = publish(client, tenant, platforms=list(BOARDS), apply_url=APPLY_URL, **job)
    status = settled_status(client, tenant, job_id)["platforms"]
    assert {board: status[board]["status"] for board in BOARDS} == dict.fromkeys(BOARDS, "published")
    return job_id, feed["feed_url"]


def apply_urls(client, emulators, sessions, job_id: int, feed_url: str) -> dict[str, str]:
    """The apply link each board holds for the job (the feed: the page link its XML lists)."""
    [linkedin] = held_on(emulators, sessions, job_id, "linkedin")
    [naukri] = held_on(emulators, sessions, job_id, "naukri")
    [indeed] = held_on(emulators, sessions, job_id, "indeed")
    [listed] = feed_jobs(client, feed_url).values()
    return {
        "linkedin": linkedin["companyApplyUrl"],
        "naukri": naukri["applyUrl"],
        "indeed": indeed["metadata"]["url"],
        "feed": listed["url"],
    }


def test_each_board_gets_the_apply_url_with_its_own_source_and_the_urls_own_query_kept(
    client, make_tenant, pipeline, emulators, sessions
):
    job_id, feed_url = published_everywhere(client, make_tenant)

    urls = apply_urls(client, emulators, sessions, job_id, feed_url)
    for board in ("linkedin", "naukri", "indeed"):
        expected = f"https://acme.example/careers/backend?ref=careers&utm_source={board}&utm_medium=job_board"
        assert urls[board] == f"{expected}&utm_campaign={job_id}#apply"
    assert dict(parse_qsl(urlsplit(urls["feed"]).query)) == {
        "utm_source": "feed",
        "utm_medium": "job_board",
        "utm_campaign": str(job_id),
    }


def test_an_organization_that_turns_it_off_gets_the_plain_url_and_one_with_its_own_parameters_gets_those(
    client, make_tenant, pipeline, emulators, sessions
):
    plain = make_tenant(platforms=("linkedin", "naukri", "indeed"))
    answer = client.put(SETTING, json={"enabled": False}, headers=plain.headers)
    assert answer.status_code == 200 and answer.json()["enabled"] is False
    job_id = publish(client, plain, platforms=["linkedin", "naukri"], apply_url=APPLY_URL)
    settled_status(client, plain, job_id)
    [linkedin] = held_on(emulators, sessions, job_id, "linkedin")
    [naukri] = held_on(emulators, sessions, job_id, "naukri")
    assert linkedin["companyApplyUrl"] == naukri["applyUrl"] == APPLY_URL

    own = make_tenant(platforms=("linkedin", "naukri"))
    chosen = {"parameters": {"src": "{platform}", "utm_campaign": "x-{external_id}"}}
    assert client.put(SETTING, json=chosen, headers=own.headers).status_code == 200
    assert client.get(SETTING, headers=own.headers).json() == {**chosen, "enabled": True, "default": False}
    # The job's link names its own campaign: that one stays, and is not added twice.
    job_id = publish(client, own, platforms=["linkedin"], apply_url="https://acme.example/jobs/7?utm_campaign=spring")
    settled_status(client, own, job_id)
    [linkedin] = held_on(emulators, sessions, job_id, "linkedin")
    assert linkedin["companyApplyUrl"] == "https://acme.example/jobs/7?utm_campaign=spring&src=linkedin"


def test_a_parameter_template_naming_something_unknown_is_refused_and_the_default_stays(client, tenant):
    answer = client.put(SETTING, json={"parameters": {"src": "{board}"}}, headers=tenant.headers)
    assert answer.status_code == 422
    [problem] = answer.json()["detail"]
    assert problem["loc"] == ["body", "parameters"] and "src: board is not one of" in problem["msg"]
    assert client.get(SETTING, headers=tenant.headers).json() == {
        "enabled": True,
        "parameters": {"utm_source": "{platform}", "utm_medium": "job_board", "utm_campaign": "{job_id}"},
        "default": True,
    }


def test_a_placeholder_with_a_format_spec_is_refused_before_it_can_fail_a_publish(client, tenant):
    # "{job_id:d}" names a known placeholder, but the job id is filled in as text: formatting it
    # with ":d" would raise at publish time, so the setting is refused when it is made.
    for template in ("{job_id:d}", "{platform!r}"):
        answer = client.put(SETTING, json={"parameters": {"job": template}}, headers=tenant.headers)
        assert answer.status_code == 422, template
        [problem] = answer.json()["detail"]
        assert problem["loc"] == ["body", "parameters"] and "job: a format spec or conversion" in problem["msg"]
    assert client.get(SETTING, headers=tenant.headers).json()["default"] is True


def test_the_operator_command_turns_it_off_and_back_to_the_default(client, tenant, settings):
    def jobpub(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [JOBPUB, "org", "source-tracking", tenant.name, *args],
            env=settings_env(settings),
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert jobpub("--off").stdout.strip() == "off: apply URLs are left as given"
    assert client.get(SETTING, headers=tenant.headers).json()["enabled"] is False
    assert jobpub("--param", "src={platform}").stdout.strip() == "src={platform}"
    refused = jobpub("--param", "src={board}")
    assert refused.returncode == 2 and "--param 'src={board}'" in refused.stderr
    shown = jobpub("--default").stdout.strip()
    assert shown == "utm_source={platform}&utm_medium=job_board&utm_campaign={job_id}"
    assert client.get(SETTING, headers=tenant.headers).json()["default"] is True
