"""An emulator's state kept in a JSON file, so that `jobpub dev`, restarted, still holds the
postings and applications whose links it gave out, and the clients its organization signs in as.

`load` puts a saved state back before the emulator serves; a `StateFile` writes the state
whenever it changed (looked at every second, on a thread) and once more when stopped. The file
holds client secrets: it is written with mode 0600, whole or not at all.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from services.emulators.base import EmulatorState
from shared.data_dir import write_private_file

FORMAT_VERSION = 1
SAVE_INTERVAL_SECONDS = 1.0  # what a crash can lose; a clean stop loses nothing


class UnreadableState(Exception):
    """A state file that cannot be read back; the message names the file."""


def load(emulator: EmulatorState, path: Path) -> bool:
    """Restore the state saved at `path`; False if there is none yet. Raises UnreadableState."""
    if not path.exists():
        return False
    try:
        saved = json.loads(path.read_text())
        if not isinstance(saved, dict) or saved.get("version") != FORMAT_VERSION:
            raise ValueError(f"not an emulator state of version {FORMAT_VERSION}")
        emulator.restore(saved)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise UnreadableState(f"cannot read the emulator state {path}: {error}") from error
    return True


class StateFile:
    """Keeps `path` up to date with the emulator's state while started."""

    def __init__(self, emulator: EmulatorState, path: Path) -> None:
        self._emulator = emulator
        self._path = path
        self._written: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._save_while_running, name=f"save-{path.stem}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread and save once more, so a clean stop keeps every change."""
        self._stop.set()
        self._thread.join()
        self.save()

    def save(self) -> None:
        """Write the state if it differs from what this object wrote last."""
        text = json.dumps({"version": FORMAT_VERSION, **self._emulator.snapshot()}, sort_keys=True)
        if text != self._written:
            write_private_file(self._path, text)
            self._written = text

    def _save_while_running(self) -> None:
        while not self._stop.wait(SAVE_INTERVAL_SECONDS):
            self.save()
