"""What the Indeed emulator holds: the access tokens it issued, sourced job postings keyed by
(client, `sourcedPostingId`: the caller's own id), and Indeed Apply's push of applications.

`upsert` is what `createSourcedJobPostings` does: a second create of one id changes the first
posting (its `jobKey` stays), so Indeed itself never holds a double. `expire` is idempotent.
An application is POSTed once to the `metadata.indeedApply.postUrl` its posting names, signed
`X-Indeed-Signature: base64(HMAC-SHA1(secret, raw body))` with the owner's first secret; only to
that http(s) URL, never through a proxy or after a redirect.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import itertools
import json
import secrets
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx

from services.emulators.applications import FAKE_RESUME, Application, Candidate
from services.emulators.status_inbox import StatusInbox

DEFAULT_TOKEN_TTL_SECONDS = 3600  # Indeed's access tokens last one hour
PUSH_TIMEOUT_SECONDS = 5.0


def signature(body: bytes, secret: str) -> str:
    """The X-Indeed-Signature header value for this body."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha1).digest()).decode()


class IndeedEmulator(StatusInbox):
    external_id_field = "sourcedPostingId"

    def __init__(self) -> None:
        super().__init__()
        self.token_ttl_seconds: float = DEFAULT_TOKEN_TTL_SECONDS
        self._tokens: dict[str, tuple[str, float]] = {}  # token -> (client id, expires at)
        self._keys = itertools.count(1)
        self._deliveries: list[dict] = []

    # -- tokens --------------------------------------------------------------------------------
    def set_faults(self, faults: dict) -> None:
        """As the base, plus `expire_tokens`: a one-shot act, not a fault that waits for requests."""
        faults = dict(faults)
        expire = faults.pop("expire_tokens", False)
        super().set_faults(faults)
        if expire:
            self.expire_tokens()

    def expire_tokens(self) -> None:
        with self._lock:
            now = time.time()
            self._tokens = {t: (client, min(at, now)) for t, (client, at) in self._tokens.items()}

    def issue_token(self, client_id: str) -> tuple[str, int]:
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = (client_id, time.time() + self.token_ttl_seconds)
            return token, int(self.token_ttl_seconds)

    def issued_tokens(self, client_id: str) -> list[str]:
        with self._lock:
            return [token for token, (client, _) in self._tokens.items() if client == client_id]

    def token_holder(self, token: str) -> tuple[str, bool] | None:
        """(client id, expired?) for a token we issued; None for one we never did."""
        with self._lock:
            found = self._tokens.get(token)
        return None if found is None else (found[0], time.time() >= found[1])

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

    def _after_apply(self, posting: dict, made: list[Application]) -> None:
        url = (posting["metadata"].get("indeedApply") or {}).get("postUrl")
        secret = self.first_secret(posting["owner_client_id"])
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
