"""Naukri's file-drop route: applications delivered as a CSV file, imported by `jobpub import-applications`.

Columns (a header row names them; order is free, unknown columns are ignored):

    application_id*, job_reference*, candidate_name*, applied_at*, email, phone, resume_url, cover_letter

`job_reference` is our reference of the Naukri posting (its external id); `applied_at` is ISO 8601
(a time without a zone is taken as UTC). A bad row is reported by its line number and skipped;
the good rows are stored, deduplicated like every other application.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.applications import store_applications
from shared.models import Posting
from shared.notifications import APPLICATIONS_RECEIVED, notify
from shared.platforms.base import PlatformApplication

PLATFORM = "naukri"
SOURCE = "Naukri CSV"
REQUIRED = ("application_id", "job_reference", "candidate_name", "applied_at")


@dataclass
class ImportReport:
    stored: int = 0
    duplicates: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line number, what is wrong)


class NotACsvFile(ValueError):
    """The file cannot be imported at all (no header, or required columns missing)."""


def import_naukri_csv(session: Session, organization_id: int, lines: Iterable[str], *, dry_run: bool = False) -> ImportReport:
    reader = csv.DictReader(lines)
    if reader.fieldnames is None:
        raise NotACsvFile("the file is empty: it needs a header row")
    header = {name.strip() for name in reader.fieldnames if name}
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise NotACsvFile(f"line 1: the header lacks the column(s) {', '.join(missing)}")
    report = ImportReport()
    parsed: list[tuple[int, PlatformApplication]] = []
    for row in reader:
        try:
            parsed.append((reader.line_num, _application({k.strip(): v for k, v in row.items() if k})))
        except ValueError as error:
            report.problems.append((reader.line_num, str(error)))
    known = _our_references(session, organization_id, {application.job_external_id for _, application in parsed})
    good = []
    for line, application in parsed:
        if application.job_external_id in known:
            good.append(application)
        else:
            report.problems.append((line, f"no Naukri posting of this organization has the reference {application.job_external_id!r}"))
    stored = store_applications(session, organization_id, PLATFORM, SOURCE, good, dry_run=dry_run)
    if stored.new_ids and not dry_run:
        notify(session, organization_id, APPLICATIONS_RECEIVED, dict(platform=PLATFORM, application_ids=stored.new_ids))
    report.stored, report.duplicates = stored.new, stored.duplicates
    report.problems.sort()
    return report


def _application(row: dict) -> PlatformApplication:
    values = {key: (value or "").strip() for key, value in row.items() if isinstance(value, str)}
    empty = [column for column in REQUIRED if not values.get(column)]
    if empty:
        raise ValueError(f"{', '.join(empty)} must not be empty")
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
    except ValueError:
        raise ValueError(f"applied_at {text!r} is not an ISO 8601 date and time") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _our_references(session: Session, organization_id: int, references: set[str]) -> set[str]:
    if not references:
        return set()
    return set(
        session.scalars(
            select(Posting.external_id).where(
                Posting.organization_id == organization_id, Posting.platform == PLATFORM, Posting.external_id.in_(references)
            )
        )
    )
