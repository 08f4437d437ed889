"""The dev data directory: the one folder where `jobpub dev` keeps what must outlive a restart,
and where every other `jobpub` command finds it when nothing is configured.

    jobpub.db                 the SQLite database
    encryption.key            the key for JOBPUB_ENCRYPTION_KEYS (mode 0600)
    api-key                   the dev organization's API key in plain text (mode 0600; the database keeps a hash)
    emulators.json            where the API and each platform's emulator listen (their postings' links
                              point there), and under "settings" the settings that point jobpub at them
    <platform>-emulator.json  what each emulator holds: clients, postings, applications (mode 0600)
    dev.lock                  held by the running `jobpub dev`; its pid inside

It lives in the user's data folder (platformdirs: ~/.local/share/jobpub on Linux) unless
JOBPUB_DATA_DIR or `jobpub dev --data-dir` names another.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "jobpub"
PRIVATE_FILE_MODE = 0o600  # keys and client secrets: readable by their owner only
SETTINGS_KEY = "settings"  # in emulators.json, beside the addresses


def default_data_dir() -> Path:
    """The user's data folder for jobpub; nothing is created."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


@dataclass(frozen=True)
class DataDir:
    """The paths inside one data directory; reading them creates nothing."""

    path: Path

    @property
    def database(self) -> Path:
        return self.path / "jobpub.db"

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.database}"

    @property
    def encryption_key(self) -> Path:
        return self.path / "encryption.key"

    @property
    def api_key(self) -> Path:
        return self.path / "api-key"

    @property
    def addresses(self) -> Path:
        return self.path / "emulators.json"

    @property
    def lock(self) -> Path:
        return self.path / "dev.lock"

    def emulator_state(self, platform: str) -> Path:
        return self.path / f"{platform}-emulator.json"

    def read_encryption_key(self) -> str | None:
        return self.encryption_key.read_text().strip() if self.encryption_key.is_file() else None

    def read_addresses(self) -> dict[str, str]:
        """Where the last `jobpub dev` listened: {"api": url, <platform>: url, …}; {} if nothing."""
        return _text_values(self._read_recorded())

    def read_emulator_settings(self) -> dict[str, str]:
        """The settings the last `jobpub dev` pointed at its emulators: {"naukri_api_url": url, …}."""
        return _text_values(self._read_recorded().get(SETTINGS_KEY))

    def _read_recorded(self) -> dict[str, object]:
        try:
            recorded = json.loads(self.addresses.read_text())
        except (OSError, ValueError):
            return {}
        return recorded if isinstance(recorded, dict) else {}


def _text_values(recorded: object) -> dict[str, str]:
    """The entries of a JSON object whose values are text (a hand-edited file may hold anything)."""
    return (
        {name: text for name, text in recorded.items() if isinstance(text, str)} if isinstance(recorded, dict) else {}
    )


def write_private_file(path: Path, text: str) -> None:
    """Replace `path` with `text` at once (a crash leaves the old or the new file, never half of one),
    readable by its owner only."""
    partial = path.with_name(f".{path.name}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
    os.chmod(partial, PRIVATE_FILE_MODE)  # the file may have existed with a wider mode
    os.replace(partial, path)
