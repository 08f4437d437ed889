"""one pending or running API pull per (organization, platform, job); turns claim runs

Revision ID: 0009
Revises: 0008

Before this, every `POST /sync-applications/` queued one more pull, so one tenant could fill the
sync queue ahead of everyone else. A partial unique index now keeps one active API pull per
(organization, platform, job); a second request joins it. Identical active API pulls already
queued are ended (failed, with the reason) except the oldest, so the index can be built.

`claimed_by` names the queue message whose turn claimed a run (services/syncer/syncing.py),
`updated_at` says when the run last moved (a run quiet for long is taken for dead), and
`correlation_id` carries the request's id to the run's events whichever message runs it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ACTIVE_API_PULL = "trigger = 'api' AND status IN ('pending', 'running')"
ONE_ACTIVE_API_PULL = "uq_sync_runs_one_active_api_pull"


def upgrade() -> None:
    with op.batch_alter_table("sync_runs") as batch_op:
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("claimed_by", sa.String(64), nullable=True))
        batch_op.add_column(sa.Column("correlation_id", sa.String(64), nullable=True))
    op.execute(
        f"""
        UPDATE sync_runs SET status = 'failed', finished_at = CURRENT_TIMESTAMP,
            error = 'ended by migration 0009: an identical pull was already pending or running'
        WHERE {ACTIVE_API_PULL} AND EXISTS (
            SELECT 1 FROM sync_runs AS older
            WHERE older.organization_id = sync_runs.organization_id AND older.platform = sync_runs.platform
              AND coalesce(older.job_id, 0) = coalesce(sync_runs.job_id, 0)
              AND older.trigger = 'api' AND older.status IN ('pending', 'running') AND older.id < sync_runs.id
        )
        """
    )
    op.create_index(
        ONE_ACTIVE_API_PULL,
        "sync_runs",
        ["organization_id", "platform", sa.text("coalesce(job_id, 0)")],
        unique=True,
        postgresql_where=sa.text(ACTIVE_API_PULL),
        sqlite_where=sa.text(ACTIVE_API_PULL),
    )
    op.create_index("ix_sync_runs_status_organization", "sync_runs", ["status", "organization_id", "created_at"])
    op.create_index("ix_sync_runs_organization_started", "sync_runs", ["organization_id", "started_at"])
    op.create_index("ix_sync_runs_claimed_by", "sync_runs", ["claimed_by"])


def downgrade() -> None:
    for name in ("ix_sync_runs_claimed_by", "ix_sync_runs_organization_started", "ix_sync_runs_status_organization"):
        op.drop_index(name, table_name="sync_runs")
    op.drop_index(ONE_ACTIVE_API_PULL, table_name="sync_runs")
    with op.batch_alter_table("sync_runs") as batch_op:
        for column in ("correlation_id", "claimed_by", "updated_at"):
            batch_op.drop_column(column)
