"""several locations: a job names several; a platform may hold several postings of one job

Revision ID: 0015
Revises: 0010

`jobs.locations` keeps every location a job names (`location` stays, the first of them);
`postings.part` numbers a job's postings on one platform (1 for every posting stored before),
`postings.locations` the locations each carries. The unique key grows from (job, platform) to
(job, platform, part). Existing rows keep NULL locations, read as the job's `location`.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
NEW_KEY = "uq_postings_job_platform_part"
# The (job_id, platform) key was created unnamed: PostgreSQL named it itself; on SQLite the
# batch copy reflects it nameless, so a naming convention gives it a name to drop it by.
SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _old_key_name() -> str:
    if op.get_bind().dialect.name == "postgresql":
        return "postings_job_id_platform_key"
    return "uq_postings_job_id"


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch_op:
        batch_op.add_column(sa.Column("locations", JSON, nullable=True))
    old_key = _old_key_name()
    with op.batch_alter_table("postings", naming_convention=SQLITE_NAMES) as batch_op:
        batch_op.add_column(sa.Column("part", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("locations", JSON, nullable=True))
        batch_op.drop_constraint(old_key, type_="unique")
        batch_op.create_unique_constraint(NEW_KEY, ["job_id", "platform", "part"])


def downgrade() -> None:
    op.execute("DELETE FROM postings WHERE part > 1")  # the old key holds one posting per platform
    with op.batch_alter_table("postings", naming_convention=SQLITE_NAMES) as batch_op:
        batch_op.drop_constraint(NEW_KEY, type_="unique")
        batch_op.create_unique_constraint(_old_key_name(), ["job_id", "platform"])
        batch_op.drop_column("locations")
        batch_op.drop_column("part")
    with op.batch_alter_table("jobs") as batch_op:
        batch_op.drop_column("locations")
