"""The files service's tables: upload batches, the files they declared, and which
complaints keep which files (``file_attachments``)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from ses_core.platform.db import UtcDateTime, new_metadata

metadata = new_metadata()

uploads_table = Table(
    "uploads",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(100), nullable=False),
    Column("uploaded_by", String(100), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime, nullable=True),
    Index("ix_uploads_tenant_id", "tenant_id"),
    Index("ix_uploads_status_expires_at", "status", "expires_at"),
)

files_table = Table(
    "files",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(100), nullable=False),
    Column("upload_id", String(36), ForeignKey("uploads.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("declared_sha256", String(64), nullable=True),
    Column("content_type", String(255), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("uploaded_by", String(100), nullable=False),
    Column("blob_id", String(32), nullable=False, unique=True),
    Column("committed_offset", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("sha256", String(64), nullable=True),
    Column("scan_status", String(16), nullable=False),
    Column("scan_detail", String(255), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("completed_at", UtcDateTime, nullable=True),
    Index("ix_files_tenant_id", "tenant_id"),
    Index("ix_files_upload_id", "upload_id"),
    Index("ix_files_scan_status", "scan_status"),
)

# One row per file and complaint. ``tenant_id`` is the agency that owns the complaint (the
# file itself may be stored under the uploader's company).
file_attachments_table = Table(
    "file_attachments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(100), nullable=False),
    Column("file_id", String(36), ForeignKey("files.id"), nullable=False),
    Column("complaint_id", String(64), nullable=False),
    Column("attached_as", String(32), nullable=False),
    Column("attached_by", String(100), nullable=False),
    Column("attached_at", UtcDateTime, nullable=False),
    UniqueConstraint("file_id", "complaint_id"),
    Index("ix_file_attachments_tenant_id", "tenant_id"),
    Index("ix_file_attachments_complaint_id", "complaint_id"),
)
