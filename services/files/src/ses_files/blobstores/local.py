"""Blobs on local disk (the embedded default), under ``settings.files.blob_dir``.

Layout, every name generated::

    <blob_dir>/partial/<blob_id>            bytes still arriving (never readable)
    <blob_dir>/objects/<blob_id[:2]>/<blob_id>  published blobs

A partial is published by ``rename`` within one file system, so a reader sees the whole
blob or none. Durability: ``sync`` is ``fdatasync`` of the partial (plus, the first time,
of its directory, so a crash cannot lose the file's name); ``publish`` fsyncs the file
and both directories around the rename. Files and directories are private to the
service's user (0600 / 0700).

**Direct I/O.** A durable store writes partials with ``O_DIRECT`` where the file system
allows it: the bytes go from one aligned buffer to the device instead of being copied
into the page cache first. That copy and the page cache's bookkeeping cost about as
much CPU as hashing the bytes (0.3-2 ms per MiB on the benchmark machine, depending on
memory pressure; bench/RESULTS.md), and the bytes are about to be synced anyway.

* Only writes of at least ``DIRECT_MIN_BYTES`` go direct: each direct write waits for
  the device, which for small chunks costs more than the copy (64 KiB chunks: 0.65 ms
  of CPU per MiB and half the throughput, against 0.2 ms for 1 MiB chunks).
* Only whole 4 KiB blocks go direct. The unaligned end of what was written so far (a
  file's last chunk, chunks of odd sizes) goes through the ordinary descriptor, so
  every byte is in the file when ``write`` returns; the next direct write rewrites the
  block holding it, whole.
* Durability is unchanged: ``sync`` still ``fdatasync``s the file, which covers bytes
  written either way. Where ``O_DIRECT`` is refused (tmpfs, some network file systems)
  the writer stays buffered.

Running several replicas on local disk needs one shared volume; the S3 store is the
choice for more than one machine.
"""

from __future__ import annotations

import contextlib
import errno
import io
import mmap
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from ses_core.platform.settings import FilesSettings
from ses_files.blobstores.base import MIB, BlobMissing, BlobStoreError, checked_blob_id

_BLOCK = 4096  # O_DIRECT alignment of memory, offset and length (512-byte devices too)
_O_DIRECT: int = getattr(os, "O_DIRECT", 0)
DIRECT_MIN_BYTES = 256 * 1024


class LocalPartialWriter:
    def __init__(
        self, descriptor: int, directory: Path, *, durable: bool, direct: int | None = None
    ) -> None:
        self._fd = descriptor
        self._direct = direct  # the same file opened O_DIRECT, or None: buffered only
        self._directory = directory
        self._durable = durable
        self._directory_synced = False

    def write(self, offset: int, data: bytes | memoryview) -> None:
        if self._direct is not None and len(data) >= DIRECT_MIN_BYTES:
            try:
                self._write_direct(offset, data)
                return
            except OSError as error:
                if error.errno != errno.EINVAL:
                    raise
                self._stop_direct()  # alignment this device refuses: buffered from now on
        _pwrite_all(self._fd, data, offset)

    def _write_direct(self, offset: int, data: bytes | memoryview) -> None:
        assert self._direct is not None
        start = offset - offset % _BLOCK
        head = offset - start  # bytes of the first block already in the file
        end = head + len(data)
        whole = end - end % _BLOCK
        with memoryview(_aligned_buffer(end)) as buffer:
            if head:
                with buffer[:head] as first:
                    if os.preadv(self._fd, [first], start) != head:
                        raise BlobStoreError(f"Partial blob ends before byte {offset:,}.")
            buffer[head:end] = data
            if whole:
                _pwrite_all(self._direct, buffer[:whole], start)
            if end > whole:
                _pwrite_all(self._fd, buffer[whole:end], start + whole)

    def _stop_direct(self) -> None:
        if self._direct is not None:
            os.close(self._direct)
            self._direct = None

    def sync(self) -> None:
        if not self._durable:
            return
        os.fdatasync(self._fd)  # the file's, whichever descriptor wrote the bytes
        if not self._directory_synced:
            _fsync_directory(self._directory)
            self._directory_synced = True

    def close(self) -> None:
        self._stop_direct()
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


_buffers = threading.local()


def _aligned_buffer(size: int) -> mmap.mmap:
    """A page-aligned buffer of at least ``size`` bytes, one per writing thread (so one
    per upload stream, freed with its thread, however many files the stream writes)."""
    buffer: mmap.mmap | None = getattr(_buffers, "buffer", None)
    if buffer is None or len(buffer) < size:
        if buffer is not None:
            buffer.close()
        buffer = mmap.mmap(-1, -(-max(size, 1) // _BLOCK) * _BLOCK)
        _buffers.buffer = buffer
    return buffer


def _pwrite_all(descriptor: int, data: bytes | memoryview, offset: int) -> None:
    with memoryview(data) as view:
        done = 0
        while done < len(view):
            with view[done:] as rest:
                done += os.pwrite(descriptor, rest, offset + done)


def _open_direct(path: Path) -> int | None:
    """``path`` opened for ``O_DIRECT`` writes, or None where the file system refuses."""
    if not _O_DIRECT:
        return None
    try:
        return os.open(path, os.O_WRONLY | _O_DIRECT | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        if error.errno in (errno.EINVAL, errno.EOPNOTSUPP):
            return None
        raise


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
            direct = _open_direct(path) if self.durable else None
        except BaseException:
            os.close(descriptor)
            raise
        return LocalPartialWriter(
            descriptor, self._partial_dir, durable=self.durable, direct=direct
        )

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
