"""screening questions on jobs, knock-outs on applications, source tracking per organization

Revision ID: 0013
Revises: 0010

`jobs.screening_questions` holds a job's questions with our stable ids (shared/screening.py);
`applications.knocked_out` and `knocked_out_by` mark an application that failed a knock-out
question (kept, never dropped); `organizations.source_tracking` is the organization's choice of
the parameters each board's apply URL carries (null: the default UTM parameters).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch_op:
        batch_op.add_column(sa.Column("screening_questions", JSON, nullable=True))
    # recreate="never": SQLite's copy-and-move would drop the expression index on lower(candidate_email).
    with op.batch_alter_table("applications", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("knocked_out", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("knocked_out_by", JSON, nullable=True))
    with op.batch_alter_table("organizations") as batch_op:
        batch_op.add_column(sa.Column("source_tracking", JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("organizations") as batch_op:
        batch_op.drop_column("source_tracking")
    with op.batch_alter_table("applications") as batch_op:
        batch_op.drop_column("knocked_out_by")
        batch_op.drop_column("knocked_out")
    with op.batch_alter_table("jobs") as batch_op:
        batch_op.drop_column("screening_questions")
