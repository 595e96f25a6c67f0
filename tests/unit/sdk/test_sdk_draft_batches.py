"""The batching state of ``attach_files_to_draft`` and the check of verified downloads."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from ses_sdk import DataLoss, InvalidArgument
from ses_sdk._download_check import DownloadCheck
from ses_sdk._draft_batches import DraftBatches, server_batch_limit
from ses_sdk._errors import ErrorDetails
from ses_sdk._uploads import LocalFile, UploadedFile


def local_files(folder: Path, count: int) -> list[LocalFile]:
    paths = []
    for index in range(count):
        path = folder / f"f{index}.bin"
        path.write_bytes(b"x" * (index + 1))
        paths.append(path)
    return LocalFile.batch(paths)


def uploaded(files: list[LocalFile]) -> list[UploadedFile]:
    return [
        UploadedFile(f.path, f"id-{f.path.name}", f.name, f.size, "0" * 64, "grant") for f in files
    ]


def test_batches_follow_the_limit_and_a_journal_resumes_after_the_saved_ones(
    tmp_path: Path,
) -> None:
    files = local_files(tmp_path, 30)
    journal = tmp_path / "journal.json"
    state = DraftBatches("c1", "ir1", files, journal=journal)
    assert state.next_batch() == files[:25]
    assert state.batches == 2
    state.batch_uploaded(uploaded(state.next_batch()))
    state.saved(25)

    resumed = DraftBatches("c1", "ir1", files, journal=journal)
    assert [f.file_id for f in resumed.attached] == [f"id-f{i}.bin" for i in range(25)]
    assert resumed.next_batch() == files[25:]
    assert resumed.progress(None).files_attached == 25
    assert resumed.progress(None).batch == 1  # the batch saved last
    resumed.batch_uploaded(uploaded(resumed.next_batch()))
    resumed.saved(5)
    assert resumed.finished
    assert not journal.exists()


def test_a_journal_of_other_files_or_another_draft_is_not_resumed(tmp_path: Path) -> None:
    files = local_files(tmp_path, 3)
    journal = tmp_path / "journal.json"
    state = DraftBatches("c1", "ir1", files, batch_size=2, journal=journal)
    state.batch_uploaded(uploaded(state.next_batch()))
    state.saved(2)
    assert not DraftBatches("c1", "ir2", files, batch_size=2, journal=journal).attached
    os.utime(files[0].path, ns=(1, 1))
    changed = LocalFile.batch([f.path for f in files])
    assert not DraftBatches("c1", "ir1", changed, batch_size=2, journal=journal).attached


def test_an_uploaded_batch_not_yet_saved_is_saved_without_uploading_again(
    tmp_path: Path,
) -> None:
    files = local_files(tmp_path, 4)
    journal = tmp_path / "journal.json"
    state = DraftBatches("c1", "ir1", files, batch_size=4, journal=journal)
    state.batch_uploaded(uploaded(files))
    resumed = DraftBatches("c1", "ir1", files, batch_size=4, journal=journal)
    assert [f.file_id for f in resumed.uploaded] == [f"id-f{i}.bin" for i in range(4)]


def test_the_server_limit_is_read_from_a_too_many_files_refusal() -> None:
    def refusal(reason: str, metadata: dict[str, str]) -> InvalidArgument:
        return InvalidArgument("too many", details=ErrorDetails(reason=reason, metadata=metadata))

    assert server_batch_limit(refusal("too_many_files", {"limit": "10"})) == 10
    assert server_batch_limit(refusal("too_many_files", {})) is None
    assert server_batch_limit(refusal("text_too_long", {"limit": "10"})) is None


def test_a_download_that_hashes_differently_is_refused_and_removed(tmp_path: Path) -> None:
    partial = tmp_path / "copy.part"
    partial.write_bytes(b"tampered")
    check = DownloadCheck("file-1")
    check.stated(hashlib.sha256(b"original").hexdigest())
    check.update(b"tampered")
    with pytest.raises(DataLoss) as refused:
        check.verify(partial)
    assert refused.value.reason == "download_corrupted"
    assert not partial.exists()

    good = DownloadCheck("file-1")
    good.stated(hashlib.sha256(b"original").hexdigest())
    good.update(b"origi")
    good.update(b"nal")
    good.verify(partial)  # no error
