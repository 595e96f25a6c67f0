"""Every kind of SesError reaches any gRPC client as the standard rich status (AIP-193).

A real ``grpc.aio`` server built by the kit raises one error of each kind; the client
side reads the details exactly as a client in any language would, with plain
``grpc_status.rpc_status.from_call`` and the ``google.rpc`` messages: nothing from SES.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import google.rpc.error_details_pb2 as error_details_pb2
import grpc
import grpc.aio
import pytest
import pytest_asyncio
from grpc_status import rpc_status

from ses_core import errors
from ses_core.errors import ErrorKind, SesError
from ses_core.platform.grpc import (
    ERROR_DOMAIN,
    STATUS_BY_KIND,
    GrpcServer,
    ServerConfig,
    ServiceRegistration,
    create_server,
)

SERVICE = "ses.contract.v1.ErrorService"

ONE_OF_EACH_KIND: dict[ErrorKind, SesError] = {
    ErrorKind.INVALID: errors.ValidationFailed(
        "The description is 20,001 characters long; the limit is 20,000: shorten it.",
        reason="text_too_long",
        field="details.description",
    ),
    ErrorKind.PRECONDITION: errors.InvalidTransition("complaint", "CLOSED", "REOPEN"),
    ErrorKind.DENIED: errors.PermissionDenied(
        "Only the Company POC submits responses.", reason="not_poc"
    ),
    ErrorKind.UNAUTHENTICATED: errors.Unauthenticated("Sign in again.", reason="token_expired"),
    ErrorKind.NOT_FOUND: errors.NotFound(
        "There is no complaint 'C-1'.",
        reason="complaint_not_found",
        metadata={"complaint_id": "C-1"},
    ),
    ErrorKind.ALREADY_EXISTS: errors.AlreadyExists("Agency NY exists.", reason="agency_taken"),
    ErrorKind.EXHAUSTED: errors.LimitExceeded("Locked for 15 minutes.", reason="sign_in_locked"),
    ErrorKind.UNAVAILABLE: errors.Unavailable(
        "SES is in maintenance.", reason="maintenance", retry_after=timedelta(minutes=5)
    ),
}


async def _fail(request: bytes, context: Any) -> bytes:
    raise ONE_OF_EACH_KIND[ErrorKind(request.decode())]


@pytest_asyncio.fixture
async def channel() -> AsyncIterator[grpc.aio.Channel]:
    handler = grpc.method_handlers_generic_handler(
        SERVICE, {"Fail": grpc.unary_unary_rpc_method_handler(_fail)}
    )
    registration = ServiceRegistration(
        SERVICE, lambda server: server.add_generic_rpc_handlers((handler,))
    )
    server: GrpcServer = create_server(
        ServerConfig(address="127.0.0.1:0"), [registration], verifier=None
    )
    await server.start()
    try:
        async with grpc.aio.insecure_channel(server.address) as opened:
            yield opened
    finally:
        await server.stop(grace=0)


def test_one_case_per_kind() -> None:
    assert set(ONE_OF_EACH_KIND) == set(ErrorKind)


def _unpacked(status: Any, message_type: type[Any]) -> list[Any]:
    found = []
    for detail in status.details:
        message = message_type()
        if detail.Unpack(message):
            found.append(message)
    return found


@pytest.mark.parametrize("kind", list(ErrorKind), ids=str)
async def test_the_details_decode_with_plain_grpc_status_and_carry_the_reason(
    channel: grpc.aio.Channel, kind: ErrorKind
) -> None:
    expected = ONE_OF_EACH_KIND[kind]
    with pytest.raises(grpc.aio.AioRpcError) as failed:
        await channel.unary_unary(f"/{SERVICE}/Fail")(kind.value.encode(), timeout=30)
    error = failed.value
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    assert status is not None
    assert error.code() == STATUS_BY_KIND[kind]
    assert (status.code, status.message) == (STATUS_BY_KIND[kind].value[0], expected.message)
    [info] = _unpacked(status, error_details_pb2.ErrorInfo)
    assert (info.reason, info.domain) == (expected.reason, ERROR_DOMAIN)
    assert dict(info.metadata) == expected.metadata
    [request] = _unpacked(status, error_details_pb2.RequestInfo)
    assert request.request_id
    violations = [
        (violation.field, violation.description)
        for bad in _unpacked(status, error_details_pb2.BadRequest)
        for violation in bad.field_violations
    ]
    assert violations == ([(expected.field, expected.message)] if kind is ErrorKind.INVALID else [])
    delays = [
        retry.retry_delay.ToTimedelta() for retry in _unpacked(status, error_details_pb2.RetryInfo)
    ]
    assert delays == ([timedelta(minutes=5)] if kind is ErrorKind.UNAVAILABLE else [])
