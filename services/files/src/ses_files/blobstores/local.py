"""Blobs on local disk (the embedded default), under ``settings.files.blob_dir``.

Layout, every name generated::

    <blob_dir>/partial/<blob_id>            bytes still arriving (never readable)
    <blob_dir>/objects/<blob_id[:2]>/<blob_id>  published blobs

A partial is published by ``rename`` within one file system, so a reader sees the whole
blob or none. Durability: ``sync`` is ``fdatasync`` of the partial (plus, the first time,
of its directory, so a crash cannot lose the file's name); ``publish`` fsyncs the file
and both directories around the rename. Files and directories are private to the
service's user (0600 / 0700).

Running several replicas on local disk needs one shared volume; the S3 store is the
choice for more than one machine.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from pathlib import Path

from ses_core.platform.settings import FilesSettings
from ses_files.blobstores.base import MIB, BlobMissing, BlobStoreError, checked_blob_id


class LocalPartialWriter:
    def __init__(self, descriptor: int, directory: Path, *, durable: bool) -> None:
        self._fd = descriptor
        self._directory = directory
        self._durable = durable
        self._directory_synced = False

    def write(self, offset: int, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = os.pwrite(self._fd, view, offset)
            view = view[written:]
            offset += written

    def sync(self) -> None:
        if not self._durable:
            return
        os.fdatasync(self._fd)
        if not self._directory_synced:
            _fsync_directory(self._directory)
            self._directory_synced = True

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


class LocalBlobStore:
    """``durable=False`` skips every fsync: for throwaway test directories only."""

    name = "local"

    def __init__(self, root: Path, *, durable: bool = True) -> None:
        self.root = root
        self.durable = durable
        self._partial_dir = root / "partial"
        self._objects_dir = root / "objects"
        for directory in (root, self._partial_dir, self._objects_dir):
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)

    @classmethod
    def from_settings(cls, settings: FilesSettings) -> LocalBlobStore:
        if settings.blob_dir is None:
            raise ValueError("SES_FILES__BLOB_DIR is not set; the local blob store needs it.")
        return cls(settings.blob_dir)

    def partial_path(self, blob_id: str) -> Path:
        return self._partial_dir / checked_blob_id(blob_id)

    def object_path(self, blob_id: str) -> Path:
        checked_blob_id(blob_id)
        return self._objects_dir / blob_id[:2] / blob_id

    def open_partial(self, blob_id: str, committed: int) -> LocalPartialWriter:
        path = self.partial_path(blob_id)
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
        descriptor = os.open(path, flags, 0o600)
        try:
            held = os.fstat(descriptor).st_size
            if held < committed:
                raise BlobStoreError(
                    f"Partial blob {blob_id} holds {held} bytes but {committed} were committed."
                )
            if held > committed:
                os.ftruncate(descriptor, committed)  # written after the last commit: drop
        except BaseException:
            os.close(descriptor)
            raise
        return LocalPartialWriter(descriptor, self._partial_dir, durable=self.durable)

    def publish(self, blob_id: str, size: int) -> None:
        partial, final = self.partial_path(blob_id), self.object_path(blob_id)
        final.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not partial.exists():
            if final.exists() and final.stat().st_size == size:
                return  # published before: a retried completion
            if size == 0 and not final.exists():
                partial.touch(mode=0o600)  # an empty file never received a chunk
            else:
                raise BlobStoreError(f"Blob {blob_id} has no partial to publish.")
        held = partial.stat().st_size
        if held != size:
            raise BlobStoreError(f"Partial blob {blob_id} holds {held} bytes, not {size}.")
        if self.durable:
            descriptor = os.open(partial, os.O_RDONLY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
        os.rename(partial, final)
        if self.durable:
            _fsync_directory(final.parent)
            _fsync_directory(self._partial_dir)

    def read(self, blob_id: str, offset: int = 0, chunk_bytes: int = MIB) -> Iterator[bytes]:
        try:
            handle = io.FileIO(self.object_path(blob_id), "rb")
        except FileNotFoundError:
            raise BlobMissing(f"No published blob {blob_id}.") from None
        return _chunks(handle, offset, chunk_bytes)

    def discard(self, blob_id: str) -> None:
        self.partial_path(blob_id).unlink(missing_ok=True)
        self.object_path(blob_id).unlink(missing_ok=True)


def _chunks(handle: io.FileIO, offset: int, chunk_bytes: int) -> Iterator[bytes]:
    with contextlib.closing(handle):
        handle.seek(offset)
        while True:
            chunk = handle.read(chunk_bytes)
            if not chunk:
                return
            yield chunk


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
