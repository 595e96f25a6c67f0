"""Uploads and stored files: the files context's two aggregates and their state machines.

An ``Upload`` is one declared batch; each of its files is a ``StoredFile`` aggregate of
its own, because bytes arrive, complete and expire file by file. Statuses change only
through the machines below.

Choices where the spec is silent:

* **Scope.** A file belongs to its uploader's agency (``tenant_id``) or, for company
  users, to their company; platform operators share the scope ``platform``. Only the
  uploader sees an upload and a file without a grant: another user of the same agency
  gets NOT_FOUND as well, because the complaint decides who else may see it.
* **Expiry** counts from ``StartUpload`` (``settings.files.upload_expiry``), not from the
  last chunk, so an abandoned upload always goes within a known time. Files completed
  before the deadline stay.
* An upload is COMPLETED once every one of its files is available; until then it stays
  OPEN, and ``CompleteUpload`` may be called for some files at a time.
* With a malware scanner configured a completed file is ``pending`` until scanned and
  cannot be downloaded meanwhile; without one it is ``unscanned`` and downloadable.
* **Attachments.** A ``FileAttachment`` records that a complaint keeps a file (learnt
  from the complaints service's ``FilesAttached``; see ``consumers``). It belongs to the
  agency that owns the complaint, not to the file's scope, so that one unit of work
  records it. Only an available file can be attached: the complaints service accepts
  only files proven complete, and neither expiry nor abort touches available files, so
  an attached file is never reclaimed by them.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from ses_core.errors import NotFound, PreconditionFailed
from ses_core.identity import Actor
from ses_core.lifecycle import StateMachine, Transition
from ses_core.models import Aggregate
from ses_core.models import file_events as ev
from ses_core.uploads import AttachmentKind, format_size

PLATFORM_SCOPE = "platform"


def scope_of(actor: Actor) -> str:
    """The scope an actor's uploads are stored under."""
    return actor.tenant_id or actor.company_id or PLATFORM_SCOPE


class UploadState(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    ABORTED = "aborted"
    EXPIRED = "expired"


class FileState(StrEnum):
    UPLOADING = "uploading"
    AVAILABLE = "available"
    ABORTED = "aborted"
    EXPIRED = "expired"


class LifecycleAction(StrEnum):
    COMPLETE = "complete"
    ABORT = "abort"
    EXPIRE = "expire"


class ScanStatus(StrEnum):
    PENDING = "pending"
    UNSCANNED = "unscanned"
    CLEAN = "clean"
    INFECTED = "infected"


_A = LifecycleAction
UPLOAD_MACHINE: StateMachine[UploadState, LifecycleAction, None] = StateMachine(
    "upload",
    [
        Transition(UploadState.OPEN, _A.COMPLETE, UploadState.COMPLETED),
        Transition(UploadState.OPEN, _A.ABORT, UploadState.ABORTED),
        Transition(UploadState.OPEN, _A.EXPIRE, UploadState.EXPIRED),
    ],
    final_states=[UploadState.COMPLETED, UploadState.ABORTED, UploadState.EXPIRED],
    initial_states=[UploadState.OPEN],
)
FILE_MACHINE: StateMachine[FileState, LifecycleAction, None] = StateMachine(
    "file",
    [
        Transition(FileState.UPLOADING, _A.COMPLETE, FileState.AVAILABLE),
        Transition(FileState.UPLOADING, _A.ABORT, FileState.ABORTED),
        Transition(FileState.UPLOADING, _A.EXPIRE, FileState.EXPIRED),
    ],
    final_states=[FileState.AVAILABLE, FileState.ABORTED, FileState.EXPIRED],
    initial_states=[FileState.UPLOADING],
)


class Upload(Aggregate):
    id: str
    tenant_id: str
    uploaded_by: str
    kind: AttachmentKind
    status: UploadState = Field(default=UploadState.OPEN, frozen=True)
    created_at: datetime
    expires_at: datetime
    finished_at: datetime | None = None

    def visible_to(self, actor: Actor) -> bool:
        return self.uploaded_by == actor.user_id and self.tenant_id == scope_of(actor)

    def require_open(self, now: datetime) -> None:
        """Refuse bytes and completion unless the upload still accepts them at ``now``."""
        if self.status is UploadState.OPEN and now >= self.expires_at:
            raise PreconditionFailed(
                f"Upload {self.id} expired at {self.expires_at:%Y-%m-%d %H:%M} UTC; start a "
                "new upload with the files that were not completed.",
                reason="upload_expired",
            )
        if self.status is not UploadState.OPEN:
            raise PreconditionFailed(
                f"Upload {self.id} is {self.status.value} and accepts nothing more; start a "
                "new upload for any file still to send.",
                reason=f"upload_{self.status.value}",
            )

    def complete(self, now: datetime) -> None:
        with self._transition(UPLOAD_MACHINE, _A.COMPLETE):
            self.finished_at = now

    def abort(self, now: datetime) -> None:
        with self._transition(UPLOAD_MACHINE, _A.ABORT):
            self.finished_at = now

    def expire(self, now: datetime) -> None:
        with self._transition(UPLOAD_MACHINE, _A.EXPIRE):
            self.finished_at = now


class StoredFile(Aggregate):
    id: str
    tenant_id: str
    upload_id: str
    position: int
    name: str
    size: int
    declared_sha256: str | None = None
    content_type: str = ""
    kind: AttachmentKind
    uploaded_by: str
    blob_id: str
    committed_offset: int = 0
    status: FileState = Field(default=FileState.UPLOADING, frozen=True)
    sha256: str | None = None
    scan_status: ScanStatus = ScanStatus.UNSCANNED
    scan_detail: str = ""
    created_at: datetime
    completed_at: datetime | None = None

    def visible_to(self, actor: Actor) -> bool:
        return self.uploaded_by == actor.user_id and self.tenant_id == scope_of(actor)

    @property
    def missing_bytes(self) -> int:
        return self.size - self.committed_offset

    def describe_progress(self) -> str:
        return (
            f"{self.name} has {format_size(self.committed_offset)} of {format_size(self.size)} "
            f"({self.committed_offset:,} of {self.size:,} bytes)"
        )

    def complete(self, sha256: str, now: datetime, *, scanning: bool) -> None:
        if self.committed_offset != self.size:
            raise PreconditionFailed(
                f"{self.describe_progress()}; send the rest from byte "
                f"{self.committed_offset:,}, then complete the upload again.",
                reason="file_incomplete",
            )
        with self._transition(FILE_MACHINE, _A.COMPLETE):
            self.sha256 = sha256
            self.completed_at = now
            self.scan_status = ScanStatus.PENDING if scanning else ScanStatus.UNSCANNED
            self._record(
                ev.UploadCompleted(
                    occurred_at=now,
                    tenant_id=self.tenant_id,
                    upload_id=self.upload_id,
                    file_id=self.id,
                    name=self.name,
                    size_bytes=self.size,
                    sha256_hex=sha256,
                    kind=self.kind.value,
                    actor_id=self.uploaded_by,
                )
            )

    def restart_bytes(self) -> None:
        """Forget the stored bytes (they did not match their checksum): send them again."""
        if self.status is not FileState.UPLOADING:
            raise PreconditionFailed(f"{self.name} is {self.status.value}; nothing to resend.")
        self.committed_offset = 0

    def abort(self) -> None:
        with self._transition(FILE_MACHINE, _A.ABORT):
            pass

    def expire(self, now: datetime) -> None:
        with self._transition(FILE_MACHINE, _A.EXPIRE):
            self._record(
                ev.FileExpired(
                    occurred_at=now,
                    tenant_id=self.tenant_id,
                    upload_id=self.upload_id,
                    file_id=self.id,
                    name=self.name,
                    committed_offset=self.committed_offset,
                )
            )

    def record_scan(self, status: ScanStatus, detail: str, now: datetime) -> None:
        if self.scan_status is not ScanStatus.PENDING:
            return  # scanned before (a retried scan): the first verdict stands
        self.scan_status = status
        self.scan_detail = detail
        self._record(
            ev.FileScanned(
                occurred_at=now, tenant_id=self.tenant_id, file_id=self.id, scan_status=status
            )
        )

    def require_downloadable(self) -> None:
        if self.status is not FileState.AVAILABLE:
            raise NotFound(
                f"There is no file {self.id} to download: it was never completed or it was "
                "removed; ask whoever shared it to upload it again.",
                reason="file_not_available",
            )
        if self.scan_status is ScanStatus.INFECTED:
            raise PreconditionFailed(
                f"{self.name} was found to contain malware ({self.scan_detail or 'unnamed'}) "
                "and cannot be downloaded; ask the sender for a clean copy.",
                reason="file_infected",
            )
        if self.scan_status is ScanStatus.PENDING:
            raise PreconditionFailed(
                f"{self.name} is still being checked for malware; try again in a minute.",
                reason="file_scan_pending",
            )


class FileAttachment(Aggregate):
    """A file kept for a complaint: one per file and complaint."""

    id: str
    tenant_id: str
    file_id: str
    complaint_id: str
    attached_as: str
    attached_by: str
    attached_at: datetime

    @classmethod
    def attach(
        cls,
        file: StoredFile,
        *,
        attachment_id: str,
        tenant_id: str,
        complaint_id: str,
        attached_as: str,
        by: str,
        now: datetime,
    ) -> FileAttachment:
        """Record that ``tenant_id``'s complaint keeps ``file``; raises ``FileAttached``."""
        if file.status is not FileState.AVAILABLE:
            raise PreconditionFailed(
                f"{file.name} is {file.status.value}, not available, so complaint "
                f"{complaint_id} cannot keep it; upload it again and attach the new file.",
                reason="file_not_available",
            )
        attachment = cls(
            id=attachment_id,
            tenant_id=tenant_id,
            file_id=file.id,
            complaint_id=complaint_id,
            attached_as=attached_as,
            attached_by=by,
            attached_at=now,
        )
        attachment._record(
            ev.FileAttached(
                occurred_at=now,
                tenant_id=tenant_id,
                file_id=file.id,
                complaint_id=complaint_id,
                kind=file.kind.value,
                attached_as=attached_as,
                actor_id=by,
            )
        )
        return attachment
