"""A new job's publish request written in one statement, one round trip (PostgreSQL).

The busiest request of the API stores a job, one posting per platform (and part) and one
`JobPublishRequested` per posting. Written by the ORM that was a SELECT of the organization's
connections and three INSERTs, and the unit of work's bookkeeping cost more CPU than the rest of
the request. Here it is one statement:

    WITH connected AS (SELECT count(*) … FROM platform_connections WHERE … platform = ANY(:platforms)),
         job AS (INSERT INTO jobs … WHERE every platform asked for is connected RETURNING id),
         posting AS (INSERT INTO postings … SELECT … FROM job, the planned postings RETURNING …),
         logged AS (INSERT INTO publishing_log … SELECT … FROM posting JOIN the planned events)
    SELECT … FROM posting

The rows are planned in Python exactly as the ORM path plans them (the same `Job` and `Posting`
objects, never added to a session) and handed over as JSON; only what needs the new ids is made
in SQL: the job's id in the postings and events, each posting's id in its event, and the posting's
external id (`jobpub-<job id>-<tail>`, shared/postings.py). The check that every platform is
connected is part of the statement; when it fails the statement writes nothing and the caller
takes the ORM path, which says what is wrong. SQLite, a stored job and "all" (whose platforms are
the connected ones) always take the ORM path (services/api/routers/publishing.py).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import JSON, Connection, Table, text
from sqlalchemy.orm.attributes import instance_dict

from shared.events import JobPublishRequested
from shared.models import Job, Posting, PublishingLog
from shared.outbox import log_values, publish_dispatch

JOBS = cast(Table, Job.__table__)
POSTINGS = cast(Table, Posting.__table__)
LOG = cast(Table, PublishingLog.__table__)


def _columns(table: Table, made_here: tuple[str, ...]) -> tuple[str, str]:
    """The column list of an INSERT into `table` and what it selects for each from the planned
    row (`planned.row`, populated as `r`). A JSON column is read as `planned.row -> 'name'`: a key
    set to null is then a JSON null, and a key left out an SQL NULL, as the ORM writes them.
    Every column is listed, so one left unset gets NULL: a column whose default only the database
    knows (a server default alone) needs a Python-side default too, or it is NULL here."""
    columns = [c for c in table.columns if c.name not in ("id", *made_here)]
    selected = [f"planned.row -> '{c.name}'" if isinstance(c.type, JSON) else f"r.{c.name}" for c in columns]
    return ", ".join(c.name for c in columns), ", ".join(selected)


_JOB_COLUMNS, _JOB_VALUES = _columns(JOBS, ())
_POSTING_COLUMNS, _POSTING_VALUES = _columns(POSTINGS, ("job_id", "external_id"))
_LOG_COLUMNS, _LOG_VALUES = _columns(LOG, ("job_id", "payload"))

# A placeholder the statement overwrites: an event needs ids that exist only once its rows are inserted.
_NOT_YET = 0

WRITE_NEW_JOB = text(
    f"""
WITH connected AS (
    SELECT count(*) AS platforms FROM platform_connections
    WHERE organization_id = :organization_id AND enabled AND platform = ANY(CAST(:platforms AS text[]))
), job AS (
    INSERT INTO jobs ({_JOB_COLUMNS})
    SELECT {_JOB_VALUES}
    FROM (SELECT CAST(:job AS jsonb) AS row) AS planned,
        LATERAL jsonb_populate_record(CAST(NULL AS jobs), planned.row) AS r
    WHERE (SELECT platforms FROM connected) = cardinality(CAST(:platforms AS text[]))
    RETURNING id
), posting AS (
    INSERT INTO postings (job_id, external_id, {_POSTING_COLUMNS})
    SELECT job.id, 'jobpub-' || job.id || '-' || planned.external_id_tail, {_POSTING_VALUES}
    FROM job, jsonb_to_recordset(CAST(:postings AS jsonb)) AS planned(external_id_tail text, row jsonb),
        LATERAL jsonb_populate_record(CAST(NULL AS postings), planned.row) AS r
    RETURNING id, job_id, platform, part, external_id
), logged AS (
    INSERT INTO publishing_log (job_id, payload, {_LOG_COLUMNS})
    SELECT posting.job_id,
        (planned.row -> 'payload') || jsonb_build_object('job_id', posting.job_id, 'posting_id', posting.id),
        {_LOG_VALUES}
    FROM posting
    JOIN jsonb_to_recordset(CAST(:events AS jsonb)) AS planned(platform text, part int, row jsonb)
        ON planned.platform = posting.platform AND planned.part = posting.part,
        LATERAL jsonb_populate_record(CAST(NULL AS publishing_log), planned.row) AS r
)
SELECT id, job_id, platform, part, external_id FROM posting
"""
)


def write_new_job(
    connection: Connection,
    job: Job,
    postings: Sequence[Posting],
    tails: Sequence[str],
    platforms: Sequence[str],
    correlation_id: str | None,
) -> bool:
    """Insert the planned `job` with its requested `postings` (whose external ids end in `tails`)
    and their events, if every one of `platforms` is connected; False, having written nothing,
    when one is not. On success the objects carry their ids and external ids."""
    events = [_planned_event(posting, correlation_id) for posting in postings]
    rows = connection.execute(
        WRITE_NEW_JOB,
        {
            "organization_id": job.organization_id,
            "platforms": list(platforms),
            "job": _json(_row_values(job)),
            "postings": _json(
                [{"external_id_tail": tail, "row": _row_values(p)} for p, tail in zip(postings, tails, strict=True)]
            ),
            "events": _json(events),
        },
    ).all()
    if not rows:
        return False
    by_part = {(posting.platform, posting.part): posting for posting in postings}
    for row in rows:
        posting = by_part[(row.platform, row.part)]
        posting.id, posting.job_id, posting.external_id = row.id, row.job_id, row.external_id
    job.id = rows[0].job_id
    return True


def _planned_event(posting: Posting, correlation_id: str | None) -> dict[str, Any]:
    event = JobPublishRequested(
        organization_id=posting.organization_id,
        job_id=_NOT_YET,
        posting_id=_NOT_YET,
        platform=posting.platform,
        reason="publish",
    )
    row = log_values(event, dispatch=publish_dispatch(posting.platform), correlation_id=correlation_id)
    return {"platform": posting.platform, "part": posting.part, "row": row}


def _row_values(row: Job | Posting) -> dict[str, Any]:
    """The row's column values as an INSERT by the ORM would write them: what was set, else the
    column's Python-side default."""
    state = instance_dict(row)
    values = {}
    for column in cast(Table, type(row).__table__).columns:
        if column.key in state:
            values[column.name] = state[column.key]
        elif column.default is not None and hasattr(column.default, "arg"):
            default = column.default.arg
            values[column.name] = default(None) if callable(default) else default
    return values


def _json(value: Any) -> str:
    return json.dumps(value, default=_json_default, separators=(",", ":"))


def _json_default(value: Any) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:  # as the UTC columns refuse one on the ORM path (shared/models/base.py)
            raise ValueError("naive datetime given to a UTC column")
        return value.isoformat()
    return str(value)  # an HttpUrl: stored as its text, as the ORM path stores it
