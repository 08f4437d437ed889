"""What the LinkedIn emulator holds: postings keyed by (client id, externalJobPostingId), the
asynchronous tasks that report on them (CREATE, UPDATE, RENEW, CLOSE), and what the status
look-up shows of a posting. Tokens come from TokenStore (oauth.py), applications and
their webhook push from LinkedInApplications (linkedin_applications.py).

A task's outcome is decided, and its posting stored, when the task is created; the task only
*reports* the outcome once `settle_seconds` have passed. So a response lost after the create
still leaves exactly one posting, and a second CREATE of the same id fails as a duplicate even
while the first is in progress.
"""

from __future__ import annotations

import copy
import itertools
import time
import uuid

from services.emulators.linkedin_applications import LinkedInApplications
from services.emulators.linkedin_oauth import DEFAULT_TOKEN_TTL_SECONDS
from services.emulators.oauth import EXPIRE_TOKENS, TokenStore
from services.emulators.status_inbox import StatusInbox

DEFAULT_SETTLE_SECONDS = 0.2
FIRST_POSTING_NUMBER = 4217555000  # the size of real LinkedIn job ids, so adapters see realistic ones
RENEWAL_MS = 30 * 24 * 3600 * 1000

DUPLICATE = "ErrorCode 2009: a job posting with this externalJobPostingId already exists"
UNKNOWN_POSTING = "no job posting with this externalJobPostingId exists for this organization"
# Fields the emulator keeps on a posting itself; an UPDATE replaces everything else.
OWN_FIELDS = ("jobPosting", "jobPostingNumber", "owner_client_id", "listingStatus", "expireAt", "settlesAt")


def _now_ms() -> int:
    return int(time.time() * 1000)


class LinkedInEmulator(TokenStore, LinkedInApplications, StatusInbox):
    """Tasks and postings; postings are keyed by (client id, externalJobPostingId).
    Tokens come from TokenStore, applications and their webhook push from LinkedInApplications,
    the application statuses received from StatusInbox."""

    external_id_field = "externalJobPostingId"
    fault_kinds = LinkedInApplications.fault_kinds | {EXPIRE_TOKENS}

    def __init__(
        self, token_ttl_seconds: float = DEFAULT_TOKEN_TTL_SECONDS, settle_seconds: float = DEFAULT_SETTLE_SECONDS
    ):
        super().__init__()
        self.token_ttl_seconds = token_ttl_seconds
        self.settle_seconds = settle_seconds
        self._tasks: dict[str, dict] = {}
        self._by_external: dict[tuple[str, str], dict] = {}
        self._by_number: dict[int, dict] = {}
        self._numbers = itertools.count(FIRST_POSTING_NUMBER)

    def submit(self, client_id: str, element: dict) -> str:
        """Create the task for one valid element, deciding its outcome now. Returns the task urn."""
        urn = f"urn:li:simpleJobPostingTask:{uuid.uuid4()}"
        with self._lock:
            error = self._apply(client_id, element)
            posting = self._by_external.get((client_id, element["externalJobPostingId"]))
            self._tasks[urn] = {
                "id": urn,
                "owner": client_id,
                "externalJobPostingId": element["externalJobPostingId"],
                "operation": element["jobPostingOperationType"],
                "location": element["location"],
                "settlesAt": _now_ms() + int(self.settle_seconds * 1000),
                "jobPosting": posting["jobPosting"] if posting and not error else None,
                "errorMessage": error,
            }
        return urn

    def _apply(self, client_id: str, element: dict) -> str | None:
        """Carry out one operation (lock held). Returns why it fails, or None."""
        key = (client_id, element["externalJobPostingId"])
        posting = self._by_external.get(key)
        operation = element["jobPostingOperationType"]
        if operation == "CREATE":
            if posting is not None:
                return DUPLICATE
            self._create(key, element)
        elif posting is None:
            return UNKNOWN_POSTING
        elif operation == "UPDATE":
            kept = {field: posting[field] for field in OWN_FIELDS}
            posting.clear()
            posting.update(copy.deepcopy(element), **kept)
            posting["expireAt"] = element.get("expireAt", kept["expireAt"])
        elif operation == "RENEW":
            posting["expireAt"] += RENEWAL_MS
        else:  # CLOSE
            posting["listingStatus"] = "NOT_LISTED"
        return None

    def _create(self, key: tuple[str, str], element: dict) -> None:
        number = next(self._numbers)
        now = _now_ms()
        posting = copy.deepcopy(element)
        posting.update(
            jobPosting=f"urn:li:jobPosting:{number}",
            jobPostingNumber=number,
            owner_client_id=key[0],
            listingStatus="LISTED",
            expireAt=element.get("expireAt", now + RENEWAL_MS),
            settlesAt=now + int(self.settle_seconds * 1000),
        )
        self._by_external[key] = posting
        self._by_number[number] = posting
        self._hold(posting)

    def operations_for(self, external_id: str) -> list[str]:
        """The operations (CREATE, UPDATE, RENEW, CLOSE) sent for this id, in order: tests check the sequence."""
        with self._lock:
            return [task["operation"] for task in self._tasks.values() if task["externalJobPostingId"] == external_id]

    def task_view(self, client_id: str, urn: str) -> dict | None:
        """A task as the task look-up shows it to its owner; None if unknown to this client."""
        with self._lock:
            task = self._tasks.get(urn)
            if task is None or task["owner"] != client_id:
                return None
            view = {key: task[key] for key in ("id", "externalJobPostingId", "location")}
            if _now_ms() < task["settlesAt"]:
                view["status"] = "IN_PROGRESS"
            elif task["errorMessage"]:
                view.update(status="FAILED", errorMessage=task["errorMessage"])
            else:
                view.update(status="SUCCEEDED", jobPosting=task["jobPosting"])
            return view

    def status_view(self, client_id: str, external_id: str, site: str) -> dict | None:
        """A posting as the status look-up shows it to its owner; None if it holds none."""
        with self._lock:
            posting = self._by_external.get((client_id, external_id))
            if posting is None:
                return None
            view = {
                "externalJobPostingId": external_id,
                "linkedInApplyStatus": "ENABLED" if posting.get("onsiteApplyConfiguration") else "NOT_ENABLED",
                "promotionStatus": "NOT_PROMOTED",
                "jobPostingInfo": {
                    "expireAt": posting["expireAt"],
                    "listedAt": posting["listedAt"],
                    "location": posting["location"],
                },
                "rawLocation": posting["location"],
            }
            if _now_ms() < posting["settlesAt"]:  # no public id until the create has settled
                view["listingStatus"] = "IN_PROGRESS"
                return view
            expired = posting["expireAt"] <= _now_ms()  # an expired posting is no longer listed
            view.update(
                listingStatus="NOT_LISTED" if expired else posting["listingStatus"],
                jobPosting=posting["jobPosting"],
                jobPostingUrl=f"{site}/jobs/view/{posting['jobPostingNumber']}",
            )
            return view

    def close_on_its_own(self, external_id: str) -> int:
        """LinkedIn closes the posting(s) with this id itself, as it may (policy, a complaint). Returns how many."""
        with self._lock:
            closed = [p for p in self._postings if p.get("externalJobPostingId") == external_id]
            for posting in closed:
                posting["listingStatus"] = "NOT_LISTED"
            return len(closed)

    def snapshot(self) -> dict:
        with self._lock:
            return {**super().snapshot(), "tasks": copy.deepcopy(self._tasks)}

    def restore(self, saved: dict) -> None:
        """As the base, then the tasks, the postings' indexes and the next posting number."""
        super().restore(saved)
        with self._lock:
            self._tasks = copy.deepcopy(saved["tasks"])
            self._by_external = {(p["owner_client_id"], p["externalJobPostingId"]): p for p in self._postings}
            self._by_number = {p["jobPostingNumber"]: p for p in self._postings}
            self._numbers = itertools.count(max(self._by_number, default=FIRST_POSTING_NUMBER - 1) + 1)

    def posting_by_number(self, number: int) -> dict | None:
        with self._lock:
            found = self._by_number.get(number)
            return copy.deepcopy(found) if found else None
