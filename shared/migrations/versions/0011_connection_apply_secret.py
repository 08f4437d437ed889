"""platform connections: an optional second secret, Indeed Apply's

Revision ID: 0011
Revises: 0010

Indeed signs each Indeed Apply application (X-Indeed-Signature) with the API secret of the
Indeed Apply token, which is not the OAuth client secret the connection already holds.
`platform_connections.apply_secret_encrypted` keeps it, encrypted like the client secret;
NULL (every existing row) keeps verifying with the client secret, as before.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("platform_connections") as batch_op:
        batch_op.add_column(sa.Column("apply_secret_encrypted", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("platform_connections") as batch_op:
        batch_op.drop_column("apply_secret_encrypted")
