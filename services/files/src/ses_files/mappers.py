"""Protobuf messages ↔ commands and aggregates of the files service, and the request
field an error is about (a ``google.rpc.BadRequest`` field violation)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp

from ses.common.v1 import common_pb2
from ses.files.v1 import files_pb2
from ses_core.errors import SesError, ValidationFailed
from ses_core.uploads import AttachmentKind
from ses_files.completion import CompleteUpload
from ses_files.handlers import DeclaredFile, StartUpload, UploadView
from ses_files.model import FileState, ScanStatus, StoredFile, UploadState

_KINDS = {
    common_pb2.ATTACHMENT_KIND_RESPONSE: AttachmentKind.RESPONSE,
    common_pb2.ATTACHMENT_KIND_INFORMATION_REQUEST: AttachmentKind.INFORMATION_REQUEST,
    common_pb2.ATTACHMENT_KIND_COMPLAINT_DOCUMENT: AttachmentKind.COMPLAINT_DOCUMENT,
    common_pb2.ATTACHMENT_KIND_INTERACTION: AttachmentKind.INTERACTION,
}
_KIND_TO_PROTO = {kind: value for value, kind in _KINDS.items()}
_UPLOAD_STATES = {
    UploadState.OPEN: files_pb2.UPLOAD_STATE_OPEN,
    UploadState.COMPLETED: files_pb2.UPLOAD_STATE_COMPLETED,
    UploadState.ABORTED: files_pb2.UPLOAD_STATE_ABORTED,
    UploadState.EXPIRED: files_pb2.UPLOAD_STATE_EXPIRED,
}
_FILE_STATES = {
    FileState.UPLOADING: files_pb2.FILE_STATE_UPLOADING,
    FileState.AVAILABLE: files_pb2.FILE_STATE_AVAILABLE,
    FileState.ABORTED: files_pb2.FILE_STATE_ABORTED,
    FileState.EXPIRED: files_pb2.FILE_STATE_EXPIRED,
}
_SCAN_STATUSES = {
    ScanStatus.PENDING: files_pb2.SCAN_STATUS_UNSCANNED,
    ScanStatus.UNSCANNED: files_pb2.SCAN_STATUS_UNSCANNED,
    ScanStatus.CLEAN: files_pb2.SCAN_STATUS_CLEAN,
    ScanStatus.INFECTED: files_pb2.SCAN_STATUS_INFECTED,
}


def start_upload_command(request: files_pb2.StartUploadRequest) -> StartUpload:
    kind = _KINDS.get(request.kind)
    if kind is None:
        raise ValidationFailed(
            "Say what the files are for: kind must be a response, information request, "
            "complaint document or interaction attachment.",
            reason="kind_missing",
            field="kind",
        )
    return StartUpload(
        kind=kind,
        files=[
            DeclaredFile(
                name=declared.name,
                size=declared.size_bytes,
                sha256=declared.sha256_hex or None,
                content_type=declared.content_type,
            )
            for declared in request.files
        ],
    )


def complete_upload_command(request: files_pb2.CompleteUploadRequest) -> CompleteUpload:
    digests: dict[str, str] = {}
    for index, digest in enumerate(request.digests):
        for field, value in (("file_id", digest.file_id), ("sha256_hex", digest.sha256_hex)):
            if not value:
                raise ValidationFailed(
                    f"Digest {index + 1} has no {field}; each digest names a file and its "
                    "SHA-256 in hex.",
                    reason=f"digest_{field}_missing",
                    field=f"digests[{index}].{field}",
                )
        if digests.setdefault(digest.file_id, digest.sha256_hex) != digest.sha256_hex:
            raise ValidationFailed(
                f"Two different SHA-256 digests were sent for file {digest.file_id}; send one.",
                reason="digest_repeated",
            )
    return CompleteUpload(request.upload_id, tuple(request.file_ids), digests)


# The refusals of one declared file (the upload policy's, with the file's place in the
# batch as ``file_index``, and the media type check) → the DeclaredFile field they judge.
_DECLARED_FILE_FIELDS = {
    "name_empty": "name",
    "name_blank": "name",
    "name_too_long": "name",
    "name_forbidden_character": "name",
    "name_reserved": "name",
    "negative_size": "size_bytes",
    "file_too_large": "size_bytes",
    "checksum_malformed": "sha256_hex",
    "content_type_invalid": "content_type",
}
_BATCH_REASONS = frozenset({"empty_batch", "too_many_files"})


@contextmanager
def start_upload_fields() -> Iterator[None]:
    """Names the StartUploadRequest field of a refused batch: ``files`` for the batch as a
    whole, ``files[i].name`` (``size_bytes``, ...) for one file, or ``files[i]`` for a
    rule of the file not listed above. The policy speaks of files, not of requests."""
    try:
        yield
    except SesError as error:
        if error.field is None:
            error.field = _start_upload_field(error)
        raise


def _start_upload_field(error: SesError) -> str | None:
    if error.reason in _BATCH_REASONS:
        return "files"
    index = error.details.get("file_index")
    if not isinstance(index, int):
        return None
    attribute = _DECLARED_FILE_FIELDS.get(error.reason)
    return f"files[{index}].{attribute}" if attribute else f"files[{index}]"


def upload_message(view: UploadView) -> files_pb2.Upload:
    upload = view.upload
    return files_pb2.Upload(
        upload_id=upload.id,
        kind=_KIND_TO_PROTO[upload.kind],
        state=_UPLOAD_STATES[upload.status],
        files=[
            files_pb2.UploadFile(
                file_id=file.id,
                name=file.name,
                size_bytes=file.size,
                committed_offset=file.committed_offset,
                state=_FILE_STATES[file.status],
            )
            for file in view.files
        ],
        created_at=timestamp(upload.created_at),
        expires_at=timestamp(upload.expires_at),
    )


def file_info(file: StoredFile, attach_grant_token: str = "") -> files_pb2.FileInfo:
    info = files_pb2.FileInfo(
        file_id=file.id,
        name=file.name,
        size_bytes=file.size,
        sha256_hex=file.sha256 or "",
        kind=_KIND_TO_PROTO[file.kind],
        content_type=file.content_type,
        state=_FILE_STATES[file.status],
        scan_status=_SCAN_STATUSES[file.scan_status],
        uploaded_by_user_id=file.uploaded_by,
        created_at=timestamp(file.created_at),
        attach_grant_token=attach_grant_token,
    )
    if file.completed_at is not None:
        info.completed_at.CopyFrom(timestamp(file.completed_at))
    return info


def timestamp(at: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(at)
    return stamp
