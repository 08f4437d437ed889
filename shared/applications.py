"""Storing applications: matched to our postings, stored once each, in bulk.

Every route an application takes in (a scheduled pull, LinkedIn's webhook, a Naukri CSV file)
ends here, in the caller's transaction. Deduplication is the database's: an insert that meets
an existing `(organization, platform, external_application_id)` does nothing, so concurrent
pulls and repeated webhook deliveries cannot store an application twice. Every check is within
the organization: another tenant's applications neither block a store nor show in a count.
Each new application is an `ApplicationReceived` in its job's publishing log, in the same
transaction, whichever route brought it.

A page costs two statements whatever its size on PostgreSQL: the postings it applies to, and one
INSERT of its rows (shared/page_writes.py says how) whose RETURNING feeds the INSERT of their
events in the same statement. On SQLite the events are a third statement.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, cast
from uuid import uuid4

import orjson
from sqlalchemy import Dialect, Row, Table, TextClause, bindparam, select, text
from sqlalchemy.orm import Session

from shared.events import ApplicationReceived
from shared.models import Application, Job, Posting, PublishingLog, utcnow
from shared.outbox import log_values
from shared.page_writes import insert_page, page_document, recordset_insert
from shared.platforms.base import PlatformApplication
from shared.screening import ASKED_ON, ScreeningQuestion, from_stored, judge

# Ids per look-up of what a dry run would find already stored.
LOOKUP_CHUNK = 1000
# The `applications` columns' sizes (shared/models/applications.py). A longer contact value from a
# platform is cut to fit: one absurd phone number must not fail its page's INSERT, and with it
# every later pull of the organization, which would resume from that page again and again.
ID_MAX = 200
FITTED = {"candidate_name": 300, "candidate_email": 320, "candidate_phone": 64, "resume_url": 2000}
# The text columns a platform fills, for stray U+0000s to be dropped (PostgreSQL's text cannot hold them).
PLATFORM_TEXT = ("external_application_id", *FITTED, "cover_letter")
APPLICATIONS = cast(Table, Application.__table__)
PUBLISHING_LOG = cast(Table, PublishingLog.__table__)
POSTINGS, JOBS = cast(Table, Posting.__table__), cast(Table, Job.__table__)
# The organization's postings on the platform that a page's applications apply to, with their jobs'
# questions: a Core statement built once (built per page through the ORM, it cost more CPU than the page's INSERT).
POSTINGS_APPLIED_TO = (
    select(POSTINGS.c.external_id, POSTINGS.c.id, POSTINGS.c.job_id, JOBS.c.screening_questions)
    .join(JOBS, JOBS.c.id == POSTINGS.c.job_id)
    .where(
        POSTINGS.c.organization_id == bindparam("of_organization"),
        POSTINGS.c.platform == bindparam("on_platform"),
        POSTINGS.c.external_id.in_(bindparam("external_ids", expanding=True)),
    )
)


@dataclass
class StoreResult:
    new_ids: list[int] = field(default_factory=list)
    duplicates: int = 0
    unmatched: int = 0  # to postings this organization does not hold on that platform

    @property
    def new(self) -> int:
        return len(self.new_ids)


def store_applications(
    session: Session,
    organization_id: int,
    platform: str,
    source: str,
    applications: Sequence[PlatformApplication],
    *,
    dry_run: bool = False,
    correlation_id: str | None = None,
) -> StoreResult:
    """Store the applications not stored yet, each with its `ApplicationReceived` event; with
    `dry_run`, only count what would be stored."""
    postings = _postings_by_external_id(session, organization_id, platform, {a.job_external_id for a in applications})
    questions = {
        external_id: from_stored(posting.screening_questions)
        for external_id, posting in postings.items()
        if platform in ASKED_ON and posting.screening_questions
    }
    result = StoreResult()
    rows: dict[str, dict[str, Any]] = {}
    for application in applications:
        posting = postings.get(application.job_external_id)
        if posting is None or len(application.external_id) > ID_MAX:  # no application of ours has such an id
            result.unmatched += 1
        elif application.external_id in rows:
            result.duplicates += 1  # the same application twice in one batch
        else:
            asked = questions.get(application.job_external_id, ())
            rows[application.external_id] = _row(organization_id, platform, source, posting, asked, application)
    if dry_run:
        known = _already_stored(session, organization_id, platform, list(rows))
        result.duplicates += len(known)
        result.new_ids = [0] * (len(rows) - len(known))
        return result
    if rows:
        received = _received_template(organization_id, platform, source, correlation_id)
        if session.get_bind().dialect.name == "postgresql":
            inserted = _insert_with_events(session, list(rows.values()), received)
        else:
            inserted = _insert_ignoring_duplicates(session, list(rows.values()))
            _record_received(session, received, inserted)
        result.new_ids.extend(row.id for row in inserted)
        result.duplicates += len(rows) - len(inserted)
    return result


def _postings_by_external_id(
    session: Session, organization_id: int, platform: str, external_ids: set[str]
) -> dict[str, Row[Any]]:
    if not external_ids:
        return {}
    wanted = dict(of_organization=organization_id, on_platform=platform, external_ids=list(external_ids))
    found: Iterable[Row[Any]] = session.execute(POSTINGS_APPLIED_TO, wanted)
    return {row.external_id: row for row in found}


def _row(
    organization_id: int,
    platform: str,
    source: str,
    posting: Row[Any],
    questions: tuple[ScreeningQuestion, ...],
    application: PlatformApplication,
) -> dict[str, Any]:
    row = {
        "organization_id": organization_id,
        "job_id": posting.job_id,
        "posting_id": posting.id,
        "platform": platform,
        "external_application_id": application.external_id,
        "source": source,
        "candidate_name": application.candidate_name,
        "candidate_email": application.candidate_email,
        "candidate_phone": application.candidate_phone,
        "resume_url": application.resume_url,
        "cover_letter": application.cover_letter,
        "answers": application.answers,
        "applied_at": application.applied_at,
        "raw": application.raw,
        "received_at": utcnow(),
        "knocked_out": False,
        "knocked_out_by": None,
    }
    if questions:
        _judge_answers(row, questions, application.answers)
    for column in PLATFORM_TEXT:
        value = row[column]
        if isinstance(value, str):
            value = value[: FITTED[column]] if column in FITTED else value
            row[column] = value.replace("\x00", "") if "\x00" in value else value
    # JSON values are cleaned where the page is serialised (shared/page_writes.py), only if they need it.
    return row


def _judge_answers(row: dict[str, Any], questions: tuple[ScreeningQuestion, ...], answers: object) -> None:
    """Answers keyed by our question id, with the question's text, and the knock-outs the application failed."""
    judged = judge(questions, answers if isinstance(answers, dict) else {})
    row["answers"] = judged.answers or None
    row["knocked_out"] = bool(judged.knocked_out_by)
    row["knocked_out_by"] = judged.knocked_out_by or None


def _received_template(organization_id: int, platform: str, source: str, correlation_id: str | None) -> dict[str, Any]:
    """The publishing-log row (`shared.outbox.log_values`) of the page's `ApplicationReceived` events, but
    for what each event has of its own: `PER_APPLICATION` (zeros here) and its event id."""
    event = ApplicationReceived(
        organization_id=organization_id,
        job_id=0,
        platform=platform,
        application_id=0,
        external_application_id="",
        source=source,
    )
    return log_values(event, correlation_id=correlation_id)


# The fields of an `ApplicationReceived` that are each application's own (its `event_id` besides),
# each the same-named column its row's INSERT returns (`application_id` is the row's id).
PER_APPLICATION = {"job_id": "job_id", "application_id": "id", "external_application_id": "external_application_id"}
RETURNED = ("id", "job_id", "external_application_id")
UNIQUE = ("organization_id", "platform", "external_application_id")


def _insert_with_events(session: Session, rows: list[dict[str, Any]], received: dict[str, Any]) -> Sequence[Row[Any]]:
    """Insert the rows not stored yet and an `ApplicationReceived` for each, in one statement; the
    id, job id and external id of each row that was new."""
    dialect = session.get_bind().dialect
    statement = _inserting_with_events(tuple(rows[0]), tuple(received), dialect)
    parameters = {f"log_{name}": value for name, value in received.items() if name != "payload"}
    parameters["log_payload"] = orjson.dumps(received["payload"]).decode()
    return session.execute(statement, parameters | {"page": page_document(rows, APPLICATIONS, dialect)}).all()


@cache
def _inserting_with_events(columns: tuple[str, ...], logged: tuple[str, ...], dialect: Dialect) -> TextClause:
    # MATERIALIZED: each new row's event id is drawn once, and the same in its column and its payload.
    own = ", ".join(f"'{field}', {column}" for field, column in PER_APPLICATION.items())
    values = {name: f":log_{name}" for name in logged} | {
        "event_id": "event_id",
        "job_id": "job_id",
        "payload": f"CAST(:log_payload AS jsonb) || jsonb_build_object('event_id', event_id, {own})",
    }
    return text(
        f"WITH inserted AS ({recordset_insert(APPLICATIONS, columns, UNIQUE, RETURNED, dialect)}), "
        "received AS MATERIALIZED (SELECT inserted.*, CAST(gen_random_uuid() AS text) AS event_id FROM inserted), "
        f"logged AS (INSERT INTO {PublishingLog.__tablename__} ({', '.join(logged)}) "
        f"SELECT {', '.join(values[name] for name in logged)} FROM received) "
        f"SELECT {', '.join(RETURNED)} FROM inserted"
    )


def _insert_ignoring_duplicates(session: Session, rows: list[dict[str, Any]]) -> Sequence[Row[Any]]:
    """The id, job id and external id of each row that was new."""
    return insert_page(session, APPLICATIONS, rows, unique=UNIQUE, returning=RETURNED)


def _record_received(session: Session, received: dict[str, Any], inserted: Sequence[Row[Any]]) -> None:
    """Each new application's `ApplicationReceived` in the publishing log, as `_insert_with_events`
    writes them, in a statement of their own (SQLite)."""
    log_rows = []
    for row in inserted:
        event_id = str(uuid4())
        own = {field: getattr(row, column) for field, column in PER_APPLICATION.items()}
        payload = received["payload"] | {"event_id": event_id} | own
        log_rows.append(received | {"event_id": event_id, "job_id": row.job_id, "payload": payload})
    insert_page(session, PUBLISHING_LOG, log_rows)


def _already_stored(session: Session, organization_id: int, platform: str, external_ids: list[str]) -> set[str]:
    known: set[str] = set()
    for start in range(0, len(external_ids), LOOKUP_CHUNK):
        chunk = external_ids[start : start + LOOKUP_CHUNK]
        known.update(
            session.scalars(
                select(Application.external_application_id).where(
                    Application.organization_id == organization_id,
                    Application.platform == platform,
                    Application.external_application_id.in_(chunk),
                )
            )
        )
    return known
