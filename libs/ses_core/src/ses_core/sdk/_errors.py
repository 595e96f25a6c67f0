"""Errors the SDK raises, and which gRPC failures are worth retrying."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import grpc

ERROR_REASON_KEY = "ses-error-reason"

# Transient by nature: the server restarted, a connection was cut, maintenance began.
RETRYABLE = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED})
# The upload moved on while we were away (another stream committed more, or is still
# finishing): ask where it stands and continue from there.
RESYNC_REASONS = frozenset({"offset_mismatch", "file_busy"})


class SesApiError(Exception):
    """A call failed: ``code`` (a ``grpc.StatusCode``), the server's ``reason`` code and
    its ``message``, a sentence meant for a person."""

    def __init__(self, code: grpc.StatusCode, message: str, reason: str | None = None) -> None:
        super().__init__(f"{code.name}: {message}")
        self.code = code
        self.message = message
        self.reason = reason

    @classmethod
    def from_rpc_error(cls, error: grpc.RpcError) -> SesApiError:
        code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
        details = error.details() if hasattr(error, "details") else str(error)
        return cls(code, details or code.name, reason_of(error))


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
    # Sync errors give (key, value) named tuples, asyncio ones a Metadata of pairs.
    trailing: Any = error.trailing_metadata() if hasattr(error, "trailing_metadata") else None
    for key, value in trailing or ():
        if key == ERROR_REASON_KEY:
            return value.decode() if isinstance(value, bytes) else str(value)
    return None


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
