"""Recording events, and the outbox they ride to the broker.

`record` writes an event into the caller's transaction. If the event must reach a worker it
carries a `Dispatch`; the relay (services/relay) sends it once the transaction has committed,
so no crash between "state changed" and "message sent" can lose the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from shared.events import Event
from shared.models import PublishingLog

SYNC_QUEUE = "sync.applications"


@dataclass(frozen=True)
class Dispatch:
    queue: str
    actor: str
    not_before: datetime | None = None


def publish_dispatch(platform: str, not_before: datetime | None = None) -> Dispatch:
    """Where a publish for `platform` goes: one queue (and one worker group) per platform."""
    return Dispatch(queue=f"publish.{platform}", actor=f"publish.{platform}", not_before=not_before)


def status_dispatch(platform: str, not_before: datetime | None = None) -> Dispatch:
    """Where an application status for `platform`'s board goes: its publish queue (the same worker
    group, quota and connection), to a sibling actor of the publish one."""
    return Dispatch(queue=f"publish.{platform}", actor=f"status.{platform}", not_before=not_before)


def sync_dispatch() -> Dispatch:
    """Where a pull of applications goes: one queue for every platform's syncs."""
    return Dispatch(queue=SYNC_QUEUE, actor=SYNC_QUEUE)


def record(
    session: Session,
    event: Event,
    *,
    dispatch: Dispatch | None = None,
    correlation_id: str | None = None,
) -> PublishingLog:
    """Add `event` to the publishing log, in the caller's transaction."""
    row = PublishingLog(**log_values(event, dispatch=dispatch, correlation_id=correlation_id))
    session.add(row)
    return row


def log_values(event: Event, *, dispatch: Dispatch | None = None, correlation_id: str | None = None) -> dict[str, Any]:
    """The publishing-log row of `event`, column by column (`record` adds it; a statement that
    writes an outcome in one round trip inserts it itself)."""
    values = dict(
        event_id=str(event.event_id),
        event_type=type(event).__name__,
        organization_id=event.organization_id,
        job_id=getattr(event, "job_id", None),
        platform=getattr(event, "platform", None),
        payload=event.model_dump(mode="json"),
        correlation_id=correlation_id,
        created_at=event.occurred_at,
    )
    if dispatch is not None:
        values.update(
            dispatch_queue=dispatch.queue,
            dispatch_actor=dispatch.actor,
            dispatch_after=dispatch.not_before or event.occurred_at,
        )
    return values
