"""What the Naukri emulator holds: postings by job id, each remembering the client that created it,
and the changes our simulation-mode API makes to them (create, replace, close) and its look-ups
(by job id, by reference). Applications to those postings come from NaukriApplications
(naukri_applications.py); the routes that call all this live in naukri.py.

`create` stores a new posting whatever postings already share its reference, as the API
promises (naukri.py): only the caller's look-up before re-creating prevents a double.
"""

from __future__ import annotations

import copy
import itertools
from datetime import UTC, datetime

from services.emulators import naukri_applications

FIRST_JOB_NUMBER = 70_000_001


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class NaukriEmulator(naukri_applications.NaukriApplications):
    """Postings by job id; each remembers the client that created it. Applications come from
    NaukriApplications."""

    external_id_field = "reference"

    def __init__(self) -> None:
        super().__init__()
        self._by_job_id: dict[str, dict] = {}
        self._numbers = itertools.count(FIRST_JOB_NUMBER)

    def create(self, client_id: str, fields: dict) -> dict:
        """Store a new posting, whatever postings share its reference. Returns a copy."""
        with self._lock:
            posting = copy.deepcopy(fields)
            posting.update(
                jobId=f"NK{next(self._numbers)}", status="active", createdAt=_now_iso(), owner_client_id=client_id
            )
            self._by_job_id[posting["jobId"]] = posting
            self._hold(posting)
            return copy.deepcopy(posting)

    def replace(self, client_id: str, job_id: str, fields: dict) -> dict | None:
        """Put `fields` in place of the posting's own (its id, status and owner stay); None if not the client's."""
        with self._lock:
            posting = self._by_job_id.get(job_id)
            if posting is None or posting["owner_client_id"] != client_id:
                return None
            if posting["status"] == "active":
                kept = {key: posting[key] for key in ("jobId", "status", "createdAt", "owner_client_id")}
                posting.clear()
                posting.update(copy.deepcopy(fields), **kept)
            return copy.deepcopy(posting)

    def close(self, client_id: str, job_id: str) -> dict | None:
        with self._lock:
            posting = self._by_job_id.get(job_id)
            if posting is None or posting["owner_client_id"] != client_id:
                return None
            posting["status"] = "closed"
            return copy.deepcopy(posting)

    def find(self, client_id: str | None, job_id: str) -> dict | None:
        """The posting with this id, if `client_id` owns it (None: whoever owns it)."""
        with self._lock:
            posting = self._by_job_id.get(job_id)
            if posting is None or client_id not in (None, posting["owner_client_id"]):
                return None
            return copy.deepcopy(posting)

    def with_reference(self, client_id: str, reference: str | None) -> list[dict]:
        """The client's postings with this reference (None: all of them), oldest first."""
        with self._lock:
            return [
                copy.deepcopy(p)
                for p in self._postings
                if p["owner_client_id"] == client_id and reference in (None, p["reference"])
            ]
