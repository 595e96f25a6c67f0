"""The asyncio files client: the same uploads and downloads as ``FilesClient``.

Reading and hashing a chunk happen in a worker thread, so the event loop keeps
sending while the next chunk is prepared; ``progress`` is called on the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Self, TypeVar

import grpc
import grpc.aio
from google.protobuf.message import Message
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential

from ses.files.v1 import files_pb2, files_pb2_grpc
from ses_sdk._channel import (
    AsyncTokenSource,
    call_metadata_async,
    new_idempotency_key,
    open_aio_channel,
)
from ses_sdk._errors import NotFound, SesError, UploadStalled
from ses_sdk._generated.common import AttachmentKind
from ses_sdk._journal import Journal
from ses_sdk._prefetch import Prefetcher
from ses_sdk._retry import RetryPolicy, is_retryable, needs_resync
from ses_sdk._uploads import (
    DEFAULT_CHUNK_BYTES,
    UPLOAD_CHUNKS_METHOD,
    ChunkRequest,
    LocalFile,
    ProgressCallback,
    UploadedFile,
    UploadSession,
    start_request,
    uploaded_files,
)

ResponseT = TypeVar("ResponseT", bound=Message)


class AsyncFilesClient:
    """Wraps ``FilesServiceStub`` on a ``grpc.aio.Channel``."""

    def __init__(
        self,
        channel: grpc.aio.Channel,
        token: AsyncTokenSource,
        *,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.stub = files_pb2_grpc.FilesServiceStub(channel)
        # UploadChunks serialized by ChunkRequest: one copy of each chunk, not two.
        self._upload_chunks = channel.stream_unary(
            UPLOAD_CHUNKS_METHOD,
            request_serializer=ChunkRequest.serialize,
            response_deserializer=files_pb2.UploadChunksResponse.FromString,
        )
        self._channel = channel
        self._token = token
        self._retry = retry or RetryPolicy()
        self._owns_channel = False

    @classmethod
    def connect(
        cls,
        target: str,
        token: AsyncTokenSource,
        *,
        retry: RetryPolicy | None = None,
        insecure: bool = False,
        root_certificates: bytes | None = None,
    ) -> AsyncFilesClient:
        client = cls(
            open_aio_channel(target, insecure=insecure, root_certificates=root_certificates),
            token,
            retry=retry,
        )
        client._owns_channel = True
        return client

    async def close(self) -> None:
        if self._owns_channel:
            await self._channel.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def upload_files(
        self,
        paths: Sequence[Path | str],
        kind: AttachmentKind = AttachmentKind.RESPONSE,
        *,
        chunk_size: int = DEFAULT_CHUNK_BYTES,
        progress: ProgressCallback | None = None,
        journal: Path | str | None = None,
        content_types: Sequence[str] = (),
        names: Sequence[str] = (),
    ) -> list[UploadedFile]:
        """Upload ``paths`` as one batch; see ``FilesClient.upload_files``."""
        local = LocalFile.batch(paths, names)
        record = Journal(journal) if journal is not None else None
        session = await self._resumed(record, local, kind) if record is not None else None
        if session is None:
            request = start_request(local, kind, content_types)
            started = await self._unary(self.stub.StartUpload, request, idempotent=True)
            session = UploadSession.started(started, kind, local, chunk_size)
            if record is not None:
                record.save(session)
        await self._send(session, progress)
        digests = await asyncio.to_thread(session.digests)
        completion = files_pb2.CompleteUploadRequest(upload_id=session.upload_id, digests=digests)
        completed = await self._unary(self.stub.CompleteUpload, completion, idempotent=True)
        if record is not None:
            record.clear()
        return uploaded_files(session, completed)

    async def get_upload_status(self, upload_id: str) -> files_pb2.Upload:
        request = files_pb2.GetUploadStatusRequest(upload_id=upload_id)
        return (await self._unary(self.stub.GetUploadStatus, request)).upload

    async def abort_upload(self, upload_id: str) -> None:
        await self._unary(self.stub.AbortUpload, files_pb2.AbortUploadRequest(upload_id=upload_id))

    async def download_file(self, file_id: str, grant_token: str, destination: Path | str) -> Path:
        """Download to ``destination``; see ``FilesClient.download_file``."""
        target = Path(destination)
        partial = target.with_name(target.name + ".part")
        size, written, stalled = -1, 0, 0
        with partial.open("wb") as handle:
            while size < 0 or written < size:
                before = written
                request = files_pb2.DownloadFileRequest(
                    file_id=file_id, grant_token=grant_token, offset=written
                )
                try:
                    call = self.stub.DownloadFile(
                        request, metadata=await call_metadata_async(self._token)
                    )
                    async for message in call:
                        if message.HasField("file"):
                            size = message.file.size_bytes
                        await asyncio.to_thread(handle.write, message.data)
                        written += len(message.data)
                except grpc.RpcError as error:
                    if not is_retryable(error):
                        raise SesError.from_rpc_error(error) from error
                stalled = 0 if written > before or size == 0 else stalled + 1
                if stalled >= self._retry.max_attempts:
                    raise UploadStalled(
                        f"Download of {file_id} made no progress in {stalled} attempts; "
                        "try again later.",
                        reason="download_stalled",
                    )
                if stalled:
                    await asyncio.sleep(self._retry.pause(stalled))
        partial.replace(target)
        return target

    async def _resumed(
        self, record: Journal, local: list[LocalFile], kind: AttachmentKind
    ) -> UploadSession | None:
        document = record.load(local, kind)
        if document is None:
            return None
        session = record.session(document, local, kind)
        try:
            upload = await self.get_upload_status(session.upload_id)
        except NotFound:
            return None
        if upload.state == files_pb2.UPLOAD_STATE_COMPLETED:
            for tracked in session.files:
                tracked.committed = tracked.local.size
            return session
        if upload.state != files_pb2.UPLOAD_STATE_OPEN:
            return None
        session.apply_status(upload)
        return session

    async def _send(self, session: UploadSession, progress: ProgressCallback | None) -> None:
        stalled = 0
        while not session.finished:
            before = session.committed()
            source = Prefetcher(session.chunks(), loop=asyncio.get_running_loop())
            try:
                response = await self._upload_chunks(
                    _requests(source, progress), metadata=await call_metadata_async(self._token)
                )
                session.apply_progress(response.files)
            except grpc.RpcError as error:
                if not (is_retryable(error) or needs_resync(error)):
                    raise SesError.from_rpc_error(error) from error
                session.apply_status(await self.get_upload_status(session.upload_id))
            finally:
                await asyncio.to_thread(source.close)
            stalled = 0 if session.committed() > before else stalled + 1
            if stalled >= self._retry.max_attempts:
                raise UploadStalled(
                    f"Upload {session.upload_id} made no progress in {stalled} attempts; "
                    "try again later (it resumes where it stopped).",
                    reason="upload_stalled",
                )
            if stalled:
                await asyncio.sleep(self._retry.pause(stalled))

    async def _unary(
        self,
        method: Callable[..., Awaitable[ResponseT]],
        request: Message,
        *,
        idempotent: bool = False,
    ) -> ResponseT:
        key = new_idempotency_key() if idempotent else None
        try:
            async for attempt in AsyncRetrying(
                retry=retry_if_exception(is_retryable),
                stop=stop_after_attempt(self._retry.max_attempts),
                wait=wait_exponential(
                    multiplier=self._retry.initial_backoff, max=self._retry.max_backoff
                ),
                reraise=True,
            ):
                with attempt:
                    metadata = await call_metadata_async(self._token, idempotency_key=key)
                    return await method(request, metadata=metadata)
        except grpc.RpcError as error:
            raise SesError.from_rpc_error(error) from error
        raise AssertionError("unreachable: tenacity either returns or raises")


async def _requests(
    source: Prefetcher, progress: ProgressCallback | None
) -> AsyncIterator[ChunkRequest]:
    while (produced := await source.next_async()) is not None:
        request, sent = produced
        yield request
        if progress is not None and sent is not None:
            progress(sent)


async def upload_files_async(
    channel_or_target: grpc.aio.Channel | str,
    token: AsyncTokenSource,
    paths: Sequence[Path | str],
    kind: AttachmentKind = AttachmentKind.RESPONSE,
    *,
    chunk_size: int = DEFAULT_CHUNK_BYTES,
    progress: ProgressCallback | None = None,
    journal: Path | str | None = None,
    insecure: bool = False,
) -> list[UploadedFile]:
    """Upload ``paths`` as one batch (see ``AsyncFilesClient.upload_files``)."""
    if isinstance(channel_or_target, str):
        async with AsyncFilesClient.connect(channel_or_target, token, insecure=insecure) as client:
            return await client.upload_files(
                paths, kind, chunk_size=chunk_size, progress=progress, journal=journal
            )
    return await AsyncFilesClient(channel_or_target, token).upload_files(
        paths, kind, chunk_size=chunk_size, progress=progress, journal=journal
    )
