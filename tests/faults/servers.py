"""Private servers a fault can stop without touching anyone else's: a PostgreSQL cluster of the
scenario's own (initdb + pg_ctl in a temporary folder) on a free loopback port.

The shared PostgreSQL on 5432 serves every engineer's tests, so restarting it is out of the
question; a private cluster takes about a second to create and can be restarted at will.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.support import free_port

# initdb refuses to run as root; on a root CI box the cluster runs as this (unprivileged) user.
CLUSTER_USER = "postgres"


def postgres_bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def private_postgres_possible() -> str | None:
    """None if a private cluster can run here; otherwise why not."""
    if postgres_bin_dir() is None:
        return "no initdb under /usr/lib/postgresql/*/bin"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(CLUSTER_USER)
        except KeyError:
            return f"running as root and there is no {CLUSTER_USER!r} user to run initdb as"
        if shutil.which("runuser") is None:
            return "running as root without runuser"
    return None


class OwnPostgres:
    """A throwaway PostgreSQL cluster: trust auth, loopback only, no fsync (speed, not durability)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="jobpub-pg-"))
        self.data = self.folder / "data"
        self.bin = postgres_bin_dir()

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url_of(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", CLUSTER_USER, "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)

    def create(self) -> OwnPostgres:
        if os.geteuid() == 0:
            shutil.chown(self.folder, CLUSTER_USER)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()
        return self

    def _options(self) -> str:
        return f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-o", self._options(), "-l", str(self.folder / "log"), "-w", "start")

    def restart(self, down_seconds: float = 0.0) -> None:
        """A fast shutdown (every connection is cut), `down_seconds` of nothing, a start."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        time.sleep(down_seconds)
        self.start()

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)
