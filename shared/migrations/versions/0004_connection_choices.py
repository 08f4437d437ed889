"""an organization's own retry limit and sync interval per platform connection

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("platform_connections") as batch_op:
        batch_op.add_column(sa.Column("publish_max_attempts", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("sync_interval_seconds", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("platform_connections") as batch_op:
        batch_op.drop_column("sync_interval_seconds")
        batch_op.drop_column("publish_max_attempts")
