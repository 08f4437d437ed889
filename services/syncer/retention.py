"""Applying the organizations' retention rules: the scheduler erases what they say is due.

Batch by batch, each its own transaction with its `ApplicationsErased` (counts and ids, never
what was erased), so a long first run commits as it goes and a crash loses no more than one
batch's work, which the next run does again. An erased application is no longer due, so running
twice erases nothing the second time; two schedulers at once skip each other's locked rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from shared.db import unit_of_work
from shared.models import RetentionRule, utcnow
from shared.privacy import erase_applications
from shared.retention import due_applications, effective_rules

log = structlog.get_logger(__name__)

BY = "retention"  # who erased, in the event: the rule, not a person
BATCH_SIZE = 500  # applications erased per transaction: short locks, and a bounded event


@dataclass(frozen=True)
class Erased:
    organization_id: int
    platform: str
    count: int


def apply_retention(
    sessions: sessionmaker[Session], now: datetime | None = None, batch_size: int = BATCH_SIZE
) -> list[Erased]:
    """Erase every application a retention rule says is due at `now`; what was erased, per
    organization and platform (nothing due: an empty list)."""
    now = now or utcnow()
    with sessions() as session:
        rules = list(session.scalars(select(RetentionRule).order_by(RetentionRule.organization_id)))
        session.expunge_all()
    by_organization: dict[int, list[RetentionRule]] = {}
    for rule in rules:
        by_organization.setdefault(rule.organization_id, []).append(rule)
    done = []
    for organization_id, own in by_organization.items():
        for platform, rule in effective_rules(own).items():
            count = _erase_due(sessions, organization_id, platform, rule, now, batch_size)
            if count:
                done.append(Erased(organization_id, platform, count))
                log.info("retention.erased", organization_id=organization_id, platform=platform, count=count)
    return done


def _erase_due(
    sessions: sessionmaker[Session],
    organization_id: int,
    platform: str,
    rule: RetentionRule,
    now: datetime,
    batch_size: int,
) -> int:
    since = "they were received" if rule.counted_from == "received" else "their job closed"
    reason = f"retention: kept {rule.keep_days} days after {since}"
    erased = 0
    while True:
        with unit_of_work(sessions) as session:
            due = due_applications(session, organization_id, platform, rule, now, batch_size)
            ids = erase_applications(
                session, organization_id, due, cause="retention", reason=reason, by=BY, platform=platform, now=now
            )
        erased += len(ids)
        if len(due) < batch_size or not ids:
            return erased
