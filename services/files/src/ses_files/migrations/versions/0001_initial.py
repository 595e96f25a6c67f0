"""Uploads, files and the platform tables.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from ses_core.platform.db import UtcDateTime, create_platform_tables_v1, drop_platform_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables_v1()
    op.create_table(
        "uploads",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("tenant_id", sa.String(100), nullable=False),
        sa.Column("uploaded_by", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_uploads"),
    )
    op.create_index("ix_uploads_tenant_id", "uploads", ["tenant_id"])
    op.create_index("ix_uploads_status_expires_at", "uploads", ["status", "expires_at"])
    op.create_table(
        "files",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("tenant_id", sa.String(100), nullable=False),
        sa.Column("upload_id", sa.String(36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("declared_sha256", sa.String(64), nullable=True),
        sa.Column("content_type", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("uploaded_by", sa.String(100), nullable=False),
        sa.Column("blob_id", sa.String(32), nullable=False),
        sa.Column("committed_offset", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("scan_status", sa.String(16), nullable=False),
        sa.Column("scan_detail", sa.String(255), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("completed_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["upload_id"], ["uploads.id"], name="fk_files_upload_id_uploads"),
        sa.PrimaryKeyConstraint("id", name="pk_files"),
        sa.UniqueConstraint("blob_id", name="uq_files_blob_id"),
    )
    op.create_index("ix_files_tenant_id", "files", ["tenant_id"])
    op.create_index("ix_files_upload_id", "files", ["upload_id"])
    op.create_index("ix_files_scan_status", "files", ["scan_status"])


def downgrade() -> None:
    op.drop_index("ix_files_scan_status", table_name="files")
    op.drop_index("ix_files_upload_id", table_name="files")
    op.drop_index("ix_files_tenant_id", table_name="files")
    op.drop_table("files")
    op.drop_index("ix_uploads_status_expires_at", table_name="uploads")
    op.drop_index("ix_uploads_tenant_id", table_name="uploads")
    op.drop_table("uploads")
    drop_platform_tables_v1()
