"""`jobpub dev` remembers, and the `jobpub` command finds it: as a user meets them, with real
processes, HTTP and the command, each user with a home folder of their own and nothing set."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import httpx

from services.cli.dev_home import record_addresses
from services.emulators.registry import EMULATORS
from shared.config import Settings, with_dev_setup
from shared.data_dir import DataDir
from tests.support import free_port, job_body, user_env, wait_until
from tests.test_dev_default import _answers, _api_key, _emulator_url

JOBPUB = str(Path(sys.executable).parent / "jobpub")


class Dev:
    """A running `jobpub dev`: what it printed so far, and its API."""

    def __init__(self, process: subprocess.Popen, port: int) -> None:
        self.process = process
        self.base = f"http://127.0.0.1:{port}"
        self.lines: list[str] = []
        threading.Thread(target=lambda: self.lines.extend(process.stdout), daemon=True).start()

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def ready(self) -> str:
        key = wait_until(lambda: _api_key(self.output), 60, what="jobpub dev to print an API key")
        wait_until(lambda: _answers(self.base), 30, what="the API to answer")
        return key

    def publish(self, key: str) -> dict:
        """Publish a job to both platforms and wait until both are published; their status."""
        headers = {"X-API-Key": key}
        answer = httpx.post(
            f"{self.base}/jobs/publishing/publish/", json={"job": job_body(), "platforms": ["both"]}, headers=headers
        )
        assert answer.status_code == 202, answer.text
        return self.published(key, answer.json()["job_id"])

    def published(self, key: str, job_id: int) -> dict:
        def both():
            body = httpx.get(f"{self.base}/jobs/publishing/{job_id}/status/", headers={"X-API-Key": key}).json()
            return body if all(p["status"] == "published" for p in body["platforms"].values()) else None

        return wait_until(both, 30, what=f"job {job_id} to be published on both platforms")


@contextmanager
def jobpub_dev(home: Path, port: int, workdir: Path):
    workdir.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [JOBPUB, "dev", "--port", str(port)],
        cwd=workdir,
        env=user_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield Dev(process, port)
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl+C, as a user stops it
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()


def jobpub(home: Path, workdir: Path, *args: str) -> subprocess.CompletedProcess:
    workdir.mkdir(parents=True, exist_ok=True)
    return subprocess.run([JOBPUB, *args], cwd=workdir, env=user_env(home), capture_output=True, text=True, timeout=60)


def banner_lines(output: str, wanted) -> str:
    """The banner's shell lines that `wanted` picks, as a script."""
    lines = [line.strip() for line in output.splitlines() if wanted(line.strip())]
    assert lines, "no such line in the banner"
    return "\n".join(lines)


def files_under(*folders: Path) -> list[Path]:
    return [path for folder in folders if folder.exists() for path in folder.rglob("*")]


def test_a_restarted_jobpub_dev_keeps_its_key_its_jobs_and_links_and_its_banner_still_works(tmp_path):
    home, port = tmp_path / "home", free_port()
    with jobpub_dev(home, port, tmp_path / "first") as first:
        key = first.ready()
        before = first.publish(key)["platforms"]
    assert first.process.returncode in (0, 130), first.output[-2000:]  # stopped by Ctrl+C, cleanly

    with jobpub_dev(home, port, tmp_path / "second") as second:
        assert second.ready() == key  # the same organization and key: no new key per run
        after = second.published(key, 1)["platforms"]  # the job is still there
        for platform in ("linkedin", "naukri"):
            assert after[platform]["url"] == before[platform]["url"]
            assert httpx.get(before[platform]["url"]).status_code == 200  # the links still open
        assert _emulator_url(second.output, "linkedin") in before["linkedin"]["url"]

        # The banner's own lines, run as printed: they publish job 2, and candidates apply to it.
        ran = bash(banner_lines(second.output, lambda line: line.startswith("JOB=")))
        assert ran.returncode == 0 and ran.stdout.strip() == "job 2", ran.stdout + ran.stderr
        second.published(key, 2)
        apply = banner_lines(second.output, lambda line: "external_id" in line and "curl" in line)
        ran = bash(f"JOB=2\n{apply}")
        assert ran.returncode == 0, ran.stderr
        assert len(re.findall(r'"jobApplicationId"', ran.stdout)) == 2  # LinkedIn's
        assert len(re.findall(r'"applicationId"', ran.stdout)) == 3  # Naukri's


def bash(script: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-euc", script], capture_output=True, text=True, timeout=60)


def test_every_command_finds_the_dev_setup_from_any_folder_with_nothing_set(tmp_path):
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    with jobpub_dev(home, free_port(), tmp_path / "started-here") as dev:
        key = dev.ready()
        status = dev.publish(key)["platforms"]
        naukri = _emulator_url(dev.output, "naukri")
        made = httpx.post(
            f"{naukri}/_emulator/applications", json={"external_id": status["naukri"]["external_id"], "count": 2}
        )
        assert made.status_code == 201, made.text

        log = jobpub(home, elsewhere, "log", "1")
        assert log.returncode == 0, log.stderr
        assert "JobPublished" in log.stdout and status["naukri"]["url"] in log.stdout

        preview = jobpub(home, elsewhere, "sync-applications", "--dry-run", "--platform", "naukri")
        assert preview.returncode == 0, preview.stderr
        # It pulled from the emulator (the real Naukri is never asked); its scheduler may have stored them already.
        assert re.fullmatch(
            r"dev naukri: fetched \d+, would store \d+, already stored \d+, not ours 0\n", preview.stdout
        )

        assert jobpub(home, elsewhere, "apikey", "list", "-o", "dev").returncode == 0
        assert jobpub(home, elsewhere, "rotate-keys", "--dry-run").returncode == 0  # the dev key file is found
    assert files_under(elsewhere) == []  # no stray database where the commands ran


def test_what_jobpub_dev_records_points_every_platform_at_its_emulator_and_moves_nothing_else(tmp_path):
    home = DataDir(tmp_path / "data")
    home.path.mkdir()
    urls = {name: f"http://127.0.0.1:{9100 + number}" for number, name in enumerate(EMULATORS)}
    pointed = {key: value for name, url in urls.items() for key, value in EMULATORS[name].settings_for(url).items()}
    hand_edited = {"database_url": "postgresql+psycopg://elsewhere/jobs", "broker_url": "redis://elsewhere"}
    record_addresses(home, {"api": "http://127.0.0.1:8000", **urls}, {**pointed, **hand_edited})

    settings = with_dev_setup(Settings(data_dir=home.path))

    assert {key: getattr(settings, key) for key in pointed} == pointed  # every platform, at its own emulator
    assert settings.linkedin_job_view_url == urls["linkedin"] + "/jobs/view/{id}"
    assert settings.uses_data_dir and settings.broker_url is None  # the recorded file moved nothing else


def test_with_nothing_set_up_a_command_says_what_to_set_in_one_line_and_creates_nothing(tmp_path):
    home, here = tmp_path / "home", tmp_path / "here"
    for command in (
        ("log", "1"),
        ("failures", "list"),
        ("sync-applications", "--dry-run"),
        ("import-applications", "naukri", __file__, "-o", "dev"),
        ("org", "create", "acme"),
        ("apikey", "list", "-o", "dev"),
        ("platform", "configure", "dev", "naukri", "--client-id", "c", "--client-secret", "s"),
        ("rotate-keys", "--dry-run"),
    ):
        ran = jobpub(home, here, *command)
        assert ran.returncode != 0, command
        assert len(ran.stderr.strip().splitlines()) == 1, (command, ran.stderr)
        assert "JOBPUB_DATABASE_URL" in ran.stderr and "jobpub dev" in ran.stderr, ran.stderr
    assert files_under(home, here) == []


def test_a_busy_port_is_refused_in_one_line_before_anything_is_printed_or_written(tmp_path):
    home = tmp_path / "home"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        ran = jobpub(home, tmp_path, "dev", "--port", str(port))
    assert ran.returncode != 0
    assert ran.stdout == "" and len(ran.stderr.strip().splitlines()) == 1, ran.stdout + ran.stderr
    assert str(port) in ran.stderr and "--port" in ran.stderr
    assert files_under(home) == []  # no data directory, no key made


def test_a_second_jobpub_dev_on_the_same_data_directory_refuses_and_the_first_still_publishes(tmp_path):
    home, port = tmp_path / "home", free_port()
    with jobpub_dev(home, port, tmp_path / "first") as first:
        key = first.ready()
        first.publish(key)
        for second_port in (free_port(), port):  # on another port, or on the same one by mistake
            second = jobpub(home, tmp_path / "second", "dev", "--port", str(second_port))
            assert second.returncode != 0
            assert len(second.stderr.strip().splitlines()) == 1 and second.stdout == "", second.stderr
            assert f"already running with this data directory (pid {first.process.pid})" in second.stderr
        first.publish(key)  # its platform credentials were left alone: it still publishes


def test_an_unknown_fault_name_is_answered_with_the_valid_ones(emulators):
    for url, kinds in (
        (emulators.naukri_url, ("server_error", "reject")),
        (emulators.linkedin_url, ("expire_tokens",)),
    ):
        answer = httpx.post(f"{url}/_emulator/faults", json={"sever_error": {"times": 1}})
        assert answer.status_code == 400
        message = answer.json()["message"]
        assert "sever_error" in message and all(kind in message for kind in kinds), message


def test_the_command_lists_its_commands_in_the_order_a_user_meets_them_and_flags_show_no_type(tmp_path):
    listing = jobpub(tmp_path, tmp_path, "--help").stdout
    order = ["dev", "org", "apikey", "platform", "keygen", "migrate", "api", "relay", "worker", "scheduler", "log"]
    order += ["failures", "sync-applications", "import-applications", "rotate-keys", "emulator"]
    positions = [re.search(rf"│ {name} ", listing).start() for name in order]
    assert positions == sorted(positions), listing
    assert "jobpub log 42" in listing and "<bool>" not in listing

    configure = jobpub(tmp_path, tmp_path, "platform", "configure", "--help").stdout
    secret = next(line for line in configure.splitlines() if "--client-secret" in line)
    assert "required" not in secret and "<bool>" not in configure
    assert "data" in jobpub(tmp_path, tmp_path, "dev", "--help").stdout
