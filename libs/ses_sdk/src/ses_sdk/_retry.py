"""When a failed call is tried again, and after how long.

Only UNAVAILABLE and DEADLINE_EXCEEDED are transient, and only calls that are safe to
repeat are repeated: reads, and mutations that carry an idempotency key (the server runs
them once and replays the first answer to a retry). A maintenance window's refusal
(UNAVAILABLE, reason ``maintenance``, a ``RetryInfo`` lasting until the window ends) is
waited out only when the caller asked for it (``wait_for_maintenance``); otherwise it is
raised at once, since the wait may last hours. Pauses grow exponentially with full jitter
(tenacity's ``wait_random_exponential``) and are never shorter than the server's
``RetryInfo`` delay.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import grpc
from tenacity import RetryCallState, stop_after_attempt, wait_random_exponential

from ses_sdk._errors import SesError, reason_of

RETRYABLE = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED})
MAINTENANCE_REASON = "maintenance"
# The upload moved on while we were away (another stream committed more, or is still
# finishing): ask where it stands and continue from there.
RESYNC_REASONS = frozenset({"offset_mismatch", "file_busy"})


@dataclass(frozen=True)
class RetryPolicy:
    """How hard the SDK tries before giving up.

    A call is tried at most ``max_attempts`` times; pauses start near ``initial_backoff``
    seconds and double up to ``max_backoff``, each drawn at random below that bound. For
    uploads and downloads, a stream that made progress before failing does not count
    against ``max_attempts``: only consecutive attempts without progress do.
    """

    max_attempts: int = 8
    initial_backoff: float = 0.2
    max_backoff: float = 5.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts is at least 1 (one attempt, no retry).")
        if self.initial_backoff < 0 or self.max_backoff < self.initial_backoff:
            raise ValueError("Give 0 <= initial_backoff <= max_backoff.")

    def pause(self, stalled: int) -> float:
        """Seconds to wait after the ``stalled``-th attempt in a row without progress."""
        return float(min(self.max_backoff, self.initial_backoff * 2 ** (stalled - 1)))

    def stop(self) -> Callable[[RetryCallState], bool]:
        return stop_after_attempt(self.max_attempts)

    def wait(self) -> Callable[[RetryCallState], float]:
        """Exponential backoff with full jitter, at least the server's ``RetryInfo`` delay."""
        backoff = wait_random_exponential(multiplier=self.initial_backoff, max=self.max_backoff)

        def pause(state: RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome is not None else None
            asked = error.retry_delay if isinstance(error, SesError) else None
            return max(backoff(state), asked.total_seconds() if asked is not None else 0.0)

        return pause


def should_retry(error: BaseException, *, repeatable: bool, wait_for_maintenance: bool) -> bool:
    """Whether a call that failed with ``error`` is tried again.

    ``repeatable``: the call is a read, or carries an idempotency key.
    """
    if not (repeatable and isinstance(error, SesError) and error.code in RETRYABLE):
        return False
    if error.reason == MAINTENANCE_REASON:
        return wait_for_maintenance
    return True


def is_retryable(error: BaseException) -> bool:
    """A raw gRPC failure worth another attempt (uploads and downloads resume after it)."""
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
