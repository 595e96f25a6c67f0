"""Reading ahead: the next chunks are read and hashed while the current one is sent."""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading

from ses_sdk._uploads import ChunkRequest, ChunkSource, UploadProgress

_Produced = tuple[ChunkRequest, UploadProgress | None] | BaseException | None


class Prefetcher:
    """Reads and hashes the next chunks in a thread of its own while the current one is
    sent, so that disk, SHA-256 and the network overlap instead of taking turns.

    ``depth`` chunks at most are read ahead. ``next()`` (blocking) or ``next_async()``
    (for an event loop: no worker thread per chunk) return ``(request, progress)`` pairs,
    then None; a read error is raised there. ``close()`` stops reading and closes the file.
    """

    def __init__(
        self,
        source: ChunkSource,
        *,
        depth: int = 4,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self._source = source
        self._loop = loop
        self._room = threading.Semaphore(depth)
        self._stopped = threading.Event()
        self._queue: queue.SimpleQueue[_Produced] = queue.SimpleQueue()
        self._async_queue: asyncio.Queue[_Produced] | None = (
            asyncio.Queue() if loop is not None else None
        )
        self._thread = threading.Thread(target=self._produce, name="ses-sdk-reader", daemon=True)
        self._thread.start()

    def next(self) -> tuple[ChunkRequest, UploadProgress | None] | None:
        return self._taken(self._queue.get())

    async def next_async(
        self,
    ) -> tuple[ChunkRequest, UploadProgress | None] | None:
        assert self._async_queue is not None, "create the Prefetcher with loop= for next_async"
        return self._taken(await self._async_queue.get())

    def close(self) -> None:
        self._stopped.set()
        self._room.release()  # wake a producer waiting for room
        self._thread.join()
        self._source.close()

    def _taken(self, item: _Produced) -> tuple[ChunkRequest, UploadProgress | None] | None:
        if isinstance(item, BaseException):
            raise item
        if item is not None:
            self._room.release()
        return item

    def _produce(self) -> None:
        item: _Produced = None
        try:
            while not self._stopped.is_set():
                self._room.acquire()
                if self._stopped.is_set():
                    return
                request = self._source.next_request()
                if request is None:
                    break
                self._deliver((request, self._source.progress))
            item = None
        except BaseException as error:  # handed to the consumer, who raises it
            item = error
        self._deliver(item)

    def _deliver(self, item: _Produced) -> None:
        if self._loop is None:
            self._queue.put(item)
            return
        assert self._async_queue is not None
        with contextlib.suppress(RuntimeError):  # the loop closed: nobody is listening
            self._loop.call_soon_threadsafe(self._async_queue.put_nowait, item)
