"""applications are unique per organization, not across the whole deployment

Revision ID: 0008
Revises: 0007

Before this, `(platform, external_application_id)` was unique across every organization, so a
tenant could store an application id first and make another tenant's copy be dropped as a
duplicate. Every stored row is kept: the new key is narrower than the old one.
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

OLD_POSTGRES_NAME = "applications_platform_external_application_id_key"
NEW_NAME = "uq_applications_organization_platform_external_id"
# SQLite keeps the old constraint unnamed; batch mode names it by this convention to drop it.
SQLITE_NAMING = {"uq": "uq_%(table_name)s_%(column_0_N_name)s"}
OLD_SQLITE_NAME = "uq_applications_platform_external_application_id"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("applications", naming_convention=SQLITE_NAMING) as batch_op:
            batch_op.drop_constraint(OLD_SQLITE_NAME, type_="unique")
            batch_op.create_unique_constraint(NEW_NAME, ["organization_id", "platform", "external_application_id"])
        return
    op.create_unique_constraint(NEW_NAME, "applications", ["organization_id", "platform", "external_application_id"])
    op.drop_constraint(OLD_POSTGRES_NAME, "applications", type_="unique")


def downgrade() -> None:
    # Fails, as it should, if two organizations now hold the same platform application id.
    with op.batch_alter_table("applications") as batch_op:
        batch_op.create_unique_constraint(OLD_POSTGRES_NAME, ["platform", "external_application_id"])
        batch_op.drop_constraint(NEW_NAME, type_="unique")
