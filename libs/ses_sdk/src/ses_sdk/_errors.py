"""The exceptions the SDK raises: one class per gRPC status family under :class:`SesError`.

SES servers describe every failure with the standard rich error model (Google AIP-193): a
``google.rpc.Status`` in the ``grpc-status-details-bin`` trailer with an ``ErrorInfo`` (the
stable reason), a ``RequestInfo`` (the id to quote to support) and, where they apply,
``BadRequest`` field violations and a ``RetryInfo`` delay. :meth:`SesError.from_rpc_error`
decodes them and picks the class of the call's status code, so callers branch with
``except NotFound`` and read ``error.reason`` (safe to compare), ``error.message`` (a
sentence for a person), ``error.request_id``, ``error.metadata`` (the ids involved),
``error.retry_delay`` and, on :class:`InvalidArgument`, ``error.field_violations``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import ClassVar

import google.rpc.error_details_pb2 as error_details_pb2
import google.rpc.status_pb2 as status_pb2
import grpc
from grpc_status import rpc_status


@dataclass(frozen=True)
class FieldViolation:
    """A request field the server refused: its dotted path and why (naming the limit)."""

    field: str
    description: str


@dataclass(frozen=True)
class ErrorDetails:
    """The standard details of a failed call; empty when the server sent none."""

    reason: str | None = None
    domain: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    request_id: str | None = None
    field_violations: tuple[FieldViolation, ...] = ()
    retry_delay: timedelta | None = None

    @classmethod
    def of(cls, error: grpc.RpcError) -> ErrorDetails:
        status = _rich_status(error)
        if status is None:
            return cls(request_id=_request_id_header(error))
        found: dict[str, object] = {}
        for detail in status.details:
            info = error_details_pb2.ErrorInfo()
            request = error_details_pb2.RequestInfo()
            bad = error_details_pb2.BadRequest()
            retry = error_details_pb2.RetryInfo()
            if detail.Unpack(info):
                found.update(reason=info.reason, domain=info.domain, metadata=dict(info.metadata))
            elif detail.Unpack(request):
                found["request_id"] = request.request_id
            elif detail.Unpack(bad):
                found["field_violations"] = tuple(
                    FieldViolation(v.field, v.description) for v in bad.field_violations
                )
            elif detail.Unpack(retry):
                found["retry_delay"] = retry.retry_delay.ToTimedelta()
        found.setdefault("request_id", _request_id_header(error))
        return cls(**found)  # type: ignore[arg-type]


class SesError(Exception):
    """A call failed, or the SDK refused to make it.

    ``code`` is the ``grpc.StatusCode`` (each subclass has its own), ``reason`` the server's
    stable snake_case code (``ErrorInfo.reason``), ``message`` its sentence for a person,
    ``request_id`` the id to quote to support, ``metadata`` the ids involved (for example
    ``maintenance_ends_at``), ``retry_delay`` how long to wait when waiting helps, and
    ``field_violations`` the refused request fields.
    """

    code: ClassVar[grpc.StatusCode] = grpc.StatusCode.UNKNOWN

    def __init__(
        self, message: str, *, reason: str | None = None, details: ErrorDetails | None = None
    ) -> None:
        super().__init__(f"{self.code.name}: {message}")
        self.message = message
        self.details = details or ErrorDetails(reason=reason)
        self.reason = reason or self.details.reason
        self.request_id = self.details.request_id
        self.metadata = self.details.metadata
        self.field_violations = self.details.field_violations
        self.retry_delay = self.details.retry_delay

    @classmethod
    def from_rpc_error(cls, error: grpc.RpcError) -> SesError:
        """The exception of ``error``'s status family, with its details decoded."""
        code = _code(error) or grpc.StatusCode.UNKNOWN
        message = error.details() if hasattr(error, "details") else str(error)
        details = ErrorDetails.of(error)
        family = _FAMILIES.get(code, Unknown)
        return family(message or code.name, reason=details.reason, details=details)


class Cancelled(SesError):
    """The call was cancelled, usually by the caller."""

    code = grpc.StatusCode.CANCELLED


class Unknown(SesError):
    """The failure has no better status (not an SES server, or a broken proxy)."""

    code = grpc.StatusCode.UNKNOWN


class InvalidArgument(SesError):
    """A field is missing, malformed or over its limit: ``field_violations`` names it."""

    code = grpc.StatusCode.INVALID_ARGUMENT


class DeadlineExceeded(SesError):
    """No answer within the call's deadline (``timeout``); reads are retried first."""

    code = grpc.StatusCode.DEADLINE_EXCEEDED


class NotFound(SesError):
    """No such thing, or nothing the caller may know of."""

    code = grpc.StatusCode.NOT_FOUND


class AlreadyExists(SesError):
    """What the call would create exists already."""

    code = grpc.StatusCode.ALREADY_EXISTS


class PermissionDenied(SesError):
    """The caller's roles do not allow the call."""

    code = grpc.StatusCode.PERMISSION_DENIED


class ResourceExhausted(SesError):
    """A quota or lockout (for example repeated failed sign-ins); ``message`` says until when."""

    code = grpc.StatusCode.RESOURCE_EXHAUSTED


class FailedPrecondition(SesError):
    """The call does not fit the current state (``reason`` says which rule)."""

    code = grpc.StatusCode.FAILED_PRECONDITION


class Aborted(SesError):
    """The call was aborted by a concurrent change; try it again."""

    code = grpc.StatusCode.ABORTED


class OutOfRange(SesError):
    """A value is past the valid range (for example an offset past the end of a file)."""

    code = grpc.StatusCode.OUT_OF_RANGE


class Unimplemented(SesError):
    """The server does not serve this RPC (an older server, or the wrong address)."""

    code = grpc.StatusCode.UNIMPLEMENTED


class Internal(SesError):
    """A server bug; quote ``request_id`` to support."""

    code = grpc.StatusCode.INTERNAL


class Unavailable(SesError):
    """The server cannot be reached, or refuses changes for now (``reason`` "maintenance"
    during a maintenance window, with ``retry_delay`` lasting until it ends)."""

    code = grpc.StatusCode.UNAVAILABLE


class DataLoss(SesError):
    """Unrecoverable data loss or corruption."""

    code = grpc.StatusCode.DATA_LOSS


class Unauthenticated(SesError):
    """No valid token: sign in again (or the refresh token expired)."""

    code = grpc.StatusCode.UNAUTHENTICATED


class UploadStalled(Unavailable):
    """An upload or download made no progress over several attempts; it can resume later."""


_FAMILIES: dict[grpc.StatusCode, type[SesError]] = {
    family.code: family
    for family in (
        Cancelled,
        Unknown,
        InvalidArgument,
        DeadlineExceeded,
        NotFound,
        AlreadyExists,
        PermissionDenied,
        ResourceExhausted,
        FailedPrecondition,
        Aborted,
        OutOfRange,
        Unimplemented,
        Internal,
        Unavailable,
        DataLoss,
        Unauthenticated,
    )
}


def reason_of(error: grpc.RpcError) -> str | None:
    """The stable reason code of a failed call (``ErrorInfo.reason``), if it has one."""
    return ErrorDetails.of(error).reason


def _rich_status(error: grpc.RpcError) -> status_pb2.Status | None:
    if not hasattr(error, "trailing_metadata"):
        return None
    try:
        status: status_pb2.Status | None = rpc_status.from_call(error)  # type: ignore[arg-type]
    except ValueError:  # code or message disagree with the status: not from an SES server
        return None
    return status


def _request_id_header(error: grpc.RpcError) -> str | None:
    """``x-request-id`` from the response headers: servers send it even without details."""
    for getter in ("trailing_metadata", "initial_metadata"):
        try:
            pairs = getattr(error, getter)() or ()
        except Exception:  # a call that never reached a server has no metadata to read
            continue
        for key, value in pairs:
            if key == "x-request-id" and isinstance(value, str):
                return value
    return None


def _code(error: grpc.RpcError) -> grpc.StatusCode | None:
    code = error.code() if hasattr(error, "code") else None
    return code if isinstance(code, grpc.StatusCode) else None
