"""The blob-store plugin contract: resumable writes, atomic publication, streamed reads.

A stored file's bytes live under a generated ``blob_id`` (32 lowercase hex digits); the
user's file name never reaches a store, so no name can steer a path or an object key.
Writing happens in two forms:

* a **partial** blob receives chunks at increasing offsets (``open_partial``). The
  service records a file's committed offset only after ``PartialWriter.sync`` returned,
  so storage always holds at least what the database says; reopening at the recorded
  offset drops whatever a crash left beyond it.
* ``publish`` turns a complete partial into the readable blob in one step (a rename on
  disk, a multipart completion on S3). Only published blobs can be read.

Every method is synchronous and blocking: the service calls them from worker threads,
never from the event loop. Stores must be safe to use from several threads at once,
for different blobs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Protocol

MIB = 1024 * 1024
_BLOB_ID = re.compile(r"[0-9a-f]{32}")


class BlobStoreError(RuntimeError):
    """Storage is missing bytes it should hold, or refused an operation."""


class BlobMissing(BlobStoreError):
    """No published blob with this id."""


def checked_blob_id(blob_id: str) -> str:
    """``blob_id`` if it is a generated id; anything else is a bug, never a path."""
    if not _BLOB_ID.fullmatch(blob_id):
        raise ValueError(f"{blob_id!r} is not a generated blob id (32 lowercase hex digits).")
    return blob_id


class PartialWriter(Protocol):
    """Appends to one partial blob. One thread writes; ``sync`` may be called from a
    second thread at the same time and makes durable at least what was written before
    the call."""

    def write(self, offset: int, data: bytes | memoryview) -> None:
        """Store ``data`` at ``offset`` (the end of what was written so far). ``data`` may
        be a view of a received request: copy what must outlive the call."""
        ...

    def sync(self) -> None:
        """Make everything written so far durable; only then is it committed."""
        ...

    def close(self) -> None: ...


class BlobStore(Protocol):
    """Where file bytes live. Selected by ``settings.files.blob_store``."""

    name: str

    def open_partial(self, blob_id: str, committed: int) -> PartialWriter:
        """A writer continuing the partial blob at ``committed`` bytes (0 creates it).

        Bytes beyond ``committed`` (written but never recorded) are dropped; fewer than
        ``committed`` durable bytes raise ``BlobStoreError``.
        """
        ...

    def publish(self, blob_id: str, size: int) -> None:
        """Make the complete partial readable, atomically. Idempotent: publishing a blob
        that is already published (a retried completion) succeeds."""
        ...

    def read(self, blob_id: str, offset: int = 0, chunk_bytes: int = MIB) -> Iterator[bytes]:
        """The published blob's bytes from ``offset``, in chunks; ``BlobMissing`` if none."""
        ...

    def discard(self, blob_id: str) -> None:
        """Remove the blob in whatever form it exists (partial, published, both). Idempotent."""
        ...
