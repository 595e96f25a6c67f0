"""Receiving, hashing and writing overlap: the chunk pipeline behind one UploadChunks stream.

    event loop ──chunk──▶ hash thread ──chunk──▶ write thread ╌╌sync request╌╌▶ sync thread
    (receive, check        (verify the chunk's     (append to the      (fdatasync what was
     offsets and sizes)     checksum, update the    partial blob)       written, then record
                            file's SHA-256)                             the committed offset)

The event loop never hashes or writes: it hands each accepted chunk on and reads the
next one while the threads work (hashlib and file I/O release the GIL). At most
``depth`` chunks are in flight (a semaphore the write thread refills as it writes), so
memory per stream is bounded by ``depth × chunk size`` whatever the file's size, and a
slow disk slows the client down through gRPC flow control instead of piling bytes up.

**Durability.** A committed offset is never ahead of durable bytes: the write thread
syncs, then records. It does so every ``SYNC_BYTES`` (or ``SYNC_SECONDS``) rather than
after every chunk, and in a thread of its own so that writing goes on while the disk
flushes: an ``fdatasync`` per 1 MiB chunk halves throughput, and each record is a
database transaction of about 1.5 ms of CPU (every 8 MiB, that was a twentieth of the
service's CPU per byte; bench/RESULTS.md). It always syncs and records when the stream
ends, for whatever reason (the client finished, was killed or cut off, or the server
is stopping), and before any error is reported. So a client that lost its connection
resumes exactly where its last delivered chunk ended; only a server crash (power cut,
SIGKILL) can lose up to ``SYNC_BYTES`` (or ``SYNC_SECONDS``) of the stream, which the
client then sends again from the recorded offset.

After the first failure (bad checksum, storage or database error, a file that stopped
accepting bytes) later chunks are discarded, so the committed offset stays exactly
where the failure happened, and the loop reports the failure at its next step.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ses_core.errors import PreconditionFailed, UploadRejected
from ses_files.blobstores import PartialWriter
from ses_files.hashing import RunningHash, crc32c

_log = logging.getLogger(__name__)

DEFAULT_DEPTH = 8
SYNC_BYTES = 32 * 1024 * 1024
SYNC_SECONDS = 0.5

Commit = Callable[[Mapping[str, tuple[int, int]]], list[str]]
"""Records ``{file_id: (old, new)}`` committed offsets; returns the files it refused."""


@dataclass
class Target:
    """One file a stream is writing."""

    file_id: str
    name: str
    size: int
    writer: PartialWriter | None
    running_hash: RunningHash | None
    accepted: int  # where the next chunk must start (handed to the pipeline)
    durable: int  # committed: synced and recorded
    written: int = -1  # handed to the writer, maybe not synced yet (under the pipeline lock)

    def __post_init__(self) -> None:
        if self.written < 0:
            self.written = self.durable


@dataclass
class Chunk:
    target: Target
    offset: int
    data: bytes | memoryview  # a view of the received request (``ses_files.wire``)
    crc32c: int | None = None
    sha256: bytes | None = None
    discarded: bool = field(default=False, init=False)


@dataclass
class _Flush:
    """Sync and record everything before this point, then resolve ``done``."""

    done: asyncio.Future[None]


@dataclass
class _SyncRequest:
    done: threading.Event | None = None


Finished = Callable[[list[Target]], None]
_Item = Chunk | _Flush | None


class ChunkPipeline:
    """Create inside a running event loop; ``close()`` exactly once when the stream ends."""

    def __init__(
        self,
        commit: Commit,
        finished: Finished,
        *,
        depth: int = DEFAULT_DEPTH,
        sync_bytes: int = SYNC_BYTES,
        sync_seconds: float = SYNC_SECONDS,
    ) -> None:
        self._loop = asyncio.get_running_loop()
        self._commit = commit
        self._finished = finished
        self._sync_bytes = sync_bytes
        self._sync_seconds = sync_seconds
        self._permits = asyncio.Semaphore(depth)
        self._closed = self._loop.create_future()
        self._to_hash: queue.SimpleQueue[_Item] = queue.SimpleQueue()
        self._to_write: queue.SimpleQueue[_Item] = queue.SimpleQueue()
        self._targets: list[Target] = []
        self._input_closed = False
        self.failure: BaseException | None = None
        # Shared by the write and the sync thread, under ``_state``.
        self._state = threading.Lock()
        self._dirty: dict[str, Target] = {}
        self._unsynced = 0
        self._last_sync = time.monotonic()
        self._sync_requested = False
        self._sync_requests: queue.SimpleQueue[_SyncRequest | None] = queue.SimpleQueue()
        self._writes_stopped = False
        self._sync_failed = False
        self._threads = [
            threading.Thread(target=self._hash_stage, name="files-hash", daemon=True),
            threading.Thread(target=self._write_stage, name="files-write", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    # -- event-loop side -------------------------------------------------------------------

    def add_target(self, target: Target) -> None:
        """Own ``target`` from now on: it is released (``finished``) when the pipeline ends."""
        self._targets.append(target)

    async def submit(self, chunk: Chunk) -> None:
        self.raise_failure()
        await self._permits.acquire()
        if self.failure is not None:
            self._permits.release()
            self.raise_failure()
        self._to_hash.put(chunk)

    async def settle(self) -> None:
        """Wait until every submitted chunk is committed (synced, recorded) or discarded."""
        flush = _Flush(self._loop.create_future())
        self._to_hash.put(flush)
        await flush.done

    def raise_failure(self) -> None:
        if self.failure is not None:
            raise self.failure

    def close(self) -> None:
        """No more chunks; the threads commit what they hold, then release the targets."""
        if not self._input_closed:
            self._input_closed = True
            self._to_hash.put(None)

    async def wait_closed(self) -> None:
        await asyncio.shield(self._closed)

    # -- threads ---------------------------------------------------------------------------

    def _fail(self, error: BaseException) -> None:
        if self.failure is None:
            self.failure = error

    def _hash_stage(self) -> None:
        while (item := self._to_hash.get()) is not None:
            if isinstance(item, Chunk):
                if self.failure is not None:
                    item.discarded = True
                else:
                    try:
                        self._check_and_hash(item)
                    except Exception as error:  # a bug, not a client mistake: report, stop
                        self._fail(error)
                        item.discarded = True
            self._to_write.put(item)
        self._to_write.put(None)

    def _check_and_hash(self, chunk: Chunk) -> None:
        problem = _checksum_problem(chunk)
        if problem is not None:
            self._fail(problem)
            chunk.discarded = True
            return
        if chunk.target.running_hash is not None:
            chunk.target.running_hash.update(chunk.data)

    def _write_stage(self) -> None:
        syncer = threading.Thread(target=self._sync_stage, name="files-sync", daemon=True)
        syncer.start()
        try:
            while (item := self._to_write.get()) is not None:
                if isinstance(item, _Flush):
                    self._sync_and_wait()
                    self._call_in_loop(_resolve, item.done)
                    continue
                # Chunks that passed the hash stage before a checksum failure are still
                # written: the committed offset must reach the failed chunk exactly.
                if not item.discarded and not self._writes_stopped:
                    self._write(item)
                self._call_in_loop(self._permits.release)
                self._sync_if_due()
            self._sync_and_wait()
        finally:
            self._sync_requests.put(None)
            syncer.join()
            self._finish()

    def _write(self, chunk: Chunk) -> None:
        target = chunk.target
        try:
            assert target.writer is not None
            target.writer.write(chunk.offset, chunk.data)
        except Exception as error:
            _log.exception("storing a chunk of file %s failed", target.file_id)
            self._writes_stopped = True
            self._fail(error)
            return
        with self._state:
            target.written = chunk.offset + len(chunk.data)
            self._dirty[target.file_id] = target
            self._unsynced += len(chunk.data)

    def _sync_if_due(self) -> None:
        with self._state:
            due = self._unsynced >= self._sync_bytes or (
                bool(self._dirty) and time.monotonic() - self._last_sync >= self._sync_seconds
            )
            if not due or self._sync_requested:
                return
            self._sync_requested = True
        self._sync_requests.put(_SyncRequest())

    def _sync_and_wait(self) -> None:
        request = _SyncRequest(threading.Event())
        self._sync_requests.put(request)
        assert request.done is not None
        request.done.wait()

    def _sync_stage(self) -> None:
        stopping = False
        while not stopping:
            try:  # also on a timer: an idle stream's last chunks become durable too
                requests = [self._sync_requests.get(timeout=self._sync_seconds)]
            except queue.Empty:
                requests = []
            while True:  # one sync answers every request already waiting
                try:
                    requests.append(self._sync_requests.get_nowait())
                except queue.Empty:
                    break
            stopping = None in requests
            self._sync()
            for request in requests:
                if request is not None and request.done is not None:
                    request.done.set()

    def _sync(self) -> None:
        """Make what was written durable, then record it as committed (sync thread)."""
        with self._state:
            dirty = {file_id: (t, t.written) for file_id, t in self._dirty.items()}
            self._dirty, self._unsynced = {}, 0
            self._last_sync, self._sync_requested = time.monotonic(), False
        if not dirty or self._sync_failed:
            return
        try:
            for target, _ in dirty.values():
                assert target.writer is not None
                target.writer.sync()
            refused = self._commit({f: (t.durable, end) for f, (t, end) in dirty.items()})
        except Exception as error:
            _log.exception("committing chunks failed")
            self._sync_failed = self._writes_stopped = True
            self._fail(error)
            return
        for file_id, (target, end) in dirty.items():
            if file_id not in refused:
                target.durable = end
        if refused:
            self._writes_stopped = True
            names = ", ".join(dirty[file_id][0].name for file_id in refused)
            self._fail(
                PreconditionFailed(
                    f"The upload stopped accepting bytes for {names} while they were being "
                    "sent (it was aborted, expired or completed, or another stream took "
                    "over); check GetUploadStatus before sending more.",
                    reason="file_not_accepting",
                )
            )

    def _finish(self) -> None:
        try:
            for target in self._targets:
                if target.writer is not None:
                    with contextlib.suppress(Exception):
                        target.writer.close()
            self._finished(self._targets)
        finally:
            self._call_in_loop(_resolve, self._closed)

    def _call_in_loop(self, callback: Callable[..., object], *args: object) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is gone: the process is exiting
            self._loop.call_soon_threadsafe(callback, *args)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _checksum_problem(chunk: Chunk) -> UploadRejected | None:
    if chunk.crc32c is not None and crc32c(chunk.data) != chunk.crc32c:
        algorithm = "CRC32C"
    elif chunk.sha256 is not None and hashlib.sha256(chunk.data).digest() != chunk.sha256:
        algorithm = "SHA-256"
    else:
        return None
    return UploadRejected(
        f"The chunk at byte {chunk.offset:,} of {chunk.target.name} does not match its "
        f"{algorithm}, so it was discarded: send it again from byte {chunk.offset:,}.",
        reason="chunk_checksum_mismatch",
        committed_offset=chunk.offset,
    )
