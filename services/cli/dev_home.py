"""What `jobpub dev` claims before it prints a line or writes a file: its data directory
(shared/data_dir.py), locked so that a second `jobpub dev` on the same directory stops at once
instead of rewriting what the running one uses, and every port it will serve on: the API's, and
the emulators' ports of the last run (the links it gave out point at them).

Each refusal is one `DevRefused` line saying what to do.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from services.emulators.registry import EMULATORS
from services.emulators.server import LOOPBACK, listening_socket
from shared.data_dir import PRIVATE_FILE_MODE, SETTINGS_KEY, DataDir, write_private_file


class DevRefused(Exception):
    """`jobpub dev` cannot start; the message is one line saying why and what to do."""


@dataclass
class Claimed:
    """What this `jobpub dev` holds until it exits: the lock and the listening sockets."""

    lock_descriptor: int
    api: socket.socket
    emulators: dict[str, socket.socket]


def claim(home: DataDir, host: str, port: int) -> Claimed:
    """Lock the data directory and take every port; nothing is written unless all of it succeeds.

    An existing directory is locked first, so a second `jobpub dev` on it is told that one runs
    (not that its port is busy); a new one is made only once the ports are known to be free."""
    lock = _lock(home) if home.lock.exists() else None
    recorded = home.read_addresses()
    api = _listen(host, port, "pick another with --port")
    emulators = {
        platform: _listen(
            LOOPBACK,
            _port_of(recorded.get(platform)),
            f"the {entry.title} emulator has listened there since its first run and its postings' links point at it;"
            " free the port, or start afresh with another --data-dir",
        )
        for platform, entry in EMULATORS.items()
    }
    if lock is None:
        home.path.mkdir(mode=0o700, parents=True, exist_ok=True)  # keys and client secrets live there
        lock = _lock(home)
    return Claimed(lock, api, emulators)


def record_addresses(home: DataDir, addresses: dict[str, str], settings: dict[str, str]) -> None:
    """Where the API and the emulators listen, for the next `jobpub dev`, and the settings that point
    jobpub at those emulators, for the other commands (shared/config.py: `with_dev_setup`)."""
    write_private_file(home.addresses, json.dumps({**addresses, SETTINGS_KEY: settings}, indent=2) + "\n")


def _lock(home: DataDir) -> int:
    descriptor = os.open(home.lock, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
    try:
        # Held until the process ends, however it ends: the kernel releases it, no stale lock remains.
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(descriptor, 32).decode(errors="replace").strip() or "unknown"
        os.close(descriptor)
        raise DevRefused(
            f"jobpub dev is already running with this data directory (pid {holder}): {home.path}"
        ) from None
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
    return descriptor


def _listen(host: str, port: int, advice: str) -> socket.socket:
    try:
        return listening_socket(host, port)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise DevRefused(f"port {port} on {host} is in use: {advice}") from None
        raise DevRefused(f"cannot listen on {host} port {port}: {error.strerror or error}") from None


def _port_of(url: str | None) -> int:
    """The port in a recorded URL; 0 (any free port) if none was recorded."""
    if not url:
        return 0
    try:
        return urlsplit(url).port or 0
    except ValueError:  # a hand-edited file: take any port rather than fail
        return 0
