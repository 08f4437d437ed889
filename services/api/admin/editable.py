"""The admin pages that can change something, each only in the safe way (see changes.py):
API keys (revoke), platform connections (enable, disable, replace the secret), jobs (fix the
title or description), postings and failures (replay, the audited path of `jobpub failures replay`).

A posting's status is never edited by hand: only the pipeline's events move it.
"""

from __future__ import annotations

from functools import partial
from typing import Any, ClassVar

import anyio
from sqladmin import action, expose
from sqladmin.flash import flash
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.responses import Response
from wtforms import Form, PasswordField
from wtforms.validators import Optional

from services.api.admin.base import ReadOnlyView, visible_columns
from services.api.admin.changes import change_connection, change_job_text, revoke_key
from services.api.admin.sign_in import current_admin
from shared.key_revocations import KEY_CACHE_SECONDS, announce_revocation
from shared.models import ApiKey, Job, OperationStatus, PlatformConnection, Posting, PostingStatus
from shared.replays import replay_postings, what_failed

REPLAY_WHY = "replayed from the admin site"
HASH_PREFIX = 8  # enough to tell keys apart in a list; far too little to matter to an attacker


def _sessions(request: Request) -> sessionmaker[Session]:
    sessions: sessionmaker[Session] = request.app.state.sessions
    return sessions


class ApiKeyView(ReadOnlyView, model=ApiKey):
    """Keys are shown by id, scope, label and state; of the hash only its first characters, never a key."""

    name_plural = "API keys"
    icon = "fa-solid fa-key"
    column_list = column_details_list = visible_columns(ApiKey, revealed=("secret_hash",))
    column_labels: ClassVar[dict[Any, str]] = {"secret_hash": "hash prefix"}
    column_formatters: ClassVar[dict[Any, Any]] = {"secret_hash": lambda key, _: key.secret_hash[:HASH_PREFIX] + "…"}
    column_formatters_detail = column_formatters
    column_searchable_list: ClassVar[list[Any]] = [ApiKey.key_id, ApiKey.label]

    @action(name="revoke", label="Revoke")
    async def ask_revoke(self, request: Request) -> Response:
        revocable = await anyio.to_thread.run_sync(_revocable_keys, _sessions(request), self.selected_ids(request))
        rows = [
            f"key {k.key_id} of organization {k.organization_id} ({k.scope}, {k.label or 'no label'})"
            for k in revocable
        ]
        live = [k.id for k in revocable]
        explain = "Each key below is refused from its next request on. A revoked key cannot be restored."
        return await self.confirm(request, title="Revoke", explain=explain, rows=rows, ids=live, do="do_revoke")

    @expose("/do-revoke", methods=["POST"])
    async def do_revoke(self, request: Request) -> Response:
        who, sessions = current_admin(request), _sessions(request)
        revoked = 0
        for key_id in await self.posted_ids(request):
            revoked += await anyio.to_thread.run_sync(partial(revoke_key, sessions, key_id, by=who))
        if revoked and not await anyio.to_thread.run_sync(announce_revocation, request.app.state.settings):
            flash(
                request,
                f"Redis could not be told: an API process may accept them for {KEY_CACHE_SECONDS:.0f} s",
                "warning",
            )
        flash(request, f"revoked {revoked} key(s)", "success")
        return self.back_to_list(request)


class PlatformConnectionView(ReadOnlyView, model=PlatformConnection):
    """Enable or disable a connection, or replace its secret; the stored secret is never shown."""

    name_plural = "Platform connections"
    icon = "fa-solid fa-plug"
    can_edit = True
    column_list = column_details_list = visible_columns(PlatformConnection)
    column_searchable_list: ClassVar[list[Any]] = [PlatformConnection.platform, PlatformConnection.client_id]
    form_columns: ClassVar[list[Any]] = [PlatformConnection.enabled]

    async def scaffold_form(self, rules: list[str] | None = None) -> type[Form]:
        scaffolded = await super().scaffold_form(rules)

        class ConnectionForm(scaffolded):  # type: ignore[valid-type,misc]
            new_client_secret = PasswordField(
                "Replace the client secret",
                validators=[Optional()],
                description="Leave empty to keep the stored secret. It is stored encrypted and never shown.",
            )

        return ConnectionForm

    async def update_model(self, request: Request, pk: str, data: dict[str, Any]) -> Any:
        change = partial(
            change_connection,
            _sessions(request),
            request.app.state.cipher,
            int(pk),
            by=current_admin(request),
            enabled=bool(data.get("enabled")),
            new_secret=data.get("new_client_secret") or None,
        )
        return await anyio.to_thread.run_sync(change)


class JobView(ReadOnlyView, model=Job):
    """A job's title and description can be fixed: stored as `PATCH /jobs/{id}/` stores them, and each
    live platform is asked for an update. Its other fields are the API's to change."""

    name_plural = "Jobs"
    icon = "fa-solid fa-briefcase"
    can_edit = True
    column_list = column_details_list = visible_columns(Job)
    column_searchable_list: ClassVar[list[Any]] = [Job.title, Job.company_name]
    form_columns: ClassVar[list[Any]] = [Job.title, Job.description]

    async def update_model(self, request: Request, pk: str, data: dict[str, Any]) -> Any:
        text = {name: data.get(name) for name in ("title", "description")}
        change = partial(change_job_text, _sessions(request), int(pk), by=current_admin(request), text=text)
        job, skipped = await anyio.to_thread.run_sync(change)
        for platform, why in skipped.items():
            flash(request, f"{platform}: not updated ({why})", "warning")
        return job


class ReplayAction(ReadOnlyView):
    """Replay of failed postings, as `jobpub failures replay` does it (shared/replays.py), by the admin user."""

    @action(name="replay", label="Replay")
    async def ask_replay(self, request: Request) -> Response:
        failed = await anyio.to_thread.run_sync(_failed_postings, _sessions(request), self.selected_ids(request))
        rows = [
            f"posting {p.id}: job {p.job_id} on {p.platform}, {what_failed(p)} failed: {(p.last_error or '')[:160]}"
            for p in failed
        ]
        explain = "Each failed publish or operation below is asked for again; the log names you as who replayed it."
        ids = [p.id for p in failed]
        return await self.confirm(request, title="Replay", explain=explain, rows=rows, ids=ids, do="do_replay")

    @expose("/do-replay", methods=["POST"])
    async def do_replay(self, request: Request) -> Response:
        ids = await self.posted_ids(request)
        pace = request.app.state.replay_per_second
        replay = partial(
            replay_postings, _sessions(request), ids, by=current_admin(request), why=REPLAY_WHY, per_second=pace
        )
        replayed = await anyio.to_thread.run_sync(replay)
        flash(request, f"replayed {replayed}, no longer failed {len(ids) - replayed}", "success")
        return self.back_to_list(request)


# What `jobpub failures list` lists (shared/replays.py:failed_postings): a failed publish or operation.
FAILED = or_(Posting.status == PostingStatus.FAILED, Posting.operation_status == OperationStatus.FAILED)


def _failed_postings(sessions: sessionmaker[Session], ids: list[int]) -> list[Posting]:
    with sessions() as session:
        return list(session.scalars(select(Posting).where(Posting.id.in_(ids), FAILED).order_by(Posting.id)))


def _revocable_keys(sessions: sessionmaker[Session], ids: list[int]) -> list[ApiKey]:
    with sessions() as session:
        return list(session.scalars(select(ApiKey).where(ApiKey.id.in_(ids), ApiKey.revoked_at.is_(None))))


POSTING_COLUMNS = visible_columns(Posting, revealed=("lease_token",))  # a lease's id, not a credential


class PostingView(ReplayAction, model=Posting):
    """Every posting with its status and lease; read-only (the events move a status), failed ones replayable."""

    name_plural = "Postings"
    icon = "fa-solid fa-bullhorn"
    column_list = column_details_list = POSTING_COLUMNS
    column_searchable_list: ClassVar[list[Any]] = [Posting.platform, Posting.status, Posting.last_error]
    column_sortable_list: ClassVar[list[Any]] = [Posting.id, Posting.status, Posting.updated_at]


class FailureView(ReplayAction, model=Posting):
    """Failed postings only (a failed publish, or a failed update, close or renew), as `jobpub failures list`."""

    name = "Failure"
    name_plural = "Failures"
    icon = "fa-solid fa-triangle-exclamation"
    column_list = column_details_list = POSTING_COLUMNS
    column_searchable_list: ClassVar[list[Any]] = [Posting.platform, Posting.last_error]
    column_sortable_list: ClassVar[list[Any]] = [Posting.id, Posting.updated_at]

    def list_query(self, request: Request) -> Any:
        return select(Posting).where(FAILED)


FailureView.identity = "failure"  # a second page over postings needs its own address

EDITABLE_VIEWS = (FailureView, PostingView, JobView, PlatformConnectionView, ApiKeyView)
