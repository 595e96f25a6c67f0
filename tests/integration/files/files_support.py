"""Helpers for the files service tests: a channel to the host and calls acting as an actor."""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator, Awaitable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import grpc
import grpc.aio

from ses.common.v1 import common_pb2
from ses.files.v1 import files_pb2, files_pb2_grpc
from ses_core.events import DomainEvent
from ses_core.identity import Actor, AgencyRole, ComplaintsPermission
from ses_core.platform.grants import (
    FileGrant,
    FileGrantAction,
    GrantSigner,
    load_or_create_grant_secret,
)
from ses_core.platform.messaging import EVENTS_STREAM, ProtobufEventCodec
from ses_core.platform.runtime import ServiceHost
from ses_core.platform.settings import Settings
from ses_core.testing import error_reason as error_reason
from ses_core.testing.hosting import metadata_for
from ses_files.bootstrap import FilesPlugin
from ses_files.dependencies import FilesDependencies

EventT = TypeVar("EventT", bound=DomainEvent)

ALICE = Actor.agency_user("u-alice", "agency-a", AgencyRole.COMPLAINT_MANAGER)
CAROL = Actor.agency_user("u-carol", "agency-a", AgencyRole.COMPLAINT_MANAGER)
BOB = Actor.agency_user("u-bob", "agency-b", AgencyRole.COMPLAINT_MANAGER)
DAVE = Actor.company_user("u-dave", "company-7", ComplaintsPermission.MANAGE)
MIB = 1024 * 1024
RESPONSE = common_pb2.ATTACHMENT_KIND_RESPONSE
INTERACTION = common_pb2.ATTACHMENT_KIND_INTERACTION


def declared(name: str, size: int, sha256_hex: str = "") -> files_pb2.DeclaredFile:
    return files_pb2.DeclaredFile(name=name, size_bytes=size, sha256_hex=sha256_hex)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def chunked(
    upload_id: str, file_id: str, data: bytes, *, start: int = 0, size: int = MIB
) -> list[files_pb2.UploadChunksRequest]:
    return [
        files_pb2.UploadChunksRequest(
            upload_id=upload_id, file_id=file_id, offset=offset, data=data[offset : offset + size]
        )
        for offset in range(start, len(data), size)
    ]


async def rpc_error(call: Awaitable[Any]) -> grpc.aio.AioRpcError:
    """The error ``call`` fails with (the test fails if it succeeds)."""
    try:
        await call
    except grpc.aio.AioRpcError as error:
        return error
    raise AssertionError("the call succeeded, but it should have failed")


async def _stream(requests: Sequence[files_pb2.UploadChunksRequest]) -> AsyncIterator[Any]:
    for request in requests:
        yield request


async def published(host: ServiceHost, event_type: type[EventT]) -> list[EventT]:
    """Every ``event_type`` event on the SES_EVENTS stream so far, decoded."""
    assert host.nats is not None
    js = host.nats.jetstream()
    state = (await js.stream_info(EVENTS_STREAM)).state
    codec, found = ProtobufEventCodec(), []
    for seq in range(state.first_seq, state.last_seq + 1) if state.messages else ():
        message = await js.get_msg(EVENTS_STREAM, seq)
        if message.subject == event_type.subject():
            found.append(codec.decode(event_type, message.data or b""))
    return found


@dataclass
class FilesApi:
    """FilesService calls acting as ``actor``."""

    handle: HostHandle
    actor: Actor

    @property
    def stub(self) -> files_pb2_grpc.FilesServiceStub:
        return self.handle.stub

    def metadata(self, **extra: str) -> tuple[tuple[str, str], ...]:
        pairs = metadata_for(self.handle.settings, self.actor)
        return (*pairs, *extra.items())

    async def start(
        self, files: Iterable[files_pb2.DeclaredFile], kind: int = RESPONSE
    ) -> files_pb2.StartUploadResponse:
        request = files_pb2.StartUploadRequest(kind=kind, files=list(files))  # type: ignore[arg-type]
        return await self.stub.StartUpload(request, metadata=self.metadata())

    async def send(
        self, requests: Sequence[files_pb2.UploadChunksRequest]
    ) -> files_pb2.UploadChunksResponse:
        return await self.stub.UploadChunks(_stream(requests), metadata=self.metadata())

    async def status(self, upload_id: str) -> files_pb2.Upload:
        request = files_pb2.GetUploadStatusRequest(upload_id=upload_id)
        return (await self.stub.GetUploadStatus(request, metadata=self.metadata())).upload

    async def complete(
        self, upload_id: str, file_ids: Sequence[str] = (), digests: dict[str, str] | None = None
    ) -> files_pb2.CompleteUploadResponse:
        request = files_pb2.CompleteUploadRequest(
            upload_id=upload_id,
            file_ids=list(file_ids),
            digests=[
                files_pb2.FileDigest(file_id=file_id, sha256_hex=digest)
                for file_id, digest in (digests or {}).items()
            ],
        )
        return await self.stub.CompleteUpload(request, metadata=self.metadata())

    async def abort(self, upload_id: str) -> None:
        request = files_pb2.AbortUploadRequest(upload_id=upload_id)
        await self.stub.AbortUpload(request, metadata=self.metadata())

    async def get_file(self, file_id: str, grant: str = "") -> files_pb2.FileInfo:
        request = files_pb2.GetFileRequest(file_id=file_id, grant_token=grant)
        return (await self.stub.GetFile(request, metadata=self.metadata())).file

    async def download(self, file_id: str, grant: str, offset: int = 0) -> tuple[Any, bytes]:
        """(first message's FileInfo, the bytes) of a download."""
        request = files_pb2.DownloadFileRequest(file_id=file_id, grant_token=grant, offset=offset)
        info, parts = None, []
        async for message in self.stub.DownloadFile(request, metadata=self.metadata()):
            if info is None:
                info = message.file
            assert message.offset == offset + sum(len(part) for part in parts)
            parts.append(message.data)
        return info, b"".join(parts)

    def grant(self, file_id: str, *, ttl: timedelta = timedelta(minutes=5)) -> str:
        """A download grant for this actor, as the complaints service would issue it."""
        grant = FileGrant(
            file_id=file_id,
            action=FileGrantAction.DOWNLOAD,
            user_id=self.actor.user_id,
            tenant_id=self.actor.tenant_id or self.actor.company_id or "platform",
            expires_at=datetime.now(UTC) + ttl,
        )
        return self.handle.signer.issue(grant)

    async def upload(
        self, name: str, data: bytes, *, kind: int = RESPONSE, chunk: int = MIB
    ) -> files_pb2.FileInfo:
        """Declare, send and complete one file; its FileInfo."""
        started = await self.start([declared(name, len(data), sha256_hex(data))], kind)
        upload_id, file_id = started.upload.upload_id, started.upload.files[0].file_id
        if data:
            await self.send(chunked(upload_id, file_id, data, size=chunk))
        return (await self.complete(upload_id)).files[0]


@dataclass
class HostHandle:
    host: ServiceHost
    plugin: FilesPlugin
    channel: grpc.aio.Channel
    stub: files_pb2_grpc.FilesServiceStub
    signer: GrantSigner

    @property
    def settings(self) -> Settings:
        return self.host.settings

    @property
    def deps(self) -> FilesDependencies:
        assert self.plugin.dependencies is not None
        return self.plugin.dependencies

    @property
    def blob_dir(self) -> Path:
        assert self.settings.files.blob_dir is not None
        return self.settings.files.blob_dir

    def api(self, actor: Actor) -> FilesApi:
        return FilesApi(self, actor)

    def stored_paths(self) -> list[Path]:
        """Every regular file under the blob directory."""
        return sorted(
            Path(root, name) for root, _, names in os.walk(self.blob_dir) for name in names
        )

    @classmethod
    @asynccontextmanager
    async def open(cls, host: ServiceHost, plugin: FilesPlugin) -> AsyncIterator[HostHandle]:
        path = host.settings.files.grant_secret_path
        assert path is not None
        signer = GrantSigner(load_or_create_grant_secret(path))
        async with grpc.aio.insecure_channel(host.address) as channel:
            stub = files_pb2_grpc.FilesServiceStub(channel)
            yield cls(host, plugin, channel, stub, signer)
