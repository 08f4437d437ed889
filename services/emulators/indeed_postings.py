"""What the Indeed emulator holds: the access tokens it issued (oauth.py), sourced job postings keyed by
(client, `sourcedPostingId`: the caller's own id), and Indeed Apply's push of applications.

`upsert` is what `createSourcedJobPostings` does: a second create of one id changes the first
posting (its `jobKey` stays), so Indeed itself never holds a double. `expire` is idempotent.
An application is POSTed once to the `metadata.indeedApply.postUrl` its posting names, signed
`X-Indeed-Signature: base64(HMAC-SHA1(secret, raw body))` with the owner's Indeed Apply secret
(`set_apply_secret`: as Indeed, a secret of its own, not the OAuth client secret), or its first
client secret when none was set; only to that http(s) URL, never through a proxy or after a redirect.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import itertools
import json
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx

from services.emulators.applications import FAKE_RESUME, Application, Candidate, EmulatorWithApplications
from services.emulators.indeed_questions import questions_and_answers, screener_questions
from services.emulators.oauth import EXPIRE_TOKENS, TokenStore
from services.emulators.status_inbox import StatusInbox

DEFAULT_TOKEN_TTL_SECONDS = 3600  # Indeed's access tokens last one hour
PUSH_TIMEOUT_SECONDS = 5.0


def signature(body: bytes, secret: str) -> str:
    """The X-Indeed-Signature header value for this body."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha1).digest()).decode()


class IndeedEmulator(TokenStore, StatusInbox):
    """Indeed's sourced postings, Indeed Apply's pushes and the dispositions received (StatusInbox);
    tokens come from TokenStore (oauth.py)."""

    external_id_field = "sourcedPostingId"
    fault_kinds = EmulatorWithApplications.fault_kinds | {EXPIRE_TOKENS}
    token_ttl_seconds = DEFAULT_TOKEN_TTL_SECONDS

    def __init__(self) -> None:
        super().__init__()
        self._keys = itertools.count(1)
        self._deliveries: list[dict] = []
        self._apply_secrets: dict[str, str] = {}  # client id -> its Indeed Apply token's API secret

    # -- postings ------------------------------------------------------------------------------
    def upsert(self, client_id: str, posting_input: dict) -> dict:
        """Create the posting, or replace the job of the client's posting with this id. Returns a copy."""
        metadata, body = posting_input["metadata"], posting_input["body"]
        with self._lock:
            held = self._find(client_id, metadata["jobPostingId"])
            if held is None:
                held = {
                    "sourcedPostingId": metadata["jobPostingId"],
                    "jobKey": f"{next(self._keys):016x}",
                    "status": "ACTIVE",
                    "owner_client_id": client_id,
                    "createdAt": datetime.now(UTC).isoformat(),
                }
                self._hold(held)
            held.update(title=body["title"], body=copy.deepcopy(body), metadata=copy.deepcopy(metadata))
            return copy.deepcopy(held)

    def expire(self, client_id: str, sourced_posting_id: str) -> dict | None:
        with self._lock:
            held = self._find(client_id, sourced_posting_id)
            if held is not None:
                held["status"] = "EXPIRED"
            return copy.deepcopy(held)

    def find(self, client_id: str | None, sourced_posting_id: str) -> dict | None:
        with self._lock:
            return copy.deepcopy(self._find(client_id, sourced_posting_id))

    def by_job_key(self, job_key: str) -> dict | None:
        with self._lock:
            return next((copy.deepcopy(p) for p in self._postings if p["jobKey"] == job_key), None)

    def _find(self, client_id: str | None, sourced_posting_id: str) -> dict | None:
        for posting in reversed(self._postings):
            if posting["sourcedPostingId"] == sourced_posting_id and client_id in (None, posting["owner_client_id"]):
                return posting
        return None

    def restore(self, saved: dict) -> None:
        super().restore(saved)
        with self._lock:
            self._keys = itertools.count(len(self._postings) + 1)

    # -- Indeed Apply --------------------------------------------------------------------------
    def _application_wire(self, posting: dict, number: int, candidate: Candidate) -> dict:
        wire = self._applicant_wire(posting, number, candidate)
        if screener_questions(posting):
            wire["questionsAndAnswers"] = questions_and_answers(posting, candidate.answers)
        return wire

    def _applicant_wire(self, posting: dict, number: int, candidate: Candidate) -> dict:
        return {
            "id": hashlib.sha1(f"indeed-apply-{number}".encode()).hexdigest()[:24],
            "appliedOnMillis": int(time.time() * 1000),
            "job": {
                "jobId": posting["sourcedPostingId"],
                "jobKey": posting["jobKey"],
                "jobTitle": posting["title"],
                "jobCompany": posting["metadata"]["jobSource"].get("companyName", ""),
            },
            "applicant": {
                "fullName": f"{candidate.first_name} {candidate.last_name}".strip(),
                "email": candidate.email,
                "phoneNumber": candidate.phone,
                "coverletter": candidate.cover_letter or f"I would like to join as {posting['title']}.",
                "resume": {
                    "file": {
                        "fileName": f"resume-{number}.pdf",
                        "contentType": "application/pdf",
                        "data": base64.b64encode(FAKE_RESUME).decode(),
                    }
                },
            },
        }

    def set_apply_secret(self, client_id: str, secret: str) -> None:
        """Give the client an Indeed Apply secret: its pushes are signed with it from now on."""
        with self._lock:
            self._apply_secrets[client_id] = secret

    def _after_apply(self, posting: dict, made: list[Application]) -> None:
        url = (posting["metadata"].get("indeedApply") or {}).get("postUrl")
        owner = posting["owner_client_id"]
        with self._lock:
            apply_secret = self._apply_secrets.get(owner)
        secret = apply_secret or self.first_secret(owner)
        if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https") or secret is None:
            return
        with httpx.Client(timeout=PUSH_TIMEOUT_SECONDS, trust_env=False, follow_redirects=False) as client:
            for application in made:
                body = json.dumps(application.wire).encode()
                headers = {"Content-Type": "application/json", "X-Indeed-Signature": signature(body, secret)}
                try:
                    status: int | str = client.post(url, content=body, headers=headers).status_code
                except httpx.HTTPError as error:
                    status = type(error).__name__
                with self._lock:
                    self._deliveries.append({"application": application.wire["id"], "url": url, "status": status})

    def deliveries(self) -> list[dict]:
        with self._lock:
            return copy.deepcopy(self._deliveries)
