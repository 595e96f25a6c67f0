"""The local-disk blob store: generated names only, crash-safe partials, atomic publication."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ses_files.blobstores import BlobMissing, BlobStoreError
from ses_files.blobstores.local import LocalBlobStore

BLOB = "0123456789abcdef0123456789abcdef"


def test_a_blob_written_in_parts_publishes_whole_and_reads_back(tmp_path: Path):
    store = LocalBlobStore(tmp_path)
    writer = store.open_partial(BLOB, 0)
    writer.write(0, b"hello ")
    writer.write(6, b"world")
    writer.sync()
    writer.close()

    store.publish(BLOB, 11)

    assert b"".join(store.read(BLOB)) == b"hello world"
    assert b"".join(store.read(BLOB, 6, chunk_bytes=2)) == b"world"
    assert not store.partial_path(BLOB).exists()
    assert stat.S_IMODE(os.stat(store.object_path(BLOB)).st_mode) == 0o600


def test_a_partial_blob_is_never_readable(tmp_path: Path):
    store = LocalBlobStore(tmp_path)
    store.open_partial(BLOB, 0).write(0, b"half")

    with pytest.raises(BlobMissing):
        store.read(BLOB)


def test_reopening_drops_bytes_written_after_the_last_commit(tmp_path: Path):
    store = LocalBlobStore(tmp_path)
    writer = store.open_partial(BLOB, 0)
    writer.write(0, b"committed|not recorded")
    writer.close()

    resumed = store.open_partial(BLOB, len(b"committed"))
    resumed.write(9, b"!")
    resumed.close()
    store.publish(BLOB, 10)

    assert b"".join(store.read(BLOB)) == b"committed!"


def test_storage_holding_less_than_was_committed_is_an_error(tmp_path: Path):
    store = LocalBlobStore(tmp_path)
    store.open_partial(BLOB, 0).write(0, b"abc")

    with pytest.raises(BlobStoreError, match="holds 3 bytes but 10"):
        store.open_partial(BLOB, 10)


def test_publishing_again_succeeds_and_a_wrong_size_does_not(tmp_path: Path):
    store = LocalBlobStore(tmp_path)
    store.open_partial(BLOB, 0).write(0, b"abc")

    with pytest.raises(BlobStoreError, match="holds 3 bytes, not 4"):
        store.publish(BLOB, 4)
    store.publish(BLOB, 3)
    store.publish(BLOB, 3)  # a retried completion

    assert b"".join(store.read(BLOB)) == b"abc"


def test_an_empty_file_publishes_without_any_chunk(tmp_path: Path):
    store = LocalBlobStore(tmp_path)

    store.publish(BLOB, 0)

    assert b"".join(store.read(BLOB)) == b""


def test_discard_removes_every_form_and_may_be_repeated(tmp_path: Path):
    store = LocalBlobStore(tmp_path)
    store.open_partial(BLOB, 0).write(0, b"abc")
    store.discard(BLOB)
    store.discard(BLOB)

    assert not store.partial_path(BLOB).exists()
    assert not store.object_path(BLOB).exists()


@pytest.mark.parametrize(
    "hostile", ["../../etc/passwd", "/etc/passwd", "a" * 32 + "/..", "", "ABCDEF" * 6, "x\0y"]
)
def test_only_generated_ids_can_name_a_blob(tmp_path: Path, hostile: str):
    store = LocalBlobStore(tmp_path)

    with pytest.raises(ValueError, match="not a generated blob id"):
        store.open_partial(hostile, 0)
    with pytest.raises(ValueError, match="not a generated blob id"):
        store.read(hostile)
    with pytest.raises(ValueError, match="not a generated blob id"):
        store.discard(hostile)
