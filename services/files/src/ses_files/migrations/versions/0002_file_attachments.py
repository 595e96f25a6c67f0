"""Which complaints keep which files.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from ses_core.platform.db import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "file_attachments",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("tenant_id", sa.String(100), nullable=False),
        sa.Column("file_id", sa.String(36), nullable=False),
        sa.Column("complaint_id", sa.String(64), nullable=False),
        sa.Column("attached_as", sa.String(32), nullable=False),
        sa.Column("attached_by", sa.String(100), nullable=False),
        sa.Column("attached_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"], ["files.id"], name="fk_file_attachments_file_id_files"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_file_attachments"),
        sa.UniqueConstraint(
            "file_id", "complaint_id", name="uq_file_attachments_file_id_complaint_id"
        ),
    )
    op.create_index("ix_file_attachments_tenant_id", "file_attachments", ["tenant_id"])
    op.create_index("ix_file_attachments_complaint_id", "file_attachments", ["complaint_id"])


def downgrade() -> None:
    op.drop_index("ix_file_attachments_complaint_id", table_name="file_attachments")
    op.drop_index("ix_file_attachments_tenant_id", table_name="file_attachments")
    op.drop_table("file_attachments")
