"""Errors the SDK raises, and which gRPC failures are worth retrying.

SES servers describe every failure with the standard rich error model (Google
AIP-193): a ``google.rpc.Status`` in the ``grpc-status-details-bin`` trailer with
an ``ErrorInfo`` (the stable reason), a ``RequestInfo`` (the id to quote to
support) and, where they apply, ``BadRequest`` field violations and a
``RetryInfo`` delay. ``SesApiError`` carries all of them, decoded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

import google.rpc.error_details_pb2 as error_details_pb2
import google.rpc.status_pb2 as status_pb2
import grpc
from grpc_status import rpc_status

# Transient by nature: the server restarted, a connection was cut, maintenance began.
RETRYABLE = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED})
# The upload moved on while we were away (another stream committed more, or is still
# finishing): ask where it stands and continue from there.
RESYNC_REASONS = frozenset({"offset_mismatch", "file_busy"})


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
            return cls()
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
        return cls(**found)  # type: ignore[arg-type]


class SesApiError(Exception):
    """A call failed: ``code`` (a ``grpc.StatusCode``), the server's ``reason`` code, its
    ``message`` (a sentence meant for a person), the ``request_id`` to quote to
    support, the refused ``field_violations`` and, when a retry will help, its
    ``retry_delay``."""

    def __init__(
        self,
        code: grpc.StatusCode,
        message: str,
        reason: str | None = None,
        details: ErrorDetails | None = None,
    ) -> None:
        super().__init__(f"{code.name}: {message}")
        self.code = code
        self.message = message
        self.details = details or ErrorDetails(reason=reason)
        self.reason = reason or self.details.reason
        self.request_id = self.details.request_id
        self.metadata = self.details.metadata
        self.field_violations = self.details.field_violations
        self.retry_delay = self.details.retry_delay

    @classmethod
    def from_rpc_error(cls, error: grpc.RpcError) -> SesApiError:
        code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
        message = error.details() if hasattr(error, "details") else str(error)
        details = ErrorDetails.of(error)
        return cls(code, message or code.name, details.reason, details)


class UploadStalled(SesApiError):
    """The upload made no progress over several attempts; it can be resumed later."""


@dataclass(frozen=True)
class RetryPolicy:
    """How hard the SDK tries before giving up.

    A stream that made progress before failing does not count against
    ``max_attempts``: only consecutive attempts without progress do.
    """

    max_attempts: int = 8
    initial_backoff: float = 0.2
    max_backoff: float = 5.0

    def pause(self, stalled: int) -> float:
        """Seconds to wait after the ``stalled``-th attempt in a row without progress."""
        return float(min(self.max_backoff, self.initial_backoff * 2 ** (stalled - 1)))


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


def is_retryable(error: BaseException) -> bool:
    return isinstance(error, grpc.RpcError) and _code(error) in RETRYABLE


def needs_resync(error: BaseException) -> bool:
    return (
        isinstance(error, grpc.RpcError)
        and _code(error) == grpc.StatusCode.FAILED_PRECONDITION
        and reason_of(error) in RESYNC_REASONS
    )


def _code(error: grpc.RpcError) -> grpc.StatusCode | None:
    code = error.code() if hasattr(error, "code") else None
    return code if isinstance(code, grpc.StatusCode) else None
