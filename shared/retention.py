"""How long an organization keeps its candidates' applications, and which are due for erasure.

A rule keeps applications `keep_days` after they were received, or after their job closed. The
organization's rule (platform NULL) holds for every platform; a platform's own rule overrides it;
with no rule an application is kept, as before retention existed.

A job counts as closed when none of its postings is live or on its way (pending, publishing,
published) and at least one was closed; it closed when the latest `JobClosed` or
`JobClosedByPlatform` of its log was recorded. A job reposted is open again, so its applications
are kept until it closes again. A job that only ever failed never closed: its applications are
kept under a `job_closed` rule (a `received` rule covers them).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import Select, delete, exists, func, select, text
from sqlalchemy.orm import Session

from shared.connections import PLATFORMS
from shared.db import upsert_insert
from shared.models import Application, Job, Posting, PostingStatus, PublishingLog, RetentionRule, utcnow

CountedFrom = Literal["received", "job_closed"]
COUNTED_FROM: tuple[CountedFrom, ...] = ("received", "job_closed")
CLOSE_EVENTS = ("JobClosed", "JobClosedByPlatform")
NOT_CLOSED = (PostingStatus.PENDING, PostingStatus.PUBLISHING, PostingStatus.PUBLISHED)


def rules_of(session: Session, organization_id: int) -> list[RetentionRule]:
    """The organization's rules: its own (platform NULL) first, then each platform's."""
    query = select(RetentionRule).where(RetentionRule.organization_id == organization_id)
    return list(session.scalars(query.order_by(RetentionRule.platform.is_not(None), RetentionRule.platform)))


def set_rule(
    session: Session,
    organization_id: int,
    platform: str | None,
    keep_days: int | None,
    counted_from: CountedFrom,
    by: str,
) -> None:
    """Set the organization's rule for `platform` (None: every platform); `keep_days` None removes
    it (the platform then follows the organization's rule, and the organization keeps everything)."""
    same = (
        RetentionRule.organization_id == organization_id,
        func.coalesce(RetentionRule.platform, "") == (platform or ""),
    )
    if keep_days is None:
        session.execute(delete(RetentionRule).where(*same))
        return
    values = dict(keep_days=keep_days, counted_from=counted_from, updated_at=utcnow(), updated_by=by)
    statement = upsert_insert(session, RetentionRule).values(
        organization_id=organization_id, platform=platform, **values
    )
    session.execute(
        statement.on_conflict_do_update(
            # Written as the index is (a bound "" would not match its expression on SQLite).
            index_elements=[RetentionRule.organization_id, text("coalesce(platform, '')")],
            set_=values,
        )
    )


def effective_rules(rules: list[RetentionRule]) -> dict[str, RetentionRule]:
    """Each platform's rule in force: its own, else the organization's; a platform with none is absent."""
    general = next((rule for rule in rules if rule.platform is None), None)
    own = {rule.platform: rule for rule in rules if rule.platform is not None}
    chosen = {platform: own.get(platform, general) for platform in PLATFORMS}
    return {platform: rule for platform, rule in chosen.items() if rule is not None}


def due_applications(
    session: Session, organization_id: int, platform: str, rule: RetentionRule, now: datetime, limit: int
) -> list[int]:
    """Up to `limit` ids of the organization's applications on `platform` the rule says to erase,
    locked; rows another scheduler holds are skipped (it is erasing them)."""
    cutoff = now - timedelta(days=rule.keep_days)
    query = select(Application.id).where(
        Application.organization_id == organization_id,
        Application.platform == platform,
        Application.erased_at.is_(None),
    )
    if rule.counted_from == "received":
        query = query.where(Application.received_at <= cutoff)
    else:
        query = query.where(Application.job_id.in_(_jobs_closed_by(organization_id, cutoff)))
    query = query.order_by(Application.id).limit(limit).with_for_update(of=Application, skip_locked=True)
    return list(session.scalars(query))


def _jobs_closed_by(organization_id: int, cutoff: datetime) -> Select[int]:
    """The organization's jobs closed (see the module's docstring) at or before `cutoff`."""
    still_open = select(Posting.id).where(Posting.job_id == Job.id, Posting.status.in_(NOT_CLOSED))
    closed = select(Posting.id).where(Posting.job_id == Job.id, Posting.status == PostingStatus.CLOSED)
    closed_at = (
        select(func.max(PublishingLog.created_at))
        .where(PublishingLog.job_id == Job.id, PublishingLog.event_type.in_(CLOSE_EVENTS))
        .scalar_subquery()
    )
    return select(Job.id).where(
        Job.organization_id == organization_id, ~exists(still_open), exists(closed), closed_at <= cutoff
    )
