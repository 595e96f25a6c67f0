"""Errors as the standard rich status (Google AIP-193) that any gRPC client can read.

Every failed call carries a ``google.rpc.Status`` in the ``grpc-status-details-bin``
trailer, with the same code and message as the call's own status, and details:

* ``ErrorInfo``: ``reason`` = the ``SesError``'s stable reason, ``domain`` =
  ``ERROR_DOMAIN``, ``metadata`` = the ids the error names;
* ``BadRequest`` (INVALID_ARGUMENT with a known field): one field violation, the
  field's dotted path and the sentence, which names the limit;
* ``RetryInfo`` when waiting will help (a maintenance window: until it ends);
* ``RequestInfo``: the call's request id, which a person can quote to support.

Unexpected exceptions become INTERNAL with a generic sentence and the request id,
never the exception's text or class. Messages are held to ``MAX_MESSAGE_BYTES``.
"""

from __future__ import annotations

from datetime import timedelta

import google.rpc.error_details_pb2 as error_details_pb2
import google.rpc.status_pb2 as status_pb2
import grpc
from google.protobuf.duration_pb2 import Duration

from ses_core.errors import ErrorKind, SesError, capped

ERROR_DOMAIN = "ses.gov"
INTERNAL_REASON = "internal_error"
MAX_METADATA_VALUE_BYTES = 256  # ids and timestamps; keeps the trailer small

STATUS_BY_KIND: dict[ErrorKind, grpc.StatusCode] = {
    ErrorKind.INVALID: grpc.StatusCode.INVALID_ARGUMENT,
    ErrorKind.PRECONDITION: grpc.StatusCode.FAILED_PRECONDITION,
    ErrorKind.DENIED: grpc.StatusCode.PERMISSION_DENIED,
    ErrorKind.UNAUTHENTICATED: grpc.StatusCode.UNAUTHENTICATED,
    ErrorKind.NOT_FOUND: grpc.StatusCode.NOT_FOUND,
    ErrorKind.ALREADY_EXISTS: grpc.StatusCode.ALREADY_EXISTS,
    ErrorKind.EXHAUSTED: grpc.StatusCode.RESOURCE_EXHAUSTED,
    ErrorKind.UNAVAILABLE: grpc.StatusCode.UNAVAILABLE,
}


def status_for(error: SesError) -> grpc.StatusCode:
    return STATUS_BY_KIND[error.kind]


def rich_status(error: SesError, request_id: str) -> status_pb2.Status:
    """The ``google.rpc.Status`` that ``error`` answers a call with."""
    code = status_for(error)
    message = capped(error.message)
    status = _status(code, message, error.reason, error.metadata, request_id)
    if code is grpc.StatusCode.INVALID_ARGUMENT and error.field:
        violation = error_details_pb2.BadRequest.FieldViolation(
            field=error.field, description=message, reason=error.reason
        )
        status.details.add().Pack(error_details_pb2.BadRequest(field_violations=[violation]))
    if error.retry_after is not None:
        status.details.add().Pack(
            error_details_pb2.RetryInfo(retry_delay=_duration(error.retry_after))
        )
    return status


def internal_status(request_id: str) -> status_pb2.Status:
    """What a bug answers: a generic sentence and the id under which it was logged."""
    message = (
        "Something went wrong on our side and the request was not completed; it was "
        f"logged under request id {request_id}: quote it if you contact support."
    )
    return _status(grpc.StatusCode.INTERNAL, message, INTERNAL_REASON, {}, request_id)


def _status(
    code: grpc.StatusCode,
    message: str,
    reason: str,
    metadata: dict[str, str],
    request_id: str,
) -> status_pb2.Status:
    status = status_pb2.Status(code=code.value[0], message=message)
    values = {key: capped(value, MAX_METADATA_VALUE_BYTES) for key, value in metadata.items()}
    info = error_details_pb2.ErrorInfo(reason=reason, domain=ERROR_DOMAIN, metadata=values)
    status.details.add().Pack(info)
    status.details.add().Pack(error_details_pb2.RequestInfo(request_id=request_id))
    return status


def _duration(delay: timedelta) -> Duration:
    duration = Duration()
    duration.FromTimedelta(max(delay, timedelta(0)))
    return duration
