"""Helpers the tests share: waiting for an outcome, and a valid job body to start from."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

PUBLISH = "/jobs/publishing/publish/"
SETTLED = {"published", "failed"}

DESCRIPTION = (
    "Design, build and run the services that publish our jobs to every platform. You will own APIs, "
    "queues and data end to end, with a small team that ships every day."
)


# Naukri's required fields (shared/platforms/naukri_fields.py): every job_body can go to Naukri.
NAUKRI_FIELDS = {
    "experience_years": {"min": 2, "max": 5},
    "ctc_lakhs": {"min": 12, "max": 18},
    "industry": "software_product",
    "functional_area": "engineering_software",
    "role": "Back End Developer",
}


def wait_until(check: Callable[[], T], timeout: float = 20.0, interval: float = 0.05, what: str = "condition") -> T:
    """Poll `check` until it returns something truthy; fail the test with `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}; last: {result!r}")
        time.sleep(interval)


def job_body(**overrides) -> dict:
    job = {
        "title": "Backend Engineer",
        "description": DESCRIPTION,
        "location": "Bengaluru, India",
        "employment_type": "full_time",
        "workplace_type": "hybrid",
        "apply_url": "https://acme.example/careers/backend",
        "company": "Acme",
        "skills": ["Python", "PostgreSQL"],
        "board_fields": {"naukri": NAUKRI_FIELDS},
    }
    job.update(overrides)
    return job


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def publish(client, tenant, platforms=("both",), **job) -> int:
    answer = client.post(PUBLISH, json={"job": job_body(**job), "platforms": list(platforms)}, headers=tenant.headers)
    assert answer.status_code == 202, answer.text
    return answer.json()["job_id"]


def settled_status(client, tenant, job_id: int, timeout: float = 20.0) -> dict:
    def check():
        body = client.get(f"/jobs/publishing/{job_id}/status/", headers=tenant.headers).json()
        return body if {p["status"] for p in body["postings"]} <= SETTLED else None  # every part of every platform

    return wait_until(check, timeout, what=f"job {job_id} to settle")


def publish_and_wait(http, platforms=("both",)) -> tuple[Any, dict]:
    """Publish a new job through a live API client (its own key in its headers) and wait until
    every platform has published it: the publish answer and the job's status."""
    answer = http.post(PUBLISH, json={"job": job_body(), "platforms": list(platforms)})
    assert answer.status_code == 202, answer.text
    job_id = answer.json()["job_id"]
    status = wait_until(
        lambda: (
            (body := http.get(f"/jobs/publishing/{job_id}/status/").json())
            and all(p["status"] == "published" for p in body["platforms"].values())
            and body
        ),
        30,
        what=f"{platforms} to publish",
    )
    return answer, status


def user_env(home) -> dict[str, str]:
    """The environment of a new user whose home folder is `home`: no JOBPUB_ setting, so `jobpub`
    keeps and finds its dev data directory under `home` (never the real user's)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("JOBPUB_", "XDG_"))}
    return {**env, "HOME": str(home)}
