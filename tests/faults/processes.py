"""The pipeline's processes as a deployment runs them: `jobpub relay` and `jobpub worker` groups,
started from the scenario's settings and killed the way a node dies (SIGKILL to the group)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import settings_env

JOBPUB = Path(sys.executable).parent / "jobpub"
PUBLISH_QUEUES = ("publish.linkedin", "publish.naukri")


class Process:
    """One `jobpub` command in its own process group, its output kept in a log file."""

    def __init__(self, name: str, args: list[str], env: dict, log_path: Path):
        self.name = name
        self.args = args
        self.log_path = log_path
        self.started_at = time.monotonic()
        self._log_offset = log_path.stat().st_size if log_path.exists() else 0
        with open(log_path, "ab") as log:
            self.popen = subprocess.Popen(
                [str(JOBPUB), *args], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def log_since_start(self) -> str:
        """What this process wrote to its log (shared with earlier processes of the same name)."""
        with open(self.log_path, "rb") as log:
            log.seek(self._log_offset)
            return log.read().decode(errors="replace")

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL to the whole group: the dramatiq CLI forks its worker processes."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(10)


def start_relay(settings, log_folder: Path, **extra) -> Process:
    return Process("relay", ["relay"], settings_env(settings, **extra), log_folder / "relay.log")


def start_worker(settings, log_folder: Path, name: str, *, processes: int = 1, threads: int = 4, **extra) -> Process:
    queues = [arg for queue in PUBLISH_QUEUES for arg in ("--queues", queue)]
    args = ["worker", *queues, "--processes", str(processes), "--threads", str(threads)]
    return Process(name, args, settings_env(settings, **extra), log_folder / f"worker-{name}.log")


def start_api(settings, log_folder: Path, port: int) -> Process:
    args = ["api", "--host", "127.0.0.1", "--port", str(port)]
    return Process("api", args, settings_env(settings), log_folder / "api.log")
