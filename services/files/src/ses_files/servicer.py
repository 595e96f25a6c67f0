"""The FilesService gRPC servicer: requests → handlers (in threads) → responses.

Downloads stream the blob from a worker thread one chunk at a time, so a download
holds one chunk in memory whatever the file's size; gRPC flow control paces the reads.

Register it with ``add_files_servicer``: the generated registration, except that
UploadChunks requests are parsed by ``ses_files.wire`` (their data is not copied).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any, cast

import grpc

from ses.files.v1 import files_pb2, files_pb2_grpc
from ses_core.platform.grpc import current_actor
from ses_files import handlers, mappers
from ses_files.completion import complete_upload
from ses_files.dependencies import FilesDependencies
from ses_files.receiver import ChunkReceiver
from ses_files.wire import ReceivedChunk, parse_chunk_request

SERVICE_NAME = "ses.files.v1.FilesService"

_END = object()


class FilesServicer(files_pb2_grpc.FilesServiceServicer):
    def __init__(self, deps: FilesDependencies) -> None:
        self._deps = deps

    async def StartUpload(  # noqa: N802 - gRPC method name
        self, request: files_pb2.StartUploadRequest, context: Any
    ) -> files_pb2.StartUploadResponse:
        command = mappers.start_upload_command(request)
        with mappers.start_upload_fields():
            view = await asyncio.to_thread(
                handlers.start_upload, self._deps, current_actor(), command
            )
        return files_pb2.StartUploadResponse(
            upload=mappers.upload_message(view),
            max_chunk_bytes=self._deps.chunk_bytes,
            warnings=list(view.warnings),
        )

    async def UploadChunks(  # noqa: N802 - gRPC method name
        self,
        request_iterator: AsyncIterator[files_pb2.UploadChunksRequest | ReceivedChunk],
        context: Any,
    ) -> files_pb2.UploadChunksResponse:
        return await ChunkReceiver(self._deps, current_actor()).receive(request_iterator)

    async def GetUploadStatus(  # noqa: N802 - gRPC method name
        self, request: files_pb2.GetUploadStatusRequest, context: Any
    ) -> files_pb2.GetUploadStatusResponse:
        view = await asyncio.to_thread(
            handlers.upload_status, self._deps, current_actor(), request.upload_id
        )
        return files_pb2.GetUploadStatusResponse(upload=mappers.upload_message(view))

    async def CompleteUpload(  # noqa: N802 - gRPC method name
        self, request: files_pb2.CompleteUploadRequest, context: Any
    ) -> files_pb2.CompleteUploadResponse:
        command = mappers.complete_upload_command(request)
        files = await asyncio.to_thread(complete_upload, self._deps, current_actor(), command)
        return files_pb2.CompleteUploadResponse(
            files=[mappers.file_info(file, self._deps.attach_grant(file)) for file in files]
        )

    async def AbortUpload(  # noqa: N802 - gRPC method name
        self, request: files_pb2.AbortUploadRequest, context: Any
    ) -> files_pb2.AbortUploadResponse:
        await asyncio.to_thread(
            handlers.abort_upload, self._deps, current_actor(), request.upload_id
        )
        return files_pb2.AbortUploadResponse()

    async def GetFile(  # noqa: N802 - gRPC method name
        self, request: files_pb2.GetFileRequest, context: Any
    ) -> files_pb2.GetFileResponse:
        file, attach = await asyncio.to_thread(
            handlers.get_file, self._deps, current_actor(), request.file_id, request.grant_token
        )
        return files_pb2.GetFileResponse(file=mappers.file_info(file, attach))

    async def DownloadFile(  # noqa: N802 - gRPC method name
        self, request: files_pb2.DownloadFileRequest, context: Any
    ) -> AsyncIterator[files_pb2.DownloadFileResponse]:
        deps = self._deps
        file = await asyncio.to_thread(
            handlers.open_download,
            deps,
            current_actor(),
            request.file_id,
            request.grant_token,
            request.offset,
        )
        chunks = await asyncio.to_thread(
            deps.store.read, file.blob_id, request.offset, deps.chunk_bytes
        )
        offset = request.offset
        first: files_pb2.DownloadFileResponse | None = files_pb2.DownloadFileResponse(
            file=mappers.file_info(file), offset=offset
        )
        try:
            while (data := await asyncio.to_thread(_next_chunk, chunks)) is not _END:
                assert isinstance(data, bytes)
                message = first if first is not None else files_pb2.DownloadFileResponse()
                message.offset, message.data = offset, data
                first = None
                yield message
                offset += len(data)
            if first is not None:  # empty file, or offset == size: still say what it is
                yield first
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                await asyncio.to_thread(close)


def _next_chunk(chunks: Iterator[bytes]) -> object:
    return next(chunks, _END)


def add_files_servicer(servicer: FilesServicer, server: grpc.aio.Server) -> None:
    """``files_pb2_grpc.add_FilesServiceServicer_to_server`` with UploadChunks' requests
    parsed by ``parse_chunk_request``; every other method exactly as generated."""
    recorded = _RecordedHandlers()
    files_pb2_grpc.add_FilesServiceServicer_to_server(servicer, cast(grpc.aio.Server, recorded))
    handlers = dict(recorded.handlers)
    generated = handlers["UploadChunks"]
    handlers["UploadChunks"] = grpc.stream_unary_rpc_method_handler(
        generated.stream_unary,
        request_deserializer=parse_chunk_request,
        response_serializer=generated.response_serializer,
    )
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE_NAME, handlers),))
    server.add_registered_method_handlers(SERVICE_NAME, handlers)


class _RecordedHandlers:
    """Stands in for the server so that the generated registration hands over its
    method handlers instead of registering them."""

    def __init__(self) -> None:
        self.handlers: Mapping[str, Any] = {}

    def add_generic_rpc_handlers(self, handlers: object) -> None:
        pass

    def add_registered_method_handlers(self, service: str, handlers: Mapping[str, Any]) -> None:
        self.handlers = handlers
