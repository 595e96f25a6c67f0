"""Reading a failed call's standard error details the way any gRPC client would.

``error_details`` decodes the ``google.rpc.Status`` with plain
``grpc_status.rpc_status.from_call`` (which also checks that its code and message
are the call's own); ``error_reason`` is its ``ErrorInfo.reason``.
"""

from __future__ import annotations

import grpc
from grpc_status import rpc_status

from ses_sdk import ErrorDetails


def error_details(error: grpc.RpcError) -> ErrorDetails:
    """The decoded details; fails the test when the server sent none or inconsistent ones."""
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    assert status is not None, f"no grpc-status-details-bin in {error!r}"
    return ErrorDetails.of(error)


def error_reason(error: grpc.RpcError) -> str | None:
    """``ErrorInfo.reason`` of the call's status details, or None when it has none."""
    return ErrorDetails.of(error).reason
