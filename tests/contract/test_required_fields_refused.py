"""Every field the files and notify protos mark REQUIRED is refused when missing.

``[(google.api.field_behavior) = REQUIRED]`` tells a client the server refuses a
request without the field. For each such field of FilesService and NotifyService
(nested ones included, e.g. ``files[0].name`` of StartUpload), a request that is
otherwise well formed is sent without it, over real gRPC to an in-process host of
both services, and must answer INVALID_ARGUMENT with a ``google.rpc.BadRequest``
field violation naming exactly that field, decoded with plain ``grpc_status``.

The REQUIRED fields are read from the descriptors, so a new mark without a request
to try it on fails here (``BASE_REQUESTS`` lacks its RPC).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import google.rpc.error_details_pb2 as error_details_pb2
import grpc
import grpc.aio
import pytest
import pytest_asyncio
from google.api import field_behavior_pb2
from google.protobuf.descriptor import Descriptor, FieldDescriptor, MethodDescriptor
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from grpc_status import rpc_status

from ses.common.v1 import common_pb2
from ses.files.v1 import files_pb2, files_pb2_grpc
from ses.notify.v1 import notify_pb2, notify_pb2_grpc
from ses_core.identity import Actor, AgencyRole, ComplaintsPermission
from ses_core.platform.runtime import select_plugins
from ses_core.platform.settings import Settings
from ses_core.testing import NatsServerProcess
from ses_core.testing.hosting import host_settings, hosted, metadata_for

pytestmark = pytest.mark.integration

SERVICES = (
    files_pb2.DESCRIPTOR.services_by_name["FilesService"],
    notify_pb2.DESCRIPTOR.services_by_name["NotifyService"],
)
UPLOADER = Actor.agency_user("u-required-uploader", "agency-required", AgencyRole.COMPLAINT_MANAGER)
COMPANY_ADMIN = Actor.company_user(
    "u-required-admin", "company-required", ComplaintsPermission.MANAGE, account_admin=True
)
OPERATOR = Actor.platform_operator("u-required-operator")


def is_required(field: FieldDescriptor) -> bool:
    behaviours = field.GetOptions().Extensions[field_behavior_pb2.field_behavior]
    return field_behavior_pb2.REQUIRED in behaviours


def required_paths(message: Descriptor, prefix: str = "") -> Iterator[str]:
    """Dotted paths (AIP-193 style, ``files[0].name``) of the REQUIRED fields of a request."""
    for field in message.fields:
        path = prefix + field.name
        if is_required(field):
            yield path
        if field.message_type is not None and field.message_type.full_name.startswith("ses."):
            nested = f"{path}[0]." if field.is_repeated else f"{path}."
            yield from required_paths(field.message_type, nested)


def without(request: Message, path: str) -> Message:
    """A copy of ``request`` with the field at ``path`` cleared."""
    copy = type(request)()
    copy.CopyFrom(request)
    *parents, last = path.split(".")
    holder: Any = copy
    for part in parents:
        name, _, index = part.partition("[")
        holder = getattr(holder, name)
        if index:
            holder = holder[int(index.rstrip("]"))]
    holder.ClearField(last)
    return copy


def _timestamp(seconds: int) -> Timestamp:
    return Timestamp(seconds=seconds)


@dataclass
class Host:
    """An in-process host of the files and notify services, and a real upload on it."""

    settings: Settings
    channel: grpc.aio.Channel
    upload_id: str = ""
    file_id: str = ""

    def metadata(self, actor: Actor) -> tuple[tuple[str, str], ...]:
        return metadata_for(self.settings, actor)


# An otherwise well-formed request per RPC with REQUIRED fields, and who sends it. Ids
# that must exist for the server to reach a field's check (a stream checks its upload
# before its file) are real; the others need not be.
Base = Callable[[Host], tuple[Message, Actor]]
BASE_REQUESTS: dict[str, Base] = {
    "FilesService.StartUpload": lambda host: (
        files_pb2.StartUploadRequest(
            kind=common_pb2.ATTACHMENT_KIND_RESPONSE,
            files=[files_pb2.DeclaredFile(name="letter.pdf", size_bytes=1)],
        ),
        UPLOADER,
    ),
    "FilesService.UploadChunks": lambda host: (
        files_pb2.UploadChunksRequest(
            upload_id=host.upload_id, file_id=host.file_id, offset=0, data=b"x"
        ),
        UPLOADER,
    ),
    "FilesService.GetUploadStatus": lambda host: (
        files_pb2.GetUploadStatusRequest(upload_id=host.upload_id),
        UPLOADER,
    ),
    "FilesService.CompleteUpload": lambda host: (
        files_pb2.CompleteUploadRequest(
            upload_id=host.upload_id,
            digests=[files_pb2.FileDigest(file_id=host.file_id, sha256_hex="ab" * 32)],
        ),
        UPLOADER,
    ),
    "FilesService.AbortUpload": lambda host: (
        files_pb2.AbortUploadRequest(upload_id=host.upload_id),
        UPLOADER,
    ),
    "FilesService.GetFile": lambda host: (
        files_pb2.GetFileRequest(file_id=host.file_id),
        UPLOADER,
    ),
    "FilesService.DownloadFile": lambda host: (
        files_pb2.DownloadFileRequest(file_id=host.file_id, grant_token="not-a-grant"),
        UPLOADER,
    ),
    "NotifyService.UpdatePreferences": lambda host: (
        notify_pb2.UpdatePreferencesRequest(
            preferences=notify_pb2.NotificationPreferences(user_id=UPLOADER.user_id)
        ),
        UPLOADER,
    ),
    "NotifyService.ScheduleMaintenance": lambda host: (
        notify_pb2.ScheduleMaintenanceRequest(
            starts_at=_timestamp(4_102_444_800), ends_at=_timestamp(4_102_448_400)
        ),
        OPERATOR,
    ),
    "NotifyService.CreateWebhookEndpoint": lambda host: (
        notify_pb2.CreateWebhookEndpointRequest(url="https://hooks.example.org/ses"),
        COMPANY_ADMIN,
    ),
    "NotifyService.DeleteWebhookEndpoint": lambda host: (
        notify_pb2.DeleteWebhookEndpointRequest(webhook_endpoint_id=str(uuid.uuid4())),
        COMPANY_ADMIN,
    ),
    "NotifyService.CreateWebhookSigningSecret": lambda host: (
        notify_pb2.CreateWebhookSigningSecretRequest(webhook_endpoint_id=str(uuid.uuid4())),
        COMPANY_ADMIN,
    ),
    "NotifyService.DeleteWebhookSigningSecret": lambda host: (
        notify_pb2.DeleteWebhookSigningSecretRequest(
            webhook_endpoint_id=str(uuid.uuid4()), signing_secret_id=str(uuid.uuid4())
        ),
        COMPANY_ADMIN,
    ),
}


def _cases() -> Iterator[tuple[MethodDescriptor, str]]:
    for service in SERVICES:
        for method in service.methods:
            for path in required_paths(method.input_type):
                yield method, path


CASES = list(_cases())


def _key(method: MethodDescriptor) -> str:
    return f"{method.containing_service.name}.{method.name}"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def host(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Host]:
    directory: Path = tmp_path_factory.mktemp("required-fields")
    with NatsServerProcess(directory / "nats-store") as nats:
        settings = host_settings(directory / "data", nats_url=nats.url)
        async with (
            hosted(settings, select_plugins(["files", "notify"])) as started,
            grpc.aio.insecure_channel(started.address) as channel,
        ):
            opened = Host(settings, channel)
            files = files_pb2_grpc.FilesServiceStub(channel)
            request, actor = BASE_REQUESTS["FilesService.StartUpload"](opened)
            started_upload = await files.StartUpload(request, metadata=opened.metadata(actor))
            opened.upload_id = started_upload.upload.upload_id
            opened.file_id = started_upload.upload.files[0].file_id
            yield opened


async def _call(host: Host, method: MethodDescriptor, request: Message, actor: Actor) -> None:
    metadata = host.metadata(actor)
    stub: Any = (
        files_pb2_grpc.FilesServiceStub(host.channel)
        if method.containing_service.name == "FilesService"
        else notify_pb2_grpc.NotifyServiceStub(host.channel)
    )
    call: Callable[..., Any] = getattr(stub, method.name)
    if method.client_streaming:

        async def one(message: Message) -> AsyncIterator[Message]:
            yield message

        await call(one(request), metadata=metadata, timeout=30)
    elif method.server_streaming:
        async for _ in call(request, metadata=metadata, timeout=30):
            pass
    else:
        awaited: Awaitable[Any] = call(request, metadata=metadata, timeout=30)
        await awaited


def _violated_fields(error: grpc.aio.AioRpcError) -> list[str]:
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    assert status is not None, f"no google.rpc.Status in {error!r}"
    fields: list[str] = []
    for detail in status.details:
        bad = error_details_pb2.BadRequest()
        if detail.Unpack(bad):
            fields.extend(violation.field for violation in bad.field_violations)
    return fields


def test_files_and_notify_mark_required_fields() -> None:
    marked = {f"{_key(method)}:{path}" for method, path in CASES}
    assert "FilesService.StartUpload:files" in marked
    assert "NotifyService.ScheduleMaintenance:starts_at" in marked


def test_every_rpc_with_a_required_field_has_a_request_to_try() -> None:
    assert {_key(method) for method, _ in CASES} == set(BASE_REQUESTS)


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize(
    ("method", "path"), CASES, ids=[f"{_key(method)}:{path}" for method, path in CASES]
)
async def test_a_request_without_a_required_field_is_refused_naming_it(
    host: Host, method: MethodDescriptor, path: str
) -> None:
    request, actor = BASE_REQUESTS[_key(method)](host)

    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await _call(host, method, without(request, path), actor)

    error = refused.value
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, error.details()
    assert _violated_fields(error) == [path], error.details()
