"""Domain errors become statuses with their sentence; anything else becomes INTERNAL + an id."""

from __future__ import annotations

import logging
import re

import grpc
import grpc.aio
import pytest
from grpckit_support import (
    ERRORS_BY_NAME,
    SECRET_TEXT,
    StartServer,
    failure,
    metadata,
    trailing,
)

from ses_core.identity import Actor
from ses_core.platform.grpc import CORRELATION_ID_KEY, ERROR_REASON_KEY
from ses_core.platform.identity import TokenIssuer

pytestmark = pytest.mark.integration

EXPECTED_STATUS = {
    "ValidationFailed": grpc.StatusCode.INVALID_ARGUMENT,
    "UploadRejected": grpc.StatusCode.INVALID_ARGUMENT,
    "InvalidTransition": grpc.StatusCode.FAILED_PRECONDITION,
    "PreconditionFailed": grpc.StatusCode.FAILED_PRECONDITION,
    "PermissionDenied": grpc.StatusCode.PERMISSION_DENIED,
    "Unauthenticated": grpc.StatusCode.UNAUTHENTICATED,
    "NotFound": grpc.StatusCode.NOT_FOUND,
    "AlreadyExists": grpc.StatusCode.ALREADY_EXISTS,
    "LimitExceeded": grpc.StatusCode.RESOURCE_EXHAUSTED,
    "Unavailable": grpc.StatusCode.UNAVAILABLE,
}


@pytest.mark.parametrize("name", sorted(EXPECTED_STATUS))
async def test_domain_error_maps_to_its_status_with_sentence_and_reason(
    start_server: StartServer, name: str
) -> None:
    _, channel = await start_server(verifier=None)
    error = await failure(channel, "Fail", name.encode())
    expected = ERRORS_BY_NAME[name]
    assert error.code() == EXPECTED_STATUS[name]
    assert error.details() == expected.message
    assert trailing(error, ERROR_REASON_KEY) == expected.reason


async def test_unexpected_exception_is_internal_with_a_correlation_id_and_no_text(
    start_server: StartServer, caplog: pytest.LogCaptureFixture
) -> None:
    _, channel = await start_server(verifier=None)
    with caplog.at_level(logging.ERROR, logger="ses_core.platform.grpc"):
        error = await failure(channel, "Fail", b"boom")
    assert error.code() == grpc.StatusCode.INTERNAL
    match = re.fullmatch(r"internal error; correlation id ([0-9a-f-]{36})", str(error.details()))
    assert match, error.details()
    correlation_id = match.group(1)
    assert trailing(error, CORRELATION_ID_KEY) == correlation_id
    assert "hunter2" not in str(error.details())
    assert "hunter2" not in str(error.trailing_metadata())
    [record] = [r for r in caplog.records if correlation_id in r.getMessage()]
    assert "/ses.test.v1.ThingService/Fail" in record.getMessage()
    assert record.exc_info is not None
    assert str(record.exc_info[1]) == SECRET_TEXT
    assert "Traceback" in caplog.text
    assert "in Fail" in caplog.text


async def test_errors_raised_mid_stream_keep_what_was_sent_and_map_the_status(
    start_server: StartServer, issuer: TokenIssuer, manager: Actor
) -> None:
    _, channel = await start_server()
    stream = channel.unary_stream("/ses.test.v1.ThingService/ListThings")(
        b"fail", metadata=metadata(issuer.issue_access(manager.identity(), "ses").token), timeout=30
    )
    received: list[bytes] = []

    async def drain() -> None:
        async for item in stream:
            received.append(item)

    with pytest.raises(grpc.aio.AioRpcError) as failed:
        await drain()
    assert received == [b"first"]
    assert failed.value.code() == grpc.StatusCode.NOT_FOUND
    assert failed.value.details() == "The second thing is gone."


async def test_client_streaming_calls_pass_through_the_interceptors(
    start_server: StartServer, issuer: TokenIssuer, manager: Actor
) -> None:
    _, channel = await start_server()
    upload = channel.stream_unary("/ses.test.v1.ThingService/UploadThings")
    chunks = [b"a" * 1000, b"b" * 2000]
    token = issuer.issue_access(manager.identity(), "ses").token
    assert await upload(iter(chunks), metadata=metadata(token), timeout=30) == b"3000"
