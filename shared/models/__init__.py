"""The tables. PostgreSQL in production; SQLite for the embedded default.

Every tenant-owned row carries `organization_id`, and every query that serves a tenant filters on it.
`publishing_log` is both the operators' event history and the outbox: a row with a
`dispatch_queue` and no `dispatched_at` is a message the relay still has to send.

One module per area; everything is named here, so `from shared.models import Posting` is the one
way in, and importing this package registers every table on `Base.metadata` (Alembic needs that).
"""

from shared.models.admin import AdminUser
from shared.models.applications import ACTIVE_API_PULL, Application, SyncCursor, SyncRun, SyncStatus
from shared.models.base import Base, BigId, Json, UTCDateTime, utcnow
from shared.models.notifications import NotificationDelivery, NotificationEndpoint
from shared.models.postings import Job, Operation, OperationStatus, Posting, PostingStatus, PublishingLog
from shared.models.privacy import RetentionRule
from shared.models.status_updates import ApplicationStatusUpdate
from shared.models.tenants import ApiKey, IdempotencyKey, KeyScope, Organization, PlatformConnection

__all__ = [
    "ACTIVE_API_PULL",
    "AdminUser",
    "ApiKey",
    "Application",
    "ApplicationStatusUpdate",
    "Base",
    "BigId",
    "IdempotencyKey",
    "Job",
    "Json",
    "KeyScope",
    "NotificationDelivery",
    "NotificationEndpoint",
    "Operation",
    "OperationStatus",
    "Organization",
    "PlatformConnection",
    "Posting",
    "PostingStatus",
    "PublishingLog",
    "RetentionRule",
    "SyncCursor",
    "SyncRun",
    "SyncStatus",
    "UTCDateTime",
    "utcnow",
]
