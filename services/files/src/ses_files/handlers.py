"""One sync function per command or query: load, check, change, commit. No gRPC here.

Completing an upload is in ``completion``, receiving chunks in ``receiver``, expiry in
``expiry`` and scanning in ``scanning``.
"""

from __future__ import annotations

import logging
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from ses_core.errors import NotFound, PreconditionFailed, ValidationFailed, quote
from ses_core.identity import Actor
from ses_core.permissions import Action, Resource, ResourceKind, not_found_for, require_capable
from ses_core.platform.audit import RestrictedRead, note_restricted_read
from ses_core.platform.grants import FileGrantAction
from ses_core.uploads import AttachmentKind, FileSpec, normalize_filename
from ses_files.dependencies import FilesDependencies
from ses_files.model import FileState, StoredFile, Upload, UploadState, scope_of
from ses_files.repositories import scope_of_file
from ses_files.unit_of_work import FilesUnitOfWork

_log = logging.getLogger(__name__)

MAX_CONTENT_TYPE_CHARS = 255


@dataclass(frozen=True)
class DeclaredFile:
    name: str
    size: int
    sha256: str | None = None
    content_type: str = ""


@dataclass(frozen=True)
class StartUpload:
    kind: AttachmentKind
    files: Sequence[DeclaredFile]


@dataclass(frozen=True)
class UploadView:
    upload: Upload
    files: list[StoredFile]
    warnings: Sequence[str] = ()


def new_id() -> str:
    return str(uuid.uuid4())


def start_upload(deps: FilesDependencies, actor: Actor, command: StartUpload) -> UploadView:
    """Declare a batch; it is checked against the upload limits before any byte moves.

    Only who may attach a file somewhere may store one (``UPLOAD_FILE``, checked before
    there is a complaint to attach to: ``require_capable``): Complaint Managers,
    Supervisors and Agency POCs, company users with Manage Complaints. An Agency Account
    Administrator, a View user or a platform operator is refused before anything is kept.
    """
    require_capable(actor, Action.UPLOAD_FILE)
    specs = [FileSpec(f.name, f.size, f.sha256 or None) for f in command.files]
    deps.policy.check_batch(specs, command.kind)
    for index, declared in enumerate(command.files):
        _check_content_type(declared, index)
    now, scope = deps.now(), scope_of(actor)
    upload = Upload(
        id=new_id(),
        tenant_id=scope,
        uploaded_by=actor.user_id,
        kind=command.kind,
        created_at=now,
        expires_at=now + deps.settings.upload_expiry,
    )
    files = [
        StoredFile(
            id=new_id(),
            tenant_id=scope,
            upload_id=upload.id,
            position=position,
            name=normalize_filename(declared.name),
            size=declared.size,
            declared_sha256=declared.sha256.lower() if declared.sha256 else None,
            content_type=declared.content_type,
            kind=command.kind,
            uploaded_by=actor.user_id,
            blob_id=uuid.uuid4().hex,
            created_at=now,
        )
        for position, declared in enumerate(command.files)
    ]
    with deps.unit_of_work(scope) as uow:
        uow.uploads.add(upload)
        for file in files:
            uow.files.add(file)
        uow.commit()
    return UploadView(upload, files, deps.policy.warnings_for(specs))


def upload_status(deps: FilesDependencies, actor: Actor, upload_id: str) -> UploadView:
    with deps.unit_of_work(scope_of(actor)) as uow:
        upload = visible_upload(uow, actor, upload_id)
        return UploadView(upload, uow.files.of_upload(upload.id))


def abort_upload(deps: FilesDependencies, actor: Actor, upload_id: str) -> None:
    """Abandon the upload's unfinished files and reclaim their storage; idempotent."""
    scope = scope_of(actor)
    with deps.unit_of_work(scope) as uow:
        upload = visible_upload(uow, actor, upload_id)
        if upload.status in (UploadState.ABORTED, UploadState.EXPIRED):
            return
        if upload.status is UploadState.COMPLETED:
            raise PreconditionFailed(
                f"Upload {upload.id} is completed, so there is nothing to abort; its files "
                "stay available.",
                reason="upload_completed",
            )
        unfinished = [f.id for f in uow.files.of_upload(upload.id) if f.status is _UPLOADING]
    # Locks are taken outside any transaction: a stream must be able to commit meanwhile.
    if not deps.locks.acquire(unfinished, deps.lock_wait):
        raise PreconditionFailed(
            f"A stream is still sending bytes of upload {upload_id}; cancel it, then abort again.",
            reason="upload_busy",
        )
    try:
        with deps.unit_of_work(scope) as uow:
            upload = visible_upload(uow, actor, upload_id)
            if upload.status is not UploadState.OPEN:
                return  # expired or aborted meanwhile
            files = [f for f in uow.files.of_upload(upload.id, lock=True) if f.id in unfinished]
            for file in files:
                file.abort()
            upload.abort(deps.now())
            uow.commit()
        reclaim(deps, files)
    finally:
        deps.locks.release(unfinished)


def get_file(
    deps: FilesDependencies, actor: Actor, file_id: str, grant_token: str
) -> tuple[StoredFile, str]:
    """A file's metadata for its uploader or a grant holder, and (uploader only, once
    available) a fresh attach grant."""
    required_id(file_id, "file_id", "the id of the file, from its upload")
    file = _file_by_grant(deps, actor, file_id, grant_token) if grant_token else None
    if file is None:
        with deps.unit_of_work(scope_of(actor)) as uow:
            file = uow.files.find(file_id)
        if file is None or not file.visible_to(actor):
            raise _no_file(actor, file_id)
    attach = ""
    if file.visible_to(actor) and file.status is FileState.AVAILABLE:
        attach = deps.attach_grant(file)
    return file, attach


def open_download(
    deps: FilesDependencies, actor: Actor, file_id: str, grant_token: str, offset: int
) -> StoredFile:
    """Check a download may start at ``offset``; the caller then streams the blob.

    A missing grant is a malformed request (INVALID_ARGUMENT naming ``grant_token``, as
    the field is marked REQUIRED), not a refusal: nothing was judged yet."""
    required_id(file_id, "file_id", "the id of the file, from its complaint")
    if not grant_token:
        raise ValidationFailed(
            "Downloading a file needs a download link (grant_token); open the file from its "
            "complaint, which issues one.",
            reason="grant_required",
            field="grant_token",
        )
    file = _file_by_grant(deps, actor, file_id, grant_token, downloading=True)
    file.require_downloadable()
    if not 0 <= offset <= file.size:
        raise ValidationFailed(
            f"offset {offset:,} is outside {file.name}, which has {file.size:,} bytes; "
            "download from an offset between 0 and the file's size.",
            reason="offset_out_of_range",
        )
    return file


def visible_upload(uow: FilesUnitOfWork, actor: Actor, upload_id: str) -> Upload:
    required_id(upload_id, "upload_id", "the id StartUpload returned")
    upload = uow.uploads.find(upload_id)
    if upload is None or not upload.visible_to(actor):
        raise NotFound(
            f"There is no upload {quote(upload_id)} of yours; start one with StartUpload, or "
            "check the upload id.",
            reason="upload_not_found",
        )
    return upload


def required_id(value: str, field: str, what: str) -> str:
    """``value``, or INVALID_ARGUMENT naming the request ``field`` (``<field>_missing``)
    when it is empty: every request field holding an id is REQUIRED in files.proto."""
    if not value:
        raise ValidationFailed(
            f"The request has no {field}; give {what}.", reason=f"{field}_missing", field=field
        )
    return value


def reclaim(deps: FilesDependencies, files: Sequence[StoredFile]) -> None:
    """Delete the bytes of files that will never be completed."""
    for file in files:
        deps.hashes.forget(file.id)
        try:
            deps.store.discard(file.blob_id)
        except Exception:  # the state change stands; the bytes are an orphan to sweep later
            _log.exception("could not reclaim the storage of file %s", file.id)


_UPLOADING = FileState.UPLOADING


def _file_by_grant(
    deps: FilesDependencies,
    actor: Actor,
    file_id: str,
    grant_token: str,
    *,
    downloading: bool = False,
) -> StoredFile:
    """The file a download grant names; a download of a restricted response's file
    (``grant.restricted``) is noted for the audit trail under the grant's tenant."""
    grant = deps.signer.verify(grant_token, now=deps.now())
    grant.require(file_id=file_id, user_id=actor.user_id, action=FileGrantAction.DOWNLOAD)
    if downloading and grant.restricted:
        note_restricted_read(
            RestrictedRead(
                tenant_id=grant.tenant_id,
                action=Action.DOWNLOAD_FILE.value,
                resource_kind=ResourceKind.FILE.value,
                resource_id=file_id,
            )
        )
    scope = scope_of_file(deps.engine, file_id)
    file = None
    if scope is not None:
        with deps.unit_of_work(scope) as uow:
            file = uow.files.find(file_id)
    if file is None:
        raise _no_file(actor, file_id)
    return file


def _no_file(actor: Actor, file_id: str) -> NotFound:
    return not_found_for(actor, Resource(kind=ResourceKind.FILE, id=file_id))


def _check_content_type(declared: DeclaredFile, index: int) -> None:
    text = declared.content_type
    if len(text) > MAX_CONTENT_TYPE_CHARS or any(
        unicodedata.category(char) in ("Cc", "Cs") for char in text
    ):
        raise ValidationFailed(
            f"The media type given for {declared.name[:60]} is not a media type (at most "
            f"{MAX_CONTENT_TYPE_CHARS} printable characters, e.g. application/pdf); send a "
            "valid one or leave it empty.",
            reason="content_type_invalid",
            file_index=index,
        )
