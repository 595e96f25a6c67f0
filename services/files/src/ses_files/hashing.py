"""Checksums: the running SHA-256 of each file being received, and per-chunk checks.

**Why a registry and not a column.** A file's SHA-256 is computed while its bytes
arrive, so completing a 1 GiB upload costs nothing extra. hashlib's state cannot be
saved, so the running hashes live in this process (``HashRegistry``), keyed by file id
with the byte position they reached. A stream that resumes a file in the same process
(client killed, connection cut) continues the same hash. After a server restart, or
on another replica, the hash is gone: the file's bytes are then hashed once more,
from storage, when the upload is completed. Correct in every case, fast in the common
one.

CRC32C (Castagnoli) per chunk uses ``google-crc32c`` (its C implementation).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable

import google_crc32c  # type: ignore[import-untyped, unused-ignore]


def crc32c(data: bytes | memoryview) -> int:
    value: int = google_crc32c.value(data if isinstance(data, bytes) else bytes(data))
    return value


def sha256_of(chunks: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


class RunningHash:
    """SHA-256 of a file's first ``position`` bytes."""

    def __init__(self) -> None:
        self._digest = hashlib.sha256()
        self.position = 0

    def update(self, data: bytes | memoryview) -> None:
        self._digest.update(data)  # releases the GIL for large buffers
        self.position += len(data)

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


class HashRegistry:
    """The running hashes of this process's files, each used by one stream at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hashes: dict[str, RunningHash] = {}

    def take(self, file_id: str, committed: int) -> RunningHash | None:
        """The hash to continue at ``committed`` bytes (removed until ``keep``), if known."""
        with self._lock:
            found = self._hashes.pop(file_id, None)
        if committed == 0:
            return RunningHash()
        return found if found is not None and found.position == committed else None

    def peek(self, file_id: str) -> RunningHash | None:
        with self._lock:
            return self._hashes.get(file_id)

    def keep(self, file_id: str, running: RunningHash) -> None:
        with self._lock:
            self._hashes[file_id] = running

    def forget(self, file_id: str) -> None:
        with self._lock:
            self._hashes.pop(file_id, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._hashes)
