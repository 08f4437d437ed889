"""Naukri's file-drop route: applications delivered as a CSV file, imported by `jobpub import-applications`.

Columns (a header row names them; order is free, unknown columns are ignored):

    application_id*, job_reference*, candidate_name*, applied_at*, email, phone, resume_url, cover_letter

`job_reference` is our reference of the Naukri posting (its external id); `applied_at` is ISO 8601
(a time without a zone is taken as UTC). A bad row is reported by its line number and skipped;
the good rows are stored, deduplicated like every other application. A row that is not even CSV
(an unclosed quote, a stray character after a closing quote, a NUL) is a bad row too: reading
starts again on its next line, so one broken row never swallows the rows after it.
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.applications import store_applications
from shared.models import Posting
from shared.notifications import APPLICATIONS_RECEIVED, notify
from shared.platforms.base import PlatformApplication

PLATFORM = "naukri"
SOURCE = "Naukri CSV"
REQUIRED = ("application_id", "job_reference", "candidate_name", "applied_at")
# The longest value each column may hold: what its database column holds, so that one long value
# is that row's problem instead of an INSERT that fails for the whole file.
MAX_CHARACTERS = {
    "application_id": 200,
    "job_reference": 75,
    "candidate_name": 300,
    "email": 320,
    "phone": 64,
    "resume_url": 2000,
    "cover_letter": 100_000,
}
# What the csv module may read into one field. Its default (131,072) made a longer field an
# error that ended the whole file; past this one it is still an error, but of that row alone.
CSV_FIELD_LIMIT = 1 << 20
# Naukri began in 1997; an application dated before this, or more than a day ahead of our clock,
# is a typo or a broken export, not a date to store.
EARLIEST_APPLICATION = datetime(1990, 1, 1, tzinfo=UTC)
CLOCK_SKEW = timedelta(days=1)
NOT_CSV = (
    "not CSV (an unclosed quote, a character after a closing quote, a NUL, or a field over 1 MiB);"
    " the next line is read as a new row"
)


@dataclass
class ImportReport:
    stored: int = 0
    duplicates: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line number, what is wrong)


class NotACsvFile(ValueError):
    """The file cannot be imported at all (no header, or required columns missing)."""


def import_naukri_csv(
    session: Session, organization_id: int, lines: Iterable[str], *, dry_run: bool = False
) -> ImportReport:
    rows = _csv_rows(lines)
    header_row = next(rows, None)
    if header_row is None or header_row[1] is None:
        raise NotACsvFile("the file is empty: it needs a header row" if header_row is None else "line 1 is not CSV")
    header = [name.strip() for name in header_row[1]]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise NotACsvFile(f"line 1: the header lacks the column(s) {', '.join(missing)}")
    report = ImportReport()
    parsed: list[tuple[int, PlatformApplication]] = []
    for line, values in rows:
        if values is None:
            report.problems.append((line, NOT_CSV))
        elif values:  # a blank line is no row
            try:
                parsed.append((line, _application(dict(zip(header, values, strict=False)))))
            except ValueError as error:
                report.problems.append((line, str(error)))
    known = _our_references(session, organization_id, {application.job_external_id for _, application in parsed})
    good = []
    for line, application in parsed:
        if application.job_external_id in known:
            good.append(application)
        else:
            report.problems.append(
                (line, f"no Naukri posting of this organization has the reference {application.job_external_id!r}")
            )
    stored = store_applications(session, organization_id, PLATFORM, SOURCE, good, dry_run=dry_run)
    if stored.new_ids and not dry_run:
        notify(session, organization_id, APPLICATIONS_RECEIVED, dict(platform=PLATFORM, application_ids=stored.new_ids))
    report.stored, report.duplicates = stored.new, stored.duplicates
    report.problems.sort()
    return report


class _LineTape:
    """The file's lines, fed to a csv reader one at a time, keeping those of the row being read:
    when the reader gives up on a row, its lines after the first are read again."""

    def __init__(self, lines: Iterable[str]):
        self._source = enumerate(lines, start=1)
        self._again: deque[tuple[int, str]] = deque()
        self._row: list[tuple[int, str]] = []

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        numbered = self._again.popleft() if self._again else next(self._source)
        self._row.append(numbered)
        return numbered[1]

    def start_row(self) -> None:
        self._row = []

    @property
    def row_line(self) -> int:
        return self._row[0][0] if self._row else 0

    def read_again_after_first_line(self) -> None:
        self._again.extendleft(reversed(self._row[1:]))


def _csv_rows(lines: Iterable[str]) -> Iterator[tuple[int, list[str] | None]]:
    """(line number, values) per row; values None for a row that is not CSV."""
    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
    tape = _LineTape(lines)
    reader = csv.reader(tape, strict=True)
    while True:
        tape.start_row()
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error:
            line = tape.row_line
            tape.read_again_after_first_line()
            reader = csv.reader(tape, strict=True)  # the old one stopped mid-field
            yield line, None
            continue
        yield tape.row_line, values


def _application(row: dict) -> PlatformApplication:
    values = {key: value.strip() for key, value in row.items() if key and isinstance(value, str)}
    empty = [column for column in REQUIRED if not values.get(column)]
    if empty:
        raise ValueError(f"{', '.join(empty)} must not be empty")
    too_long = [
        f"{column} is over {limit:,} characters"
        for column, limit in MAX_CHARACTERS.items()
        if len(values.get(column, "")) > limit
    ]
    if too_long:
        raise ValueError("; ".join(too_long))
    email = values.get("email") or None
    if email and ("@" not in email or " " in email):
        raise ValueError(f"email {email!r} is not an email address")
    return PlatformApplication(
        external_id=values["application_id"],
        job_external_id=values["job_reference"],
        candidate_name=values["candidate_name"],
        candidate_email=email,
        candidate_phone=values.get("phone") or None,
        resume_url=values.get("resume_url") or None,
        cover_letter=values.get("cover_letter") or None,
        answers=None,
        applied_at=_moment(values["applied_at"]),
        raw={key: value for key, value in values.items() if value},
    )


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):  # OverflowError: a zone that moves it past year 1 or 9999
        raise ValueError(f"applied_at {text[:40]!r} is not an ISO 8601 date and time") from None
    if not EARLIEST_APPLICATION <= moment <= datetime.now(UTC) + CLOCK_SKEW:
        raise ValueError(f"applied_at {text!r} is not a plausible date (from 1990 to today)")
    return moment


def _our_references(session: Session, organization_id: int, references: set[str]) -> set[str]:
    if not references:
        return set()
    return set(
        session.scalars(
            select(Posting.external_id).where(
                Posting.organization_id == organization_id,
                Posting.platform == PLATFORM,
                Posting.external_id.in_(references),
            )
        )
    )
