"""The authority projection: each user's current authority, read at every call (DESIGN §6).

Revision ID: 0002
Revises: 0001
"""

from ses_core.platform.authority import create_authority_tables_v1, drop_authority_tables_v1

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_authority_tables_v1()


def downgrade() -> None:
    drop_authority_tables_v1()
