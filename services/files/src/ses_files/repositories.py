"""Data mappers for uploads, files and attachments, plus the few queries that cross tenants.

Tenant-scoped repositories serve every request. The cross-tenant queries serve the
background loops (expiry, scanning), downloads by grant and attachments, which must
find a file before they know whose scope it is in; each returns ids only, and the
caller then opens a unit of work for that scope, except ``attachable_file``: an
attachment is recorded in the complaint's agency's unit of work, which reads the file
(never changes it) in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from ses_core.platform.db import TenantScopedRepository
from ses_core.uploads import AttachmentKind
from ses_files.model import (
    FileAttachment,
    FileState,
    ScanStatus,
    StoredFile,
    Upload,
    UploadState,
)
from ses_files.tables import file_attachments_table, files_table, uploads_table


class UploadRepository(TenantScopedRepository[Upload]):
    table = uploads_table
    aggregate_name = "upload"

    def _to_row(self, upload: Upload) -> dict[str, Any]:
        return {
            "id": upload.id,
            "tenant_id": upload.tenant_id,
            "uploaded_by": upload.uploaded_by,
            "kind": upload.kind.value,
            "status": upload.status.value,
            "created_at": upload.created_at,
            "expires_at": upload.expires_at,
            "finished_at": upload.finished_at,
        }

    def _from_row(self, row: RowMapping) -> Upload:
        return Upload(
            id=row["id"],
            tenant_id=row["tenant_id"],
            uploaded_by=row["uploaded_by"],
            kind=AttachmentKind(row["kind"]),
            status=UploadState(row["status"]),
            created_at=row["created_at"],
            expires_at=row["expires_at"],
            finished_at=row["finished_at"],
        )

    def find(self, upload_id: str) -> Upload | None:
        return self._load_one(self._select().where(self.table.c.id == upload_id))


class FileRepository(TenantScopedRepository[StoredFile]):
    table = files_table
    aggregate_name = "file"

    def _to_row(self, file: StoredFile) -> dict[str, Any]:
        return {
            "id": file.id,
            "tenant_id": file.tenant_id,
            "upload_id": file.upload_id,
            "position": file.position,
            "name": file.name,
            "size": file.size,
            "declared_sha256": file.declared_sha256,
            "content_type": file.content_type,
            "kind": file.kind.value,
            "uploaded_by": file.uploaded_by,
            "blob_id": file.blob_id,
            "committed_offset": file.committed_offset,
            "status": file.status.value,
            "sha256": file.sha256,
            "scan_status": file.scan_status.value,
            "scan_detail": file.scan_detail,
            "created_at": file.created_at,
            "completed_at": file.completed_at,
        }

    def _from_row(self, row: RowMapping) -> StoredFile:
        return StoredFile(
            id=row["id"],
            tenant_id=row["tenant_id"],
            upload_id=row["upload_id"],
            position=row["position"],
            name=row["name"],
            size=row["size"],
            declared_sha256=row["declared_sha256"],
            content_type=row["content_type"],
            kind=AttachmentKind(row["kind"]),
            uploaded_by=row["uploaded_by"],
            blob_id=row["blob_id"],
            committed_offset=row["committed_offset"],
            status=FileState(row["status"]),
            sha256=row["sha256"],
            scan_status=ScanStatus(row["scan_status"]),
            scan_detail=row["scan_detail"],
            created_at=row["created_at"],
            completed_at=row["completed_at"],
        )

    def find(self, file_id: str) -> StoredFile | None:
        return self._load_one(self._select().where(self.table.c.id == file_id))

    def of_upload(self, upload_id: str, *, lock: bool = False) -> list[StoredFile]:
        statement = (
            self._select()
            .where(self.table.c.upload_id == upload_id)
            .order_by(self.table.c.position)
        )
        return self._load_all(statement.with_for_update() if lock else statement)


class FileAttachmentRepository(TenantScopedRepository[FileAttachment]):
    """Attachments of the complaints of one agency (the tenant)."""

    table = file_attachments_table
    aggregate_name = "file attachment"

    def _to_row(self, attachment: FileAttachment) -> dict[str, Any]:
        return {
            "id": attachment.id,
            "tenant_id": attachment.tenant_id,
            "file_id": attachment.file_id,
            "complaint_id": attachment.complaint_id,
            "attached_as": attachment.attached_as,
            "attached_by": attachment.attached_by,
            "attached_at": attachment.attached_at,
        }

    def _from_row(self, row: RowMapping) -> FileAttachment:
        return FileAttachment(
            id=row["id"],
            tenant_id=row["tenant_id"],
            file_id=row["file_id"],
            complaint_id=row["complaint_id"],
            attached_as=row["attached_as"],
            attached_by=row["attached_by"],
            attached_at=row["attached_at"],
        )


# -- cross-tenant queries (ids only) ---------------------------------------------------------


def scope_of_file(engine: Engine, file_id: str) -> str | None:
    """The scope a file is stored under, or None if there is no such file."""
    statement = select(files_table.c.tenant_id).where(files_table.c.id == file_id)
    with engine.connect() as connection:
        found: str | None = connection.execute(statement).scalar_one_or_none()
    return found


def attachable_file(session: Session, file_id: str) -> StoredFile | None:
    """The file ``file_id`` whatever its scope, read in ``session``'s transaction, or None.

    A read only: the repository it loads through is not the unit of work's, so nothing
    it returns is ever written back.
    """
    statement = select(files_table.c.tenant_id).where(files_table.c.id == file_id)
    scope: str | None = session.execute(statement).scalar_one_or_none()
    return None if scope is None else FileRepository(session, scope).find(file_id)


def is_attached(session: Session, file_id: str, complaint_id: str) -> bool:
    """Whether the complaint keeps the file already, whichever agency recorded it (a
    complaint referred to another agency keeps what its first agency attached)."""
    table = file_attachments_table
    statement = select(table.c.id).where(
        table.c.file_id == file_id, table.c.complaint_id == complaint_id
    )
    return session.execute(statement).first() is not None


def complaints_keeping(engine: Engine, file_id: str) -> list[str]:
    """Ids of the complaints a file is attached to, in the order it was attached."""
    table = file_attachments_table
    statement = (
        select(table.c.complaint_id)
        .where(table.c.file_id == file_id)
        .order_by(table.c.attached_at, table.c.complaint_id)
    )
    with engine.connect() as connection:
        return [row[0] for row in connection.execute(statement)]


def uploads_due_to_expire(engine: Engine, now: datetime, limit: int) -> list[tuple[str, str]]:
    """(scope, upload id) of open uploads whose deadline passed, oldest first."""
    statement = (
        select(uploads_table.c.tenant_id, uploads_table.c.id)
        .where(uploads_table.c.status == UploadState.OPEN.value)
        .where(uploads_table.c.expires_at <= now)
        .order_by(uploads_table.c.expires_at)
        .limit(limit)
    )
    with engine.connect() as connection:
        return [(row[0], row[1]) for row in connection.execute(statement)]


def files_awaiting_scan(engine: Engine, limit: int) -> list[tuple[str, str]]:
    """(scope, file id) of available files the malware scanner has not judged yet."""
    statement = (
        select(files_table.c.tenant_id, files_table.c.id)
        .where(files_table.c.scan_status == ScanStatus.PENDING.value)
        .where(files_table.c.status == FileState.AVAILABLE.value)
        .order_by(files_table.c.completed_at)
        .limit(limit)
    )
    with engine.connect() as connection:
        return [(row[0], row[1]) for row in connection.execute(statement)]


def committed_offset_of(engine: Engine, file_id: str) -> tuple[int, FileState] | None:
    statement = select(files_table.c.committed_offset, files_table.c.status).where(
        files_table.c.id == file_id
    )
    with engine.connect() as connection:
        row = connection.execute(statement).first()
    return None if row is None else (int(row[0]), FileState(row[1]))


def advance_committed_offset(engine: Engine, advances: dict[str, tuple[int, int]]) -> list[str]:
    """Move each file's committed offset ``old → new`` in one transaction (the hot path).

    Compare-and-set: a file whose offset is no longer ``old`` or that stopped uploading
    (aborted, expired, completed) is not changed; its id is returned so the stream can
    stop. Bypasses the aggregate on purpose: one indexed update per synced batch of
    chunks, no events, no other field touched.
    """
    refused: list[str] = []
    with engine.begin() as connection:
        for file_id, (old, new) in advances.items():
            statement = (
                update(files_table)
                .where(files_table.c.id == file_id)
                .where(files_table.c.committed_offset == old)
                .where(files_table.c.status == FileState.UPLOADING.value)
                .values(committed_offset=new)
            )
            if connection.execute(statement).rowcount != 1:
                refused.append(file_id)
    return refused
