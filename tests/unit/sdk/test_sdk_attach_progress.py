"""``attach_files_to_draft``'s progress names the files each save put on the draft (sync and
async), so that a progress display can finish the bar of a file that sent no chunk."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from ses_sdk import AttachProgress, UploadedFile, UploadProgress
from ses_sdk._draft_files import AsyncDraftFiles, DraftFiles
from ses_sdk._file_transfers import AsyncFileTransfers, FileTransfers


def _uploaded(paths: Sequence[Path | str], names: Sequence[str]) -> list[UploadedFile]:
    return [
        UploadedFile(Path(p), f"id-{n}", n, Path(p).stat().st_size, "0" * 64, "grant")
        for p, n in zip(paths, names, strict=True)
    ]


def _chunks(files: list[UploadedFile]) -> list[UploadProgress]:
    """One chunk per file that has bytes (an empty file sends none), as the files client."""
    total = sum(f.size_bytes for f in files)
    sent, chunks = 0, []
    for file in files:
        if file.size_bytes:
            sent += file.size_bytes
            chunks.append(
                UploadProgress(
                    file.name, file.file_id, file.size_bytes, file.size_bytes, sent, total
                )
            )
    return chunks


class _Files:
    def upload_files(
        self, paths: Sequence[Path | str], kind: object, *, names: Sequence[str], **rest: Any
    ) -> list[UploadedFile]:
        uploaded = _uploaded(paths, names)
        for chunk in _chunks(uploaded):
            rest["progress"](chunk)
        return uploaded


class _AsyncFiles:
    async def upload_files(
        self, paths: Sequence[Path | str], kind: object, *, names: Sequence[str], **rest: Any
    ) -> list[UploadedFile]:
        return _Files().upload_files(paths, kind, names=names, **rest)


class _Complaints(DraftFiles):
    def save_response_draft(self, **request: Any) -> SimpleNamespace:
        return SimpleNamespace(draft=None)


class _AsyncComplaints(AsyncDraftFiles):
    async def save_response_draft(self, **request: Any) -> SimpleNamespace:
        return SimpleNamespace(draft=None)


def _files(folder: Path) -> list[Path]:
    paths = []
    for index in range(5):
        path = folder / f"f{index}.txt"
        path.write_text("x" * index)  # f0.txt is empty: it sends no chunk
        paths.append(path)
    return paths


def _call(folder: Path, seen: list[AttachProgress]) -> dict[str, Any]:
    """Five files (the first empty) in batches of 3, progress into ``seen``."""
    return {
        "complaint_id": "c1",
        "information_request_id": "ir1",
        "paths": _files(folder),
        "progress": seen.append,
        "batch_size": 3,
    }


def _saves(seen: list[AttachProgress]) -> list[list[str]]:
    return [[file.name for file in p.saved] for p in seen if p.file is None]


def test_each_save_reports_the_files_it_attached_even_those_without_a_chunk(
    tmp_path: Path,
) -> None:
    complaints = _Complaints()
    complaints.use_files_client(cast(FileTransfers, _Files()))
    seen: list[AttachProgress] = []
    complaints.attach_files_to_draft(**_call(tmp_path, seen))
    assert _saves(seen) == [["f0.txt", "f1.txt", "f2.txt"], ["f3.txt", "f4.txt"]]
    assert all(p.saved == () for p in seen if p.file is not None)
    assert "f0.txt" not in {p.file.file_name for p in seen if p.file is not None}


async def test_the_async_client_reports_the_saved_files_the_same_way(tmp_path: Path) -> None:
    complaints = _AsyncComplaints()
    complaints.use_files_client(cast(AsyncFileTransfers, _AsyncFiles()))
    seen: list[AttachProgress] = []
    await complaints.attach_files_to_draft(**_call(tmp_path, seen))
    assert _saves(seen) == [["f0.txt", "f1.txt", "f2.txt"], ["f3.txt", "f4.txt"]]
