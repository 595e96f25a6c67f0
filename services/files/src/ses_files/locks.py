"""Which files this process is writing: one stream (or completion, abort, expiry) per file.

Exclusive ownership keeps two streams from appending to one file at once and keeps a
completion or an abort from racing a stream still writing. A new stream for a file
whose previous stream is dying (its client was killed) waits briefly for it to let go.
The database's compare-and-set on the committed offset backs this up across replicas.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Collection

_POLL_SECONDS = 0.05


class FileLocks:
    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._held: set[str] = set()

    def acquire(self, file_ids: Collection[str], timeout: float) -> bool:
        """Take all of ``file_ids`` or none, waiting up to ``timeout`` seconds (blocking)."""
        wanted = set(file_ids)
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._held & wanted:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(remaining)
            self._held |= wanted
            return True

    async def wait_and_acquire(self, file_ids: Collection[str], wait: float) -> bool:
        """``acquire`` for the event loop: polls instead of parking a worker thread."""
        deadline = time.monotonic() + wait
        while not self.acquire(file_ids, 0):
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(_POLL_SECONDS)
        return True

    def release(self, file_ids: Collection[str]) -> None:
        with self._changed:
            self._held -= set(file_ids)
            self._changed.notify_all()

    def held(self, file_id: str) -> bool:
        with self._changed:
            return file_id in self._held
