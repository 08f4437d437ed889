"""Which organization a feed token opens, and its live feed jobs read in batches.

Each job's page link in the feed and its apply link carry where the candidate came from
(shared/source_tracking.py: `utm_source=feed…` unless the organization chose otherwise).

A job is in the feed while its `feed` posting is published; a close, a failed publish or an
expired `expires_at` takes it out. The validators (`ETag`, `Last-Modified`) come from one
aggregate over the same rows, so a crawler's repeat visit costs one small query and a 304.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from services.api.feed_documents import FeedJob
from shared.connections import credentials_of, find_connection
from shared.crypto import CredentialCipher, CredentialDecryptError
from shared.feed_address import FEED_PLATFORM, job_page_url, organization_of, token_matches
from shared.models import Job, Organization, Posting, PostingStatus, utcnow
from shared.source_tracking import parameters_of, tagged_url

FEED_BATCH_ROWS = 500  # rows per fetch: bounded memory, few round trips for 10,000 jobs


@dataclass(frozen=True)
class Validators:
    etag: str
    last_modified: datetime | None


def feed_organization(session: Session, cipher: CredentialCipher | None, token: str) -> int | None:
    """The organization whose current feed token this is; None for any other token."""
    organization_id = organization_of(token)
    if organization_id is None or cipher is None:
        return None
    connection = find_connection(session, organization_id, FEED_PLATFORM)
    if connection is None or not connection.enabled:
        return None
    try:
        secret = credentials_of(cipher, connection).client_secret
    except CredentialDecryptError:
        return None
    return organization_id if token_matches(token, organization_id, secret) else None


def _live(organization_id: int) -> list[ColumnElement[bool]]:
    return [
        Posting.organization_id == organization_id,
        Posting.platform == FEED_PLATFORM,
        Posting.status == PostingStatus.PUBLISHED,
        or_(Job.expires_at.is_(None), Job.expires_at > utcnow()),
    ]


def validators(session: Session, organization_id: int, token: str, reference: str | None = None) -> Validators:
    conditions = _live(organization_id) + ([Posting.external_id == reference] if reference else [])
    count, id_sum, job_changed, posting_changed = session.execute(
        select(func.count(), func.sum(Posting.id), func.max(Job.updated_at), func.max(Posting.updated_at))
        .select_from(Posting)
        .join(Job, Job.id == Posting.job_id)
        .where(*conditions)
    ).one()
    changed = max((moment for moment in (job_changed, posting_changed) if moment), default=None)
    # The token is in the tag so a rotated address never revalidates against the old one.
    seed = f"{token}|{reference}|{count}|{id_sum}|{changed.isoformat() if changed else ''}"
    return Validators(f'"{hashlib.sha256(seed.encode()).hexdigest()[:32]}"', changed)


# Columns, not entities: no identity map or object state per row, which a feed of thousands pays for.
_COLUMNS = (
    Posting.id,
    Posting.external_id,
    func.coalesce(Posting.published_at, Posting.requested_at),
    Job.id,
    Posting.locations,  # a feed posting carries one location (shared/locations.py): one <job> each
    Job.title,
    Job.description,
    Job.location,
    Job.employment_type,
    Job.workplace_type,
    Job.apply_url,
    Job.company_name,
    Job.salary,
    Job.expires_at,
)


def _feed_job(row: Row[Any], base_url: str, token: str, tracking: dict[str, str]) -> FeedJob:
    values: tuple[Any, ...] = tuple(row)
    _, reference, published_at, job_id, own_locations, *fields = values
    title, description, job_location, employment_type, workplace_type, apply_url, company, salary, expires_at = fields
    page_url = job_page_url(base_url, token, reference)

    def tagged(url: str) -> str:
        return tagged_url(url, tracking, platform=FEED_PLATFORM, job_id=job_id, external_id=reference)

    return FeedJob(
        reference=reference,
        title=title,
        description=description,
        location=own_locations[0] if own_locations else job_location,
        employment_type=employment_type,
        workplace_type=workplace_type,
        apply_url=tagged(apply_url),
        company=company,
        salary=salary,
        expires_at=expires_at,
        published_at=published_at,
        page_url=page_url,
        listed_url=tagged(page_url),
    )


def source_tracking(session: Session, organization_id: int) -> dict[str, str]:
    """The parameters the organization's feed links carry (shared/source_tracking.py)."""
    return parameters_of(session.scalar(select(Organization.source_tracking).where(Organization.id == organization_id)))


def _rows(organization_id: int) -> Select[Any]:
    return select(*_COLUMNS).join(Job, Job.id == Posting.job_id).where(*_live(organization_id)).order_by(Posting.id)


def live_jobs(sessions: sessionmaker[Session], organization_id: int, base_url: str, token: str) -> Iterator[FeedJob]:
    """Every live feed job, fetched `FEED_BATCH_ROWS` at a time (keyset on the posting id)."""
    after = 0
    with sessions() as session:
        tracking = source_tracking(session, organization_id)
    while True:
        with sessions() as session:
            rows = session.execute(_rows(organization_id).where(Posting.id > after).limit(FEED_BATCH_ROWS)).all()
            batch = [_feed_job(row, base_url, token, tracking) for row in rows]
        yield from batch
        if len(rows) < FEED_BATCH_ROWS:
            return
        after = rows[-1][0]


def live_job(session: Session, organization_id: int, reference: str, base_url: str, token: str) -> FeedJob | None:
    row = session.execute(_rows(organization_id).where(Posting.external_id == reference)).first()
    return _feed_job(row, base_url, token, source_tracking(session, organization_id)) if row else None


def company_name(session: Session, organization_id: int) -> str:
    """The feed's publisher: the company on the organization's newest job (no account name leaks)."""
    name = session.scalar(
        select(Job.company_name).where(Job.organization_id == organization_id).order_by(Job.id.desc()).limit(1)
    )
    return name or ""
