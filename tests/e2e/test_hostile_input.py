"""Hostile input gets a clear answer from every service (issue 10), over real gRPC.

The four services run in one host (real ``nats-server``, SQLite). Bytes that are not
the method's request message, sent with ``request_serializer=None`` on a raw channel,
must answer INVALID_ARGUMENT with a sentence naming the RPC and the message, never
UNKNOWN naming a Python class; an oversized search must be refused naming the field.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import grpc
import grpc.aio
import pytest
import pytest_asyncio

from ses.enrollment.v1 import enrollment_pb2 as epb
from ses.enrollment.v1 import enrollment_pb2_grpc as epb_grpc
from ses_complaints.bootstrap import plugin as complaints_plugin
from ses_core.identity import Actor, AgencyRole
from ses_core.platform.runtime import ServiceHost
from ses_core.testing import NatsServerProcess, error_details
from ses_core.testing.hosting import host_settings, hosted, metadata_for
from ses_enrollment.bootstrap import plugin as enrollment_plugin
from ses_files.bootstrap import plugin as files_plugin
from ses_notify.bootstrap import plugin as notify_plugin

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

MANAGER = Actor.agency_user("u-hostile-manager", "agency-hostile", AgencyRole.COMPLAINT_MANAGER)
GARBAGE = (b"\xff\xff\xff\xff", b"\x0a\x7f" + b"a" * 10, b"\x08")


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsServerProcess]:
    with NatsServerProcess(tmp_path_factory.mktemp("hostile-nats")) as server:
        yield server


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def host(
    tmp_path_factory: pytest.TempPathFactory, broker: NatsServerProcess
) -> AsyncIterator[ServiceHost]:
    settings = host_settings(Path(tmp_path_factory.mktemp("hostile-data")), nats_url=broker.url)
    plugins = [enrollment_plugin, complaints_plugin, files_plugin, notify_plugin]
    async with hosted(settings, plugins) as started:
        yield started


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def channel(host: ServiceHost) -> AsyncIterator[grpc.aio.Channel]:
    async with grpc.aio.insecure_channel(host.address) as opened:
        yield opened


def _checked(error: grpc.aio.AioRpcError, method: str, message: str) -> None:
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, (error.code(), error.details())
    assert error.details() == (
        f"The request to {method} is not a valid {message} message; send one built with "
        "stubs generated from the SES protos of this service."
    )
    assert "<class" not in str(error.details())
    assert error_details(error).reason == "request_malformed"


UNARY = [
    ("/ses.enrollment.v1.AuthService/SignIn", "ses.enrollment.v1.SignInRequest"),
    (
        "/ses.enrollment.v1.EnrollmentService/SearchCompanies",
        "ses.enrollment.v1.SearchCompaniesRequest",
    ),
    (
        "/ses.complaints.v1.ComplaintsService/CreateComplaint",
        "ses.complaints.v1.CreateComplaintRequest",
    ),
    ("/ses.files.v1.FilesService/StartUpload", "ses.files.v1.StartUploadRequest"),
    ("/ses.notify.v1.NotifyService/ListNotifications", "ses.notify.v1.ListNotificationsRequest"),
]


@pytest.mark.parametrize("garbage", GARBAGE)
@pytest.mark.parametrize(("path", "message"), UNARY)
async def test_malformed_bytes_to_a_unary_rpc_are_invalid_argument(
    host: ServiceHost, channel: grpc.aio.Channel, path: str, message: str, garbage: bytes
) -> None:
    call = channel.unary_unary(path, request_serializer=None, response_deserializer=None)
    with pytest.raises(grpc.aio.AioRpcError) as failed:
        await call(garbage, metadata=metadata_for(host.settings, MANAGER), timeout=30)
    _checked(failed.value, path.rpartition("/")[2], message)


@pytest.mark.parametrize("garbage", GARBAGE)
async def test_malformed_bytes_in_the_upload_stream_are_invalid_argument(
    host: ServiceHost, channel: grpc.aio.Channel, garbage: bytes
) -> None:
    upload = channel.stream_unary(
        "/ses.files.v1.FilesService/UploadChunks",
        request_serializer=None,
        response_deserializer=None,
    )
    with pytest.raises(grpc.aio.AioRpcError) as failed:
        await upload(iter([garbage]), metadata=metadata_for(host.settings, MANAGER), timeout=30)
    _checked(failed.value, "UploadChunks", "ses.files.v1.UploadChunksRequest")


async def test_a_large_malformed_upload_chunk_is_invalid_argument(
    host: ServiceHost, channel: grpc.aio.Channel
) -> None:
    # Large enough for the zero-copy chunk parser; a truncated length-delimited field.
    chunk = b"\x22\xff\xff\x3f" + b"x" * (256 * 1024)
    upload = channel.stream_unary(
        "/ses.files.v1.FilesService/UploadChunks",
        request_serializer=None,
        response_deserializer=None,
    )
    with pytest.raises(grpc.aio.AioRpcError) as failed:
        await upload(iter([chunk]), metadata=metadata_for(host.settings, MANAGER), timeout=30)
    _checked(failed.value, "UploadChunks", "ses.files.v1.UploadChunksRequest")


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        (" ".join(f"w{i}" for i in range(1_500)), "text_too_long"),
        (" ".join(["acme"] * 21), "search_too_many_terms"),
        ("a" * (3 * 1024 * 1024), "text_too_long"),
    ],
    ids=["1500-words", "21-words", "3MB"],
)
async def test_an_oversized_search_is_invalid_argument_naming_the_query(
    host: ServiceHost, channel: grpc.aio.Channel, query: str, reason: str
) -> None:
    stub = epb_grpc.EnrollmentServiceStub(channel)
    with pytest.raises(grpc.aio.AioRpcError) as failed:
        await stub.SearchCompanies(
            epb.SearchCompaniesRequest(query=query),
            metadata=metadata_for(host.settings, MANAGER),
            timeout=30,
        )
    error = failed.value
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, (error.code(), error.details())
    details = error_details(error)
    assert details.reason == reason
    assert [violation.field for violation in details.field_violations] == ["query"]
    assert len((error.details() or "").encode()) < 300


async def test_a_search_at_the_limits_is_answered(
    host: ServiceHost, channel: grpc.aio.Channel
) -> None:
    stub = epb_grpc.EnrollmentServiceStub(channel)
    response = await stub.SearchCompanies(
        epb.SearchCompaniesRequest(query=" ".join(["acme"] * 20)),
        metadata=metadata_for(host.settings, MANAGER),
        timeout=30,
    )
    assert list(response.companies) == []
