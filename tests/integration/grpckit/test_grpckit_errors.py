"""Domain errors become statuses with their sentence and the standard details (AIP-193);
malformed requests are INVALID_ARGUMENT; anything else becomes INTERNAL + a request id."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import grpc
import grpc.aio
import pytest
from google.protobuf.duration_pb2 import Duration
from grpckit_support import (
    ERRORS_BY_NAME,
    LONG_MESSAGE,
    SECRET_TEXT,
    StartServer,
    failure,
    metadata,
    method,
)

from ses_core.identity import Actor
from ses_core.platform.grpc import ERROR_DOMAIN, REQUEST_ID_KEY
from ses_core.platform.identity import TokenIssuer
from ses_core.testing import error_details
from ses_sdk import FieldViolation

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
async def test_domain_error_maps_to_its_status_with_sentence_and_standard_details(
    start_server: StartServer, name: str
) -> None:
    _, channel = await start_server(verifier=None)
    error = await failure(channel, "Fail", name.encode())
    expected = ERRORS_BY_NAME[name]
    assert error.code() == EXPECTED_STATUS[name]
    assert error.details() == expected.message
    details = error_details(error)
    assert (details.reason, details.domain) == (expected.reason, ERROR_DOMAIN)
    assert details.metadata == expected.metadata
    assert details.request_id
    assert "ses-error-reason" not in dict(error.trailing_metadata() or ())


async def test_an_invalid_field_is_a_bad_request_field_violation(
    start_server: StartServer,
) -> None:
    _, channel = await start_server(verifier=None)
    error = await failure(channel, "Fail", b"ValidationFailed")
    assert error_details(error).field_violations == (
        FieldViolation("thing.title", "The title is empty; give it a title."),
    )


async def test_unavailable_says_when_to_retry(start_server: StartServer) -> None:
    _, channel = await start_server(verifier=None)
    error = await failure(channel, "Fail", b"Unavailable")
    assert error_details(error).retry_delay == timedelta(seconds=1)
    refused = await failure(channel, "Fail", b"PermissionDenied")
    assert error_details(refused).retry_delay is None


async def test_a_database_that_cannot_be_reached_is_unavailable_not_internal(
    start_server: StartServer,
) -> None:
    """A restart of PostgreSQL under a call: the client is told to retry, not of a bug."""
    _, channel = await start_server(verifier=None)
    error = await failure(channel, "Fail", b"database_gone")
    assert error.code() == grpc.StatusCode.UNAVAILABLE
    details = error_details(error)
    assert details.reason == "database_unavailable"
    assert details.retry_delay == timedelta(seconds=1)
    assert "127.0.0.1" not in (error.details() or "")


async def test_the_request_id_is_echoed_and_a_well_formed_client_id_is_kept(
    start_server: StartServer,
) -> None:
    _, channel = await start_server(verifier=None)
    call = channel.unary_unary(method("GetThing"))(
        b"1", metadata=((REQUEST_ID_KEY, "client-id.42"),), timeout=30
    )
    assert await call == b"thing 1"
    assert (REQUEST_ID_KEY, "client-id.42") in tuple(await call.initial_metadata())
    error = await failure(channel, "Fail", b"NotFound", md=((REQUEST_ID_KEY, "client-id.43"),))
    assert error_details(error).request_id == "client-id.43"


@pytest.mark.parametrize("offered", ["", "has spaces", "x" * 129, "semi;colon"])
async def test_a_malformed_client_request_id_is_replaced_by_a_uuid(
    start_server: StartServer, offered: str
) -> None:
    _, channel = await start_server(verifier=None)
    error = await failure(channel, "Fail", b"NotFound", md=((REQUEST_ID_KEY, offered),))
    request_id = error_details(error).request_id
    assert request_id is not None
    assert re.fullmatch(r"[0-9a-f-]{36}", request_id), request_id


async def test_unexpected_exception_is_internal_with_a_request_id_and_no_text(
    start_server: StartServer, caplog: pytest.LogCaptureFixture
) -> None:
    _, channel = await start_server(verifier=None)
    with caplog.at_level(logging.ERROR, logger="ses_core.platform.grpc"):
        error = await failure(channel, "Fail", b"boom")
    assert error.code() == grpc.StatusCode.INTERNAL
    details = error_details(error)
    assert details.reason == "internal_error"
    request_id = details.request_id
    assert request_id is not None
    assert f"request id {request_id}" in str(error.details())
    for text in ("hunter2", "RuntimeError", "<class"):
        assert text not in str(error.details())
        assert text not in str(error.trailing_metadata())
    [record] = [r for r in caplog.records if request_id in r.getMessage()]
    assert "/ses.test.v1.ThingService/Fail" in record.getMessage()
    assert record.exc_info is not None
    assert str(record.exc_info[1]) == SECRET_TEXT
    assert "Traceback" in caplog.text
    assert "in Fail" in caplog.text


async def test_no_message_exceeds_one_kib_even_when_the_error_says_more(
    start_server: StartServer,
) -> None:
    _, channel = await start_server(verifier=None)
    error = await failure(channel, "Fail", b"long")
    message = str(error.details())
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert len(message.encode()) <= 1024
    assert message.endswith("…")
    assert LONG_MESSAGE.startswith(message.removesuffix("…"))
    assert error_details(error).reason == "too_long"


@pytest.mark.parametrize("garbage", [b"\xff\xff\xff", b"\x08", b"\x0a\x05ab"])
async def test_malformed_request_bytes_are_invalid_argument_with_a_sentence(
    start_server: StartServer, garbage: bytes
) -> None:
    _, channel = await start_server(verifier=None)
    error = await failure(channel, "Parse", garbage)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error.details() == (
        "The request to Parse is not a valid request message; send one built with stubs "
        "generated from the SES protos of this service."
    )
    assert error_details(error).reason == "request_malformed"


async def test_a_malformed_message_in_a_request_stream_is_invalid_argument(
    start_server: StartServer,
) -> None:
    _, channel = await start_server(verifier=None)
    upload = channel.stream_unary(method("ParseStream"))
    good = Duration(seconds=2).SerializeToString()
    assert await upload(iter([good, good]), timeout=30) == b"4"
    with pytest.raises(grpc.aio.AioRpcError) as failed:
        await upload(iter([good, b"\xff\xff"]), timeout=30)
    assert failed.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "<class" not in str(failed.value.details())
    assert error_details(failed.value).reason == "request_malformed"


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
