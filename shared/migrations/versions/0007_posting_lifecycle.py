"""a posting's lifecycle operation (update, close, renew) and how it stands

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("postings") as batch_op:
        batch_op.add_column(sa.Column("operation", sa.String(16), nullable=True))
        batch_op.add_column(sa.Column("operation_status", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("postings") as batch_op:
        batch_op.drop_column("operation_status")
        batch_op.drop_column("operation")
