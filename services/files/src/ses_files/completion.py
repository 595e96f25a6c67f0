"""CompleteUpload: verify size and SHA-256, then make the files available atomically.

Steps, for the files named (or every unfinished file of the upload):

1. Hold the files (no stream may write them meanwhile) and check every one has all its
   declared bytes; otherwise refuse, naming each file and where to resume.
2. Publish each file's bytes in the store (rename / multipart completion: idempotent,
   so a retried completion after a crash is safe) and take its SHA-256: the running
   hash of the stream when this process received every byte, else hashed from storage.
3. Compare with the SHA-256 declared in StartUpload and the one sent with this call.
   A mismatch discards that file's bytes (it restarts at byte 0) and refuses the call,
   naming the file. Nothing becomes available then: all named files or none.
4. One transaction marks the files available (each raising ``UploadCompleted``) and,
   once all its files are, the upload completed.

A published but not yet available blob is invisible: availability is the database
state, and downloads require it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ses_core.errors import NotFound, PreconditionFailed, ValidationFailed, quote
from ses_core.identity import Actor
from ses_files.dependencies import FilesDependencies
from ses_files.handlers import reclaim, visible_upload
from ses_files.hashing import sha256_of
from ses_files.model import FileState, StoredFile, scope_of


@dataclass(frozen=True)
class CompleteUpload:
    upload_id: str
    file_ids: Sequence[str] = ()
    digests: Mapping[str, str] = field(default_factory=dict)


def complete_upload(
    deps: FilesDependencies, actor: Actor, command: CompleteUpload
) -> list[StoredFile]:
    scope = scope_of(actor)
    with deps.unit_of_work(scope) as uow:
        upload = visible_upload(uow, actor, command.upload_id)
        files = _selected(uow.files.of_upload(upload.id), command)
        done = [f for f in files if f.status is FileState.AVAILABLE]
        pending = [f for f in files if f.status is FileState.UPLOADING]
        if not pending:
            return done
        upload.require_open(deps.now())
        _refuse_unusable(files)
    digests = _checked_digests(command.digests, {f.id for f in files})
    held = [f.id for f in pending]
    if not deps.locks.acquire(held, deps.lock_wait):
        raise PreconditionFailed(
            "Bytes are still arriving for this upload; wait for the UploadChunks stream to "
            "end, then complete it again.",
            reason="upload_busy",
        )
    try:
        return done + _complete_held(deps, actor, command.upload_id, held, digests)
    finally:
        deps.locks.release(held)


def _complete_held(
    deps: FilesDependencies,
    actor: Actor,
    upload_id: str,
    held: list[str],
    digests: Mapping[str, str],
) -> list[StoredFile]:
    scope = scope_of(actor)
    with deps.unit_of_work(scope) as uow:  # fresh: a stream may have committed meanwhile
        files = [f for f in uow.files.of_upload(upload_id) if f.id in held]
    incomplete = [f for f in files if f.committed_offset != f.size]
    if incomplete:
        details = "; ".join(
            f"{f.describe_progress()}, resume from byte {f.committed_offset:,}" for f in incomplete
        )
        raise PreconditionFailed(
            f"Some files are missing bytes: {details}. Send the rest, then complete the "
            "upload again.",
            reason="files_incomplete",
        )
    actual = {f.id: _published_digest(deps, f) for f in files}
    mismatched = [f for f in files if _mismatch(f, actual[f.id], digests.get(f.id))]
    if mismatched:
        _restart(deps, scope, mismatched)
        names = "; ".join(f"{f.name} (its bytes hash to {actual[f.id]})" for f in mismatched)
        raise PreconditionFailed(
            f"These files do not match their declared SHA-256, so their bytes were "
            f"discarded: {names}. Upload them again from the start, then complete the "
            "upload.",
            reason="checksum_mismatch",
        )
    now = deps.now()
    with deps.unit_of_work(scope) as uow:
        upload = visible_upload(uow, actor, upload_id)
        upload.require_open(now)
        everything = uow.files.of_upload(upload_id, lock=True)
        completed = [f for f in everything if f.id in held]
        for file in completed:
            file.complete(actual[file.id], now, scanning=deps.scanning)
        if all(f.status is FileState.AVAILABLE for f in everything):
            upload.complete(now)
        uow.commit()
    for file in completed:
        deps.hashes.forget(file.id)
    if deps.scanning:
        deps.scan_requested()
    return completed


def _selected(files: list[StoredFile], command: CompleteUpload) -> list[StoredFile]:
    if not command.file_ids:
        return [f for f in files if f.status in (FileState.UPLOADING, FileState.AVAILABLE)]
    by_id = {f.id: f for f in files}
    unknown = [file_id for file_id in command.file_ids if file_id not in by_id]
    if unknown:
        raise NotFound(
            f"Upload {quote(command.upload_id)} has no file {quote(', '.join(unknown))}; "
            "complete only files it declared (GetUploadStatus lists them).",
            reason="file_not_declared",
        )
    return [by_id[file_id] for file_id in dict.fromkeys(command.file_ids)]


def _refuse_unusable(files: list[StoredFile]) -> None:
    gone = [f for f in files if f.status in (FileState.ABORTED, FileState.EXPIRED)]
    if gone:
        raise PreconditionFailed(
            f"{', '.join(f.name for f in gone)} can no longer be completed (aborted or "
            "expired); upload them again in a new upload.",
            reason="file_not_accepting",
        )


def _checked_digests(digests: Mapping[str, str], known: set[str]) -> dict[str, str]:
    checked: dict[str, str] = {}
    for file_id, digest in digests.items():
        if file_id not in known:
            raise ValidationFailed(
                f"A SHA-256 was sent for file {file_id}, which is not being completed; send "
                "digests only for the files named in this call.",
                reason="digest_for_unknown_file",
            )
        lowered = digest.lower()
        if len(lowered) != 64 or any(char not in "0123456789abcdef" for char in lowered):
            raise ValidationFailed(
                f"The SHA-256 sent for file {file_id} is not 64 hexadecimal digits; send the "
                "digest in hex.",
                reason="checksum_malformed",
            )
        checked[file_id] = lowered
    return checked


def _published_digest(deps: FilesDependencies, file: StoredFile) -> str:
    running = deps.hashes.peek(file.id)
    deps.store.publish(file.blob_id, file.size)
    if running is not None and running.position == file.size:
        return running.hexdigest()
    # Not received whole by this process (restart, other replica): hash from storage.
    return sha256_of(deps.store.read(file.blob_id, 0, deps.chunk_bytes))


def _mismatch(file: StoredFile, actual: str, sent: str | None) -> bool:
    return any(expected not in (None, actual) for expected in (file.declared_sha256, sent))


def _restart(deps: FilesDependencies, scope: str, files: list[StoredFile]) -> None:
    reclaim(deps, files)
    ids = {f.id for f in files}
    with deps.unit_of_work(scope) as uow:
        for file in uow.files.of_upload(files[0].upload_id, lock=True):
            if file.id in ids:
                file.restart_bytes()
        uow.commit()
