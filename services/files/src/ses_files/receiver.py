"""UploadChunks: check each chunk on the event loop, hand it to the pipeline, report offsets.

Rules, in the order they are checked (the first broken one ends the stream; chunks
accepted before it stay committed):

* every chunk names its upload and file (INVALID_ARGUMENT naming the empty field);
* every chunk of a stream names the same upload, which the caller started and which
  is still open (FAILED_PRECONDITION once completed, aborted or expired);
* the file was declared in that upload (NOT_FOUND otherwise) and is still uploading;
* the chunk carries 1 byte to ``max_chunk_bytes`` (INVALID_ARGUMENT) and starts exactly
  at the file's committed offset (FAILED_PRECONDITION naming the offset to resume from);
* it does not run past the file's declared size (INVALID_ARGUMENT);
* an optional CRC32C or SHA-256 of the chunk matches (INVALID_ARGUMENT; the chunk is
  discarded and the offset stays where it was) — checked off the loop, by the pipeline.

One stream may carry several files of the upload, one after the other or interleaved.
When the stream ends, for whatever reason, everything accepted is committed before the
call returns, so ``GetUploadStatus`` right after tells where to resume.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Mapping

from ses.files.v1 import files_pb2
from ses_core.errors import NotFound, PreconditionFailed, UploadRejected, ValidationFailed, quote
from ses_core.identity import Actor
from ses_core.uploads import format_size
from ses_files import repositories
from ses_files.dependencies import FilesDependencies
from ses_files.handlers import required_id, upload_status
from ses_files.model import FileState, StoredFile, Upload
from ses_files.pipeline import Chunk, ChunkPipeline, Target
from ses_files.wire import ReceivedChunk


class ChunkReceiver:
    """Receives one UploadChunks stream for ``actor``."""

    def __init__(self, deps: FilesDependencies, actor: Actor) -> None:
        self._deps = deps
        self._actor = actor
        self._upload: Upload | None = None
        self._declared: dict[str, StoredFile] = {}
        self._targets: dict[str, Target] = {}

    async def receive(
        self, requests: AsyncIterator[files_pb2.UploadChunksRequest | ReceivedChunk]
    ) -> files_pb2.UploadChunksResponse:
        pipeline = ChunkPipeline(self._commit, self._release)
        try:
            async for request in requests:
                await self._accept(ReceivedChunk.of(request), pipeline)
            await pipeline.settle()
            pipeline.raise_failure()
        finally:
            pipeline.close()
            await pipeline.wait_closed()
        return files_pb2.UploadChunksResponse(
            upload_id=self._upload.id if self._upload else "",
            files=[
                files_pb2.FileProgress(
                    file_id=target.file_id,
                    committed_offset=target.durable,
                    size_bytes=target.size,
                )
                for target in self._targets.values()
            ],
        )

    async def _accept(self, received: ReceivedChunk, pipeline: ChunkPipeline) -> None:
        request, data = received.fields, received.data
        pipeline.raise_failure()
        if self._upload is None:
            await self._load_upload(request.upload_id)
        assert self._upload is not None
        if request.upload_id != self._upload.id:
            raise ValidationFailed(
                f"This stream carries chunks of upload {self._upload.id}, but a chunk names "
                f"upload {quote(request.upload_id) if request.upload_id else '(empty)'}; send "
                "each upload on its own stream.",
                reason="mixed_uploads",
                field="upload_id",
            )
        target = self._targets.get(request.file_id)
        if target is None:
            target = await self._open(request.file_id, pipeline)
        self._check_length(target, len(data))
        if request.offset != target.accepted:
            await pipeline.settle()
            pipeline.raise_failure()
            raise PreconditionFailed(
                f"The chunk of {target.name} starts at byte {request.offset:,}, but the file "
                f"continues at byte {target.durable:,}: resume from byte {target.durable:,}.",
                reason="offset_mismatch",
                committed_offset=target.durable,
            )
        self._check_room(target, request.offset, len(data))
        if request.sha256 and len(request.sha256) != 32:
            raise ValidationFailed(
                "A chunk's sha256 must be the 32-byte SHA-256 digest of its data, or empty.",
                reason="chunk_checksum_malformed",
            )
        await pipeline.submit(
            Chunk(
                target,
                request.offset,
                data,
                crc32c=request.crc32c if request.HasField("crc32c") else None,
                sha256=request.sha256 or None,
            )
        )
        target.accepted += len(data)

    def _check_length(self, target: Target, length: int) -> None:
        limit = self._deps.chunk_bytes
        if length == 0:
            raise UploadRejected(
                f"A chunk of {target.name} carries no bytes; send 1 to {limit:,} bytes per chunk.",
                reason="chunk_empty",
                field="data",
            )
        if length > limit:
            raise UploadRejected(
                f"A chunk of {target.name} carries {length:,} bytes; chunks carry at most "
                f"{limit:,} bytes ({format_size(limit)}): split it.",
                reason="chunk_too_large",
                field="data",
            )

    def _check_room(self, target: Target, offset: int, length: int) -> None:
        if offset + length > target.size:
            room = max(target.size - offset, 0)
            raise UploadRejected(
                f"The chunk at byte {offset:,} of {target.name} carries {length:,} bytes, which "
                f"runs past its declared size of {target.size:,} bytes; at most {room:,} more "
                "bytes fit. Declare the right size in a new upload if the file changed.",
                reason="chunk_past_declared_size",
            )

    async def _load_upload(self, upload_id: str) -> None:
        view = await asyncio.to_thread(upload_status, self._deps, self._actor, upload_id)
        view.upload.require_open(self._deps.now())
        self._upload = view.upload
        self._declared = {file.id: file for file in view.files}

    async def _open(self, file_id: str, pipeline: ChunkPipeline) -> Target:
        assert self._upload is not None
        required_id(file_id, "file_id", "the id of a file declared in the upload")
        declared = self._declared.get(file_id)
        if declared is None:
            raise NotFound(
                f"Upload {self._upload.id} declared no file {quote(file_id)}; send chunks only "
                "for files declared in StartUpload.",
                reason="file_not_declared",
            )
        deps = self._deps
        if not await deps.locks.wait_and_acquire([file_id], deps.lock_wait):
            raise PreconditionFailed(
                f"Another stream is still sending {declared.name}; let it finish (or cancel "
                "it), then resume from GetUploadStatus.",
                reason="file_busy",
            )
        opening = asyncio.get_running_loop().run_in_executor(None, self._open_held, declared)
        try:
            target = await asyncio.shield(opening)
        except asyncio.CancelledError:
            opening.add_done_callback(functools.partial(self._abandon_opened, file_id))
            raise
        except BaseException:
            deps.locks.release([file_id])
            raise
        pipeline.add_target(target)
        self._targets[file_id] = target
        return target

    def _abandon_opened(self, file_id: str, opening: asyncio.Future[Target]) -> None:
        """The stream was cancelled while its file was being opened: let the file go."""
        if opening.cancelled() or opening.exception() is not None:
            self._deps.locks.release([file_id])
            return
        target = opening.result()
        if target.writer is not None:
            target.writer.close()
        self._release([target])

    def _open_held(self, declared: StoredFile) -> Target:
        """With the file held: its current offset (fresh: another stream may have moved
        it), its writer and its running hash."""
        deps = self._deps
        found = repositories.committed_offset_of(deps.engine, declared.id)
        if found is None:
            raise NotFound(f"File {declared.id} no longer exists.", reason="file_not_found")
        committed, status = found
        if status is not FileState.UPLOADING:
            raise PreconditionFailed(
                f"{declared.name} is {status.value} and accepts no more bytes.",
                reason=f"file_{status.value}",
            )
        writer = None
        if committed < declared.size:
            writer = deps.store.open_partial(declared.blob_id, committed)
        return Target(
            file_id=declared.id,
            name=declared.name,
            size=declared.size,
            writer=writer,
            running_hash=deps.hashes.take(declared.id, committed),
            accepted=committed,
            durable=committed,
        )

    # -- called from the pipeline's write thread --------------------------------------------

    def _commit(self, advances: Mapping[str, tuple[int, int]]) -> list[str]:
        return repositories.advance_committed_offset(self._deps.engine, dict(advances))

    def _release(self, targets: list[Target]) -> None:
        deps = self._deps
        for target in targets:
            running = target.running_hash
            if running is not None and running.position == target.durable:
                deps.hashes.keep(target.file_id, running)
            else:
                deps.hashes.forget(target.file_id)
        deps.locks.release([target.file_id for target in targets])
