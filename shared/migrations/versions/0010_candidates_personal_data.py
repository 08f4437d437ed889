"""candidates' personal data: erased applications stay as tombstones; retention rules

Revision ID: 0010
Revises: 0009

`applications.erased_at` marks an application whose personal data was erased (on request or by
retention, shared/privacy.py); the row stays, holding only the platform's application id, so the
same application delivered again is not stored again. `retention_rules` says how long each
organization keeps applications, for every platform or one. Two indexes serve them: a person's
applications by e-mail whatever its case, and the applications retention still has to look at.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

UNERASED = "erased_at IS NULL"
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch_op:
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_applications_organization_email", "applications", ["organization_id", sa.text("lower(candidate_email)")]
    )
    op.create_index(
        "ix_applications_unerased_received",
        "applications",
        ["organization_id", "received_at"],
        postgresql_where=sa.text(UNERASED),
        sqlite_where=sa.text(UNERASED),
    )
    op.create_table(
        "retention_rules",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("organization_id", BIG_ID, nullable=False),
        sa.Column("platform", sa.String(32), nullable=True),
        sa.Column("keep_days", sa.Integer(), nullable=False),
        sa.Column("counted_from", sa.String(16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(300), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], ondelete="CASCADE"),
    )
    op.create_index(
        "uq_retention_rules_organization_platform",
        "retention_rules",
        ["organization_id", sa.text("coalesce(platform, '')")],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_retention_rules_organization_platform", table_name="retention_rules")
    op.drop_table("retention_rules")
    op.drop_index("ix_applications_unerased_received", table_name="applications")
    op.drop_index("ix_applications_organization_email", table_name="applications")
    with op.batch_alter_table("applications") as batch_op:
        batch_op.drop_column("erased_at")
