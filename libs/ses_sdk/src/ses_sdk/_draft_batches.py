"""The job aid's "upload 25, save the draft, repeat", as state both clients share.

A response may carry any number of files, but one upload (and one SaveResponseDraft) takes
at most the server's batch limit (25 by default, DESIGN §2). ``DraftBatches`` splits the
files into batches of that size, remembers which batches are on the draft, and, with a
journal, survives the process: a restarted ``attach_files_to_draft`` with the same files
skips the batches already saved, resumes the batch being uploaded from the server's
committed offsets (the upload journal beside the draft journal), and saves a batch that was
uploaded but not yet saved without uploading it again. A batch is journaled as uploaded
before its save, so a process killed after the server saved it and before the journal said
so saves the same file ids again on the next run, which the server keeps once (a draft
names each file once): no window leaves a file attached twice.

The limit is not trusted from this package: the first batch is tried at ``batch_size``
(25 unless given), and a refusal ``too_many_files`` (from StartUpload or SaveResponseDraft)
carries the server's ``limit`` in its metadata, which the remaining batches then use.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ses_sdk._errors import InvalidArgument, SesError
from ses_sdk._generated.complaints import CompanyResponse
from ses_sdk._uploads import LocalFile, UploadedFile, UploadProgress

DEFAULT_BATCH_SIZE = 25  # DESIGN §2; the server's own limit wins (see the module docstring)
TOO_MANY_FILES = "too_many_files"
_JOURNAL_VERSION = 1


@dataclass(frozen=True)
class AttachProgress:
    """Where ``attach_files_to_draft`` stands, passed to its ``progress`` callback after
    every chunk sent and after every batch saved to the draft.

    ``file`` is the chunk's per-file progress (``None`` after a save); ``bytes_sent`` and
    ``total_bytes`` count every file of the call, ``files_attached`` those already saved on
    the draft, ``batch`` the batch being uploaded (after a save: the one saved), 1-based,
    of ``batches``. ``saved`` names the files that save just put on the draft (empty after
    a chunk): a file resumed whole, or empty, sends no chunk, and this is where it shows.
    """

    file: UploadProgress | None
    bytes_sent: int
    total_bytes: int
    files_attached: int
    files_total: int
    batch: int
    batches: int
    saved: tuple[UploadedFile, ...] = ()

    @property
    def fraction(self) -> float:
        """Share of all the call's bytes sent, 0.0 to 1.0."""
        return 1.0 if self.total_bytes == 0 else self.bytes_sent / self.total_bytes


AttachProgressCallback = Callable[[AttachProgress], None]


@dataclass(frozen=True)
class AttachedFiles:
    """What ``attach_files_to_draft`` did: every file uploaded and attached, in the order
    given, and the draft as its last save left it."""

    files: list[UploadedFile]
    draft: CompanyResponse | None


def server_batch_limit(error: SesError) -> int | None:
    """The server's batch limit when ``error`` refused a batch as too large, else None."""
    if not isinstance(error, InvalidArgument) or error.reason != TOO_MANY_FILES:
        return None
    try:
        limit = int(error.metadata.get("limit", ""))
    except ValueError:
        return None
    return limit if limit > 0 else None


class DraftBatches:
    """The files of one ``attach_files_to_draft`` call and how far they got."""

    def __init__(
        self,
        complaint_id: str,
        information_request_id: str,
        files: Sequence[LocalFile],
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        journal: Path | str | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}.")
        self.complaint_id = complaint_id
        self.information_request_id = information_request_id
        self.files = list(files)
        self.batch_size = batch_size
        self.attached: list[UploadedFile] = []  # saved on the draft, in order
        self.uploaded: list[UploadedFile] = []  # the current batch, uploaded, not yet saved
        self.batches_saved = 0
        self.journal = Path(journal) if journal is not None else None
        if self.journal is not None:
            self._load()

    # -- where we are --------------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        return len(self.attached) == len(self.files)

    def next_batch(self) -> list[LocalFile]:
        """The files of the next batch to upload (those after the attached ones)."""
        start = len(self.attached)
        return self.files[start : start + self.batch_size]

    @property
    def upload_journal(self) -> Path | None:
        """Where the batch being uploaded keeps its own (files client) journal."""
        return (
            None if self.journal is None else self.journal.with_name(self.journal.name + ".upload")
        )

    @property
    def total_bytes(self) -> int:
        return sum(file.size for file in self.files)

    @property
    def attached_bytes(self) -> int:
        return sum(file.size for file in self.files[: len(self.attached)])

    @property
    def batches(self) -> int:
        """Batches in all: those saved and those the files left still make."""
        left = len(self.files) - len(self.attached)
        return self.batches_saved + -(-left // self.batch_size)

    def progress(
        self, file: UploadProgress | None, saved: Sequence[UploadedFile] = ()
    ) -> AttachProgress:
        sent = self.attached_bytes + (file.batch_bytes_sent if file is not None else 0)
        return AttachProgress(
            file=file,
            bytes_sent=sent,
            total_bytes=self.total_bytes,
            files_attached=len(self.attached),
            files_total=len(self.files),
            # a chunk belongs to the batch under way; a save reports the batch it saved
            batch=max(1, min(self.batches_saved + (file is not None), self.batches)),
            batches=self.batches,
            saved=tuple(saved),
        )

    # -- what happened -------------------------------------------------------------------------

    def shrink_to(self, limit: int) -> None:
        """Use the server's smaller limit for the batches still to come."""
        if limit >= self.batch_size:
            raise ValueError(f"the server's limit {limit} does not shrink {self.batch_size}")
        self.batch_size = limit
        self._save()

    def batch_uploaded(self, files: Sequence[UploadedFile]) -> None:
        self.uploaded = list(files)
        self._save()

    def saved(self, count: int) -> None:
        """The first ``count`` uploaded files are on the draft now."""
        self.attached.extend(self.uploaded[:count])
        self.uploaded = self.uploaded[count:]
        if not self.uploaded:
            self.batches_saved += 1
        if self.finished and self.journal is not None:
            self.journal.unlink(missing_ok=True)
        else:
            self._save()

    # -- the journal ---------------------------------------------------------------------------

    def _identity(self) -> dict[str, Any]:
        return {
            "version": _JOURNAL_VERSION,
            "complaint_id": self.complaint_id,
            "information_request_id": self.information_request_id,
            "files": [[str(f.path), f.size, f.mtime_ns, f.name] for f in self.files],
        }

    def _save(self) -> None:
        if self.journal is None:
            return
        document = {
            **self._identity(),
            "batch_size": self.batch_size,
            "batches_saved": self.batches_saved,
            "attached": [_recorded(file) for file in self.attached],
            "uploaded": [_recorded(file) for file in self.uploaded],
        }
        temporary = self.journal.with_name(self.journal.name + ".tmp")
        temporary.write_text(json.dumps(document), encoding="utf-8")
        os.replace(temporary, self.journal)

    def _load(self) -> None:
        """Resume from the journal when it records this very call (same draft, same files
        with the same sizes and modification times); otherwise start afresh."""
        assert self.journal is not None
        try:
            document = json.loads(self.journal.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return
        identity = self._identity()
        if any(document.get(key) != value for key, value in identity.items()):
            return
        self.batch_size = min(self.batch_size, int(document["batch_size"]))
        self.attached = [_restored(entry) for entry in document["attached"]]
        self.uploaded = [_restored(entry) for entry in document["uploaded"]]
        self.batches_saved = int(document["batches_saved"])


def _recorded(file: UploadedFile) -> dict[str, Any]:
    return {**asdict(file), "path": str(file.path)}


def _restored(entry: dict[str, Any]) -> UploadedFile:
    return UploadedFile(**{**entry, "path": Path(entry["path"])})
