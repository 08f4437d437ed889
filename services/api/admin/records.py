"""The admin site's read-only pages: organizations, the publishing log, applications, sync runs,
notification endpoints and their deliveries. History is shown as it happened; nothing here edits."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import Select, or_

from services.api.admin.base import ReadOnlyView, visible_columns
from shared.models import (
    Application,
    NotificationDelivery,
    NotificationEndpoint,
    Organization,
    PublishingLog,
    SyncRun,
)


class OrganizationView(ReadOnlyView, model=Organization):
    name_plural = "Organizations"
    icon = "fa-solid fa-building"
    column_list = column_details_list = visible_columns(Organization)
    column_searchable_list: ClassVar[list[Any]] = [Organization.name]
    column_sortable_list: ClassVar[list[Any]] = [Organization.id, Organization.name, Organization.created_at]


class PublishingLogView(ReadOnlyView, model=PublishingLog):
    """Events are history: listed and searched, never edited or deleted."""

    name = "Log event"
    name_plural = "Publishing log"
    icon = "fa-solid fa-list"
    column_list = column_details_list = visible_columns(PublishingLog)
    column_searchable_list: ClassVar[list[Any]] = [
        PublishingLog.event_type,
        PublishingLog.platform,
        PublishingLog.job_id,
        PublishingLog.correlation_id,
    ]
    column_sortable_list: ClassVar[list[Any]] = [PublishingLog.id, PublishingLog.event_type, PublishingLog.created_at]


class ApplicationView(ReadOnlyView, model=Application):
    """Searched by the candidate's name or e-mail, the platform, or a job's id (a number finds that job's)."""

    name_plural = "Applications"
    icon = "fa-solid fa-user"
    column_list = visible_columns(Application, leave_out=("cover_letter", "answers", "raw"))
    column_details_list = visible_columns(Application)
    column_searchable_list: ClassVar[list[Any]] = [
        Application.candidate_name,
        Application.candidate_email,
        Application.platform,
        Application.job_id,
    ]
    column_sortable_list: ClassVar[list[Any]] = [Application.id, Application.applied_at, Application.received_at]

    def search_placeholder(self) -> str:
        return "Candidate name or e-mail, platform, or job id"

    def search_query(self, stmt: Select[Any], term: str) -> Select[Any]:
        term = term.strip()
        words = or_(
            Application.candidate_name.ilike(f"%{term}%"),
            Application.candidate_email.ilike(f"%{term}%"),
            Application.platform == term.lower(),
        )
        if term.isdigit():  # a job's id, exactly: "42" must not find job 142's applications
            return stmt.where(or_(words, Application.job_id == int(term)))
        return stmt.where(words)


class SyncRunView(ReadOnlyView, model=SyncRun):
    name_plural = "Sync runs"
    icon = "fa-solid fa-arrows-rotate"
    column_list = column_details_list = visible_columns(SyncRun)
    column_searchable_list: ClassVar[list[Any]] = [SyncRun.platform, SyncRun.status, SyncRun.trigger]
    column_sortable_list: ClassVar[list[Any]] = [SyncRun.id, SyncRun.created_at, SyncRun.status]


class NotificationEndpointView(ReadOnlyView, model=NotificationEndpoint):
    """The signing secret is never shown (its column is named like a secret)."""

    name_plural = "Notification endpoints"
    icon = "fa-solid fa-bell"
    column_list = column_details_list = visible_columns(NotificationEndpoint)
    column_searchable_list: ClassVar[list[Any]] = [NotificationEndpoint.url, NotificationEndpoint.description]


class NotificationDeliveryView(ReadOnlyView, model=NotificationDelivery):
    name_plural = "Notification deliveries"
    icon = "fa-solid fa-paper-plane"
    column_list = column_details_list = visible_columns(NotificationDelivery)
    column_searchable_list: ClassVar[list[Any]] = [NotificationDelivery.event_type, NotificationDelivery.status]
    column_sortable_list: ClassVar[list[Any]] = [NotificationDelivery.id, NotificationDelivery.created_at]


RECORD_VIEWS = (
    OrganizationView,
    PublishingLogView,
    ApplicationView,
    SyncRunView,
    NotificationEndpointView,
    NotificationDeliveryView,
)
