"""Many files onto one response draft: batches of 25, each attached before the next, and a
journal so that a command run again after an interruption resumes instead of starting over.

The job aid's "upload 25, save the draft, repeat", done for the person. The journal
(``_places.cache_dir() / "uploads"``, one JSON file per complaint, IR and file list) records
how many batches are attached to the draft; the batch in flight has the SDK's own upload
journal beside it, so its files resume from the bytes the server committed. A run with
the same files (same paths, sizes and modification times) skips the attached batches;
a different file list starts a new journal. Both journals are removed when every batch
is attached. One narrow window remains: a process killed after the server saved a batch
onto the draft and before the journal recorded it attaches that batch again on the next
run (the draft then shows those files twice; remove them from the draft).

Built on ``client.files.upload_files`` (one batch) and ``SaveResponseDraft``; a candidate
to move into the SDK beside them.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ses_cli._limits import FILES_PER_BATCH
from ses_cli._places import cache_dir
from ses_sdk import SesClient, UploadedFile, UploadProgress
from ses_sdk.common import AttachmentKind
from ses_sdk.complaints import AttachedFile

_VERSION = 1


class BatchProgress(Protocol):
    """What a batched upload reports, for progress bars."""

    def begin(self, files: Sequence[Path], total_bytes: int) -> None: ...

    def skipped(self, files: Sequence[Path]) -> None: ...

    def batch(self, files: Sequence[Path]) -> None: ...

    def advanced(self, progress: UploadProgress) -> None: ...

    def attached(self, files: Sequence[Path]) -> None: ...


@dataclass(frozen=True)
class BatchOutcome:
    batches: int
    skipped_batches: int
    uploaded: tuple[UploadedFile, ...]


def attached_files(files: Sequence[UploadedFile]) -> list[AttachedFile]:
    """Uploaded files as ``SaveResponseDraft`` attaches them (with their attach grants)."""
    return [
        AttachedFile(
            file_id=f.file_id,
            file_name=f.name,
            size_bytes=f.size_bytes,
            attach_grant_token=f.attach_grant_token,
        )
        for f in files
    ]


def batches_of(paths: Sequence[Path], size: int = FILES_PER_BATCH) -> list[list[Path]]:
    return [list(paths[start : start + size]) for start in range(0, len(paths), size)]


class BatchJournal:
    """How many batches of this complaint, IR and file list are attached already."""

    def __init__(self, directory: Path, complaint_id: str, ir_id: str, paths: Sequence[Path]):
        identity = [complaint_id, ir_id, *(_identity(path) for path in paths)]
        key = hashlib.sha256(json.dumps(identity).encode()).hexdigest()[:32]
        self.path = directory / f"{key}.json"
        self.batch_journal_prefix = directory / key
        self._identity = identity

    def attached_batches(self) -> int:
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return 0
        if document.get("version") != _VERSION or document.get("identity") != self._identity:
            return 0
        return int(document.get("attached_batches", 0))

    def record(self, attached_batches: int) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        document = {
            "version": _VERSION,
            "identity": self._identity,
            "attached_batches": attached_batches,
        }
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(json.dumps(document), encoding="utf-8")
        os.replace(temporary, self.path)

    def batch_journal(self, index: int) -> Path:
        return self.batch_journal_prefix.with_name(f"{self.batch_journal_prefix.name}.{index}.json")

    def clear(self, batches: int) -> None:
        self.path.unlink(missing_ok=True)
        for index in range(batches):
            self.batch_journal(index).unlink(missing_ok=True)


def _identity(path: Path) -> list[object]:
    stat = path.stat()
    return [str(path.resolve()), stat.st_size, stat.st_mtime_ns]


def upload_in_batches(
    ses: SesClient,
    *,
    complaint_id: str,
    information_request_id: str,
    paths: Sequence[Path],
    attach: Callable[[list[UploadedFile]], None],
    progress: BatchProgress | None = None,
    journal_dir: Path | None = None,
) -> BatchOutcome:
    """Upload ``paths`` 25 at a time, calling ``attach`` with each verified batch (it saves
    the draft) before the next batch starts; resumes from the journal."""
    journal = BatchJournal(
        journal_dir or cache_dir() / "uploads", complaint_id, information_request_id, paths
    )
    batches = batches_of(paths)
    done = min(journal.attached_batches(), len(batches))
    if progress is not None:
        progress.begin(paths, sum(path.stat().st_size for path in paths))
    uploaded: list[UploadedFile] = []
    for index, batch in enumerate(batches):
        if index < done:
            if progress is not None:
                progress.skipped(batch)
            continue
        if progress is not None:
            progress.batch(batch)
        journal.path.parent.mkdir(parents=True, exist_ok=True)
        files = ses.files.upload_files(
            batch,
            AttachmentKind.RESPONSE,
            progress=progress.advanced if progress is not None else None,
            journal=journal.batch_journal(index),
        )
        attach(files)
        journal.record(index + 1)
        uploaded.extend(files)
        if progress is not None:
            progress.attached(batch)
    journal.clear(len(batches))
    return BatchOutcome(len(batches), done, tuple(uploaded))
