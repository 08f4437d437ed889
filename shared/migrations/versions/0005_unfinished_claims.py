"""count deliveries that died mid-attempt, for quarantine

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("postings") as batch_op:
        batch_op.add_column(sa.Column("unfinished_claims", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("postings") as batch_op:
        batch_op.drop_column("unfinished_claims")
