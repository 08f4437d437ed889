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
from datetime import UTC, datetime, timedelta

from services.emulators import naukri_applications

FIRST_JOB_NUMBER = 70_000_001
LISTING_DAYS = 30  # a posting's life without an expiresAt, and what a refresh adds


def _now_iso() -> str:
    return _iso(datetime.now(UTC))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parsed(text: str | None) -> datetime:
    """An expiresAt as stored (any ISO 8601; a naive one is UTC); none: now."""
    if not text:
        return datetime.now(UTC)
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


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
            posting.setdefault("expiresAt", _iso(datetime.now(UTC) + timedelta(days=LISTING_DAYS)))
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
                expires_at = posting.get("expiresAt")
                posting.clear()
                posting.update(copy.deepcopy(fields), **kept)
                posting.setdefault("expiresAt", expires_at)  # an update without one keeps the listing's
            return copy.deepcopy(posting)

    def refresh(self, client_id: str, job_id: str) -> dict | None:
        """Naukri's refresh: listed 30 more days from its expiry, or from now if that has passed.
        None if not the client's; a closed posting is returned unchanged (the route refuses it)."""
        with self._lock:
            posting = self._by_job_id.get(job_id)
            if posting is None or posting["owner_client_id"] != client_id:
                return None
            if posting["status"] == "active":
                expiry = max(_parsed(posting.get("expiresAt")), datetime.now(UTC))
                posting["expiresAt"] = _iso(expiry + timedelta(days=LISTING_DAYS))
                posting["refreshedAt"] = _now_iso()
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

    def restore(self, saved: dict) -> None:
        """As the base, then the index by job id and the next job number."""
        super().restore(saved)
        with self._lock:
            self._by_job_id = {p["jobId"]: p for p in self._postings}
            numbers = [int(job_id.removeprefix("NK")) for job_id in self._by_job_id]
            self._numbers = itertools.count(max(numbers, default=FIRST_JOB_NUMBER - 1) + 1)

    def with_reference(self, client_id: str, reference: str | None) -> list[dict]:
        """The client's postings with this reference (None: all of them), oldest first."""
        with self._lock:
            return [
                copy.deepcopy(p)
                for p in self._postings
                if p["owner_client_id"] == client_id and reference in (None, p["reference"])
            ]
