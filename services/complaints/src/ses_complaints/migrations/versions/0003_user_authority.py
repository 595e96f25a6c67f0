"""The authority projection: each user's current authority, read at every call (DESIGN §6).

Revision ID: 0003
Revises: 0002
"""

from ses_core.platform.authority import create_authority_tables_v1, drop_authority_tables_v1

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_authority_tables_v1()


def downgrade() -> None:
    drop_authority_tables_v1()
