"""The synchronous files client: resumable uploads with progress, resumable downloads."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Self, TypeVar

import grpc
from google.protobuf.message import Message
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from ses.files.v1 import files_pb2, files_pb2_grpc
from ses_sdk._channel import TokenSource, call_metadata, new_idempotency_key, open_channel
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
RequestT = TypeVar("RequestT", bound=Message)


class FilesClient:
    """Wraps ``FilesServiceStub`` on a ``grpc.Channel``; ``token`` is a bearer access token
    (or a function returning a current one)."""

    def __init__(
        self, channel: grpc.Channel, token: TokenSource, *, retry: RetryPolicy | None = None
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
        token: TokenSource,
        *,
        retry: RetryPolicy | None = None,
        insecure: bool = False,
        root_certificates: bytes | None = None,
    ) -> FilesClient:
        """A client with its own channel to ``target`` (``host:port``): TLS unless
        ``insecure`` (see ``open_channel``)."""
        client = cls(
            open_channel(target, insecure=insecure, root_certificates=root_certificates),
            token,
            retry=retry,
        )
        client._owns_channel = True
        return client

    def close(self) -> None:
        if self._owns_channel:
            self._channel.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- uploads -------------------------------------------------------------------------------

    def upload_files(
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
        """Upload ``paths`` as one batch and return the verified files.

        Resumes after failures (UNAVAILABLE and the like) from the server's committed
        offsets; with ``journal`` it also resumes after this process was killed.
        ``progress`` is called after every chunk, from the thread that sends.
        """
        local = LocalFile.batch(paths, names)
        record = Journal(journal) if journal is not None else None
        session = self._resumed(record, local, kind) if record is not None else None
        if session is None:
            request = start_request(local, kind, content_types)
            started = self._unary(self.stub.StartUpload, request, idempotent=True)
            session = UploadSession.started(started, kind, local, chunk_size)
            if record is not None:
                record.save(session)
        self._send(session, progress)
        completion = files_pb2.CompleteUploadRequest(
            upload_id=session.upload_id, digests=session.digests()
        )
        completed = self._unary(self.stub.CompleteUpload, completion, idempotent=True)
        if record is not None:
            record.clear()
        return uploaded_files(session, completed)

    def get_upload_status(self, upload_id: str) -> files_pb2.Upload:
        request = files_pb2.GetUploadStatusRequest(upload_id=upload_id)
        return self._unary(self.stub.GetUploadStatus, request).upload

    def abort_upload(self, upload_id: str) -> None:
        self._unary(self.stub.AbortUpload, files_pb2.AbortUploadRequest(upload_id=upload_id))

    def _resumed(
        self, record: Journal, local: list[LocalFile], kind: AttachmentKind
    ) -> UploadSession | None:
        document = record.load(local, kind)
        if document is None:
            return None
        session = record.session(document, local, kind)
        try:
            upload = self.get_upload_status(session.upload_id)
        except NotFound:
            return None
        if upload.state not in (files_pb2.UPLOAD_STATE_OPEN, files_pb2.UPLOAD_STATE_COMPLETED):
            return None
        if upload.state == files_pb2.UPLOAD_STATE_COMPLETED:
            for tracked in session.files:
                tracked.committed = tracked.local.size
        else:
            session.apply_status(upload)
        return session

    def _send(self, session: UploadSession, progress: ProgressCallback | None) -> None:
        stalled = 0
        while not session.finished:
            before = session.committed()
            source = Prefetcher(session.chunks())
            failure: list[BaseException] = []
            try:
                response = self._upload_chunks(
                    _requests(source, progress, failure), metadata=call_metadata(self._token)
                )
                session.apply_progress(response.files)
            except grpc.RpcError as error:
                if failure:
                    raise failure[0] from error
                if not (is_retryable(error) or needs_resync(error)):
                    raise SesError.from_rpc_error(error) from error
                session.apply_status(self.get_upload_status(session.upload_id))
            finally:
                source.close()
            stalled = 0 if session.committed() > before else stalled + 1
            if stalled >= self._retry.max_attempts:
                raise UploadStalled(
                    f"Upload {session.upload_id} made no progress in {stalled} attempts; "
                    "try again later (it resumes where it stopped).",
                    reason="upload_stalled",
                )
            if stalled:
                time.sleep(self._retry.pause(stalled))

    # -- downloads -----------------------------------------------------------------------------

    def download_file(self, file_id: str, grant_token: str, destination: Path | str) -> Path:
        """Download to ``destination`` (written as ``<destination>.part``, renamed when
        whole); a cut connection resumes from the bytes already written."""
        target = Path(destination)
        partial = target.with_name(target.name + ".part")
        partial.unlink(missing_ok=True)
        size, stalled = -1, 0
        with partial.open("wb") as handle:
            while size < 0 or handle.tell() < size:
                before = handle.tell()
                request = files_pb2.DownloadFileRequest(
                    file_id=file_id, grant_token=grant_token, offset=before
                )
                try:
                    for message in self.stub.DownloadFile(
                        request, metadata=call_metadata(self._token)
                    ):
                        if message.HasField("file"):
                            size = message.file.size_bytes
                        handle.write(message.data)
                except grpc.RpcError as error:
                    if not is_retryable(error):
                        raise SesError.from_rpc_error(error) from error
                stalled = 0 if handle.tell() > before or size == 0 else stalled + 1
                if stalled >= self._retry.max_attempts:
                    raise UploadStalled(
                        f"Download of {file_id} made no progress in {stalled} attempts; "
                        "try again later.",
                        reason="download_stalled",
                    )
                if stalled:
                    time.sleep(self._retry.pause(stalled))
        partial.replace(target)
        return target

    # -- plumbing ------------------------------------------------------------------------------

    def _unary(
        self,
        method: Callable[..., ResponseT],
        request: Message,
        *,
        idempotent: bool = False,
    ) -> ResponseT:
        key = new_idempotency_key() if idempotent else None
        try:
            for attempt in Retrying(
                retry=retry_if_exception(is_retryable),
                stop=stop_after_attempt(self._retry.max_attempts),
                wait=wait_exponential(
                    multiplier=self._retry.initial_backoff, max=self._retry.max_backoff
                ),
                reraise=True,
            ):
                with attempt:
                    metadata = call_metadata(self._token, idempotency_key=key)
                    return method(request, metadata=metadata)
        except grpc.RpcError as error:
            raise SesError.from_rpc_error(error) from error
        raise AssertionError("unreachable: tenacity either returns or raises")


def _requests(
    source: Prefetcher, progress: ProgressCallback | None, failure: list[BaseException]
) -> Iterator[ChunkRequest]:
    """The stream's requests; a local failure (a file unreadable) is kept for the caller,
    because gRPC reports it only as a cancelled call."""
    try:
        while (produced := source.next()) is not None:
            request, sent = produced
            yield request
            if progress is not None and sent is not None:
                progress(sent)
    except Exception as error:
        failure.append(error)
        raise


def upload_files(
    channel_or_target: grpc.Channel | str,
    token: TokenSource,
    paths: Sequence[Path | str],
    kind: AttachmentKind = AttachmentKind.RESPONSE,
    *,
    chunk_size: int = DEFAULT_CHUNK_BYTES,
    progress: ProgressCallback | None = None,
    journal: Path | str | None = None,
    insecure: bool = False,
) -> list[UploadedFile]:
    """Upload ``paths`` as one batch (see ``FilesClient.upload_files``)."""
    if isinstance(channel_or_target, str):
        with FilesClient.connect(channel_or_target, token, insecure=insecure) as client:
            return client.upload_files(
                paths, kind, chunk_size=chunk_size, progress=progress, journal=journal
            )
    return FilesClient(channel_or_target, token).upload_files(
        paths, kind, chunk_size=chunk_size, progress=progress, journal=journal
    )
