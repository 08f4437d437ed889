"""The embedded default, started as a new user would: `jobpub dev`, then a publish over HTTP."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from tests.support import free_port, job_body, user_env, wait_until


def test_jobpub_dev_publishes_a_job_to_both_emulators_with_no_configuration(tmp_path):
    port = free_port()
    env = user_env(tmp_path / "home")
    jobpub = Path(sys.executable).parent / "jobpub"
    process = subprocess.Popen(
        [str(jobpub), "dev", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    threading.Thread(target=lambda: output.extend(process.stdout), daemon=True).start()
    try:
        key = wait_until(lambda: _api_key("".join(output)), 60, what="jobpub dev to print an API key")
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: _answers(base), 30, what="the API to answer")
        headers = {"X-API-Key": key}
        answer = httpx.post(
            f"{base}/jobs/publishing/publish/", json={"job": job_body(), "platforms": ["both", "feed"]}, headers=headers
        )
        assert answer.status_code == 202, answer.text
        job_id = answer.json()["job_id"]

        def published():
            body = httpx.get(f"{base}/jobs/publishing/{job_id}/status/", headers=headers).json()
            return body if all(p["status"] == "published" for p in body["platforms"].values()) else None

        status = wait_until(published, 30, what="every platform to publish")["platforms"]
        assert httpx.get(status["linkedin"]["url"]).status_code == 200  # the emulator's posting page
        assert "JobPosting" in httpx.get(status["feed"]["url"]).text  # our own public job page
        feed_url = httpx.get(f"{base}/jobs/publishing/platforms/feed/", headers=headers).json()["feed_url"]
        feed = httpx.get(feed_url)  # streamed from SQLite while the workers write
        assert feed.status_code == 200 and status["feed"]["external_id"] in feed.text
        assert "curl" in "".join(output)
        assert (tmp_path / "home" / ".local" / "share" / "jobpub" / "jobpub.db").exists()  # the user's data folder
        assert list(tmp_path.glob("*.db")) == []  # nothing in the working folder

        # Candidates apply on both emulators; LinkedIn pushes to our webhook, Naukri is pulled.
        for platform in ("linkedin", "naukri"):
            emulator = _emulator_url("".join(output), platform)
            made = httpx.post(
                f"{emulator}/_emulator/applications", json={"external_id": status[platform]["external_id"], "count": 2}
            )
            assert made.status_code == 201, made.text
        assert httpx.post(f"{base}/jobs/publishing/sync-applications/", headers=headers).status_code == 202

        def applications():
            items = httpx.get(f"{base}/jobs/publishing/applications/", headers=headers).json()["items"]
            return items if len(items) == 4 else None

        sources = sorted(item["source"] for item in wait_until(applications, 30, what="four applications"))
        assert sources == ["LinkedIn apply", "LinkedIn apply", "Naukri", "Naukri"]
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()


def _api_key(text: str) -> str | None:
    match = re.search(r"API key\s+(jp_\S+)", text)
    return match.group(1) if match else None


def _emulator_url(text: str, platform: str) -> str:
    return re.search(rf"{platform} emulator\s+(http://\S+)", text, re.IGNORECASE).group(1)


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/livez", timeout=1).status_code == 200
    except httpx.HTTPError:
        time.sleep(0.1)
        return False
