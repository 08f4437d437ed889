"""application status updates: what the ATS said happened to an application, forwarded to its board

Revision ID: 0014
Revises: 0010

One row per (application, status): viewed, resume downloaded, rejected, hired. The row holds the
forwarding to the application's board (LinkedIn's application lifecycle actions, Indeed's
Disposition Sync): its state, attempts, last error, the next attempt (or the running claim's
lease) and when it was sent. Listed per organization and state for the failures API.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "application_status_updates",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("organization_id", BIG_ID, nullable=False),
        sa.Column("application_id", BIG_ID, nullable=False),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("forward_state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"], ondelete="CASCADE"),
        sa.UniqueConstraint("application_id", "status", name="uq_application_status_updates_application_status"),
    )
    op.create_index(
        "ix_application_status_updates_organization_state",
        "application_status_updates",
        ["organization_id", "forward_state", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_application_status_updates_organization_state", table_name="application_status_updates")
    op.drop_table("application_status_updates")
