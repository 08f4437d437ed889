"""`Idempotency-Key` handling, scoped to the organization.

The key is claimed in its own short transaction (one INSERT, autocommitted), so a second
request with the same key can see that the first is still in flight (409) instead of queueing
behind it. The first answer is
stored in the same transaction as the work it describes; a request that ends in an error
releases its key, so the client may try again with it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta

from fastapi import HTTPException
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from services.api.job_publishing import FieldProblem
from shared.db import unit_of_work
from shared.models import IdempotencyKey, utcnow


@dataclass(frozen=True)
class StoredAnswer:
    status: int
    body: dict


def fingerprint(path: str, body: dict) -> str:
    canonical = json.dumps({"path": path, "body": body}, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


class IdempotencyGuard:
    def __init__(self, sessions: sessionmaker[Session], organization_id: int, key: str, request_hash: str):
        self.sessions = sessions
        self.organization_id = organization_id
        self.key = key
        self.request_hash = request_hash

    def begin(self, in_flight_for: float) -> StoredAnswer | None:
        """Claim the key. Returns the first answer if there is one; raises 409/422 as the contract says."""
        locked_until = utcnow() + timedelta(seconds=in_flight_for)
        claim = IdempotencyKey(
            organization_id=self.organization_id,
            key=self.key,
            request_hash=self.request_hash,
            locked_until=locked_until,
        )
        try:
            with unit_of_work(self.sessions) as session:
                if session.get_bind().dialect.name == "postgresql":
                    # One INSERT, committed by itself: without BEGIN and COMMIT it is one round trip, not three.
                    session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
                session.add(claim)
            return None
        except IntegrityError:
            return self._existing(locked_until)

    def _existing(self, locked_until) -> StoredAnswer | None:
        with unit_of_work(self.sessions) as session:
            row = session.scalar(self._mine(select(IdempotencyKey)))
            if row is None:  # released between our insert and this read: treat as in flight
                raise HTTPException(409, "a request with this Idempotency-Key is in progress; try again shortly")
            if row.request_hash != self.request_hash:
                # A 422 like any other: a list of problems, each naming where it is (the OpenAPI document's form).
                raise FieldProblem(
                    ("header", "Idempotency-Key"),
                    "was used with a different request; use a new key",
                    "idempotency_key_reused",
                )
            if row.response_status is not None:
                return StoredAnswer(row.response_status, row.response_body)
            if row.locked_until and row.locked_until > utcnow():
                raise HTTPException(409, "a request with this Idempotency-Key is still in progress")
            # The first request died without answering: this one takes the key over.
            row.locked_until = locked_until
            return None

    def complete(self, session: Session, status: int, body: dict) -> None:
        """Store the answer in the caller's transaction, beside the work it describes."""
        session.execute(
            self._mine(update(IdempotencyKey)).values(response_status=status, response_body=body, locked_until=None)
        )

    def release(self) -> None:
        with unit_of_work(self.sessions) as session:
            session.execute(self._mine(delete(IdempotencyKey)).where(IdempotencyKey.response_status.is_(None)))

    def _mine(self, statement):
        return statement.where(
            IdempotencyKey.organization_id == self.organization_id, IdempotencyKey.key == self.key
        ).execution_options(synchronize_session=False)
