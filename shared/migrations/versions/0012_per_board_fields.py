"""per-board fields: each platform's own values of a job (LinkedIn's categories, Naukri's CTC …)

Revision ID: 0012
Revises: 0010

`jobs.board_fields` holds them keyed by platform, `{"linkedin": {...}, "naukri": {...}}`, beside
the job's core columns; the adapters declare what each platform's block may hold
(shared/platforms/fields.py). Jobs stored before hold `{}`: none of their own.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch_op:
        batch_op.add_column(sa.Column("board_fields", JSON, nullable=False, server_default=sa.text("'{}'")))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch_op:
        batch_op.drop_column("board_fields")
