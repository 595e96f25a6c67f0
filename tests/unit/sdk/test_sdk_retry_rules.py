"""Which failures the clients try again, and how long they wait first (pure rules)."""

from __future__ import annotations

from datetime import timedelta

import grpc
import pytest
from tenacity import RetryCallState, Retrying

from ses_sdk import (
    DeadlineExceeded,
    ErrorDetails,
    FailedPrecondition,
    InvalidArgument,
    RetryPolicy,
    SesError,
    Unauthenticated,
    Unavailable,
)
from ses_sdk._retry import should_retry


def failure(kind: type[SesError], reason: str = "x", delay: float | None = None) -> SesError:
    retry_delay = timedelta(seconds=delay) if delay is not None else None
    return kind(
        "failed", reason=reason, details=ErrorDetails(reason=reason, retry_delay=retry_delay)
    )


@pytest.mark.parametrize("kind", [Unavailable, DeadlineExceeded])
def test_transient_failures_of_repeatable_calls_are_retried(kind: type[SesError]) -> None:
    assert should_retry(failure(kind), repeatable=True, wait_for_maintenance=False)
    assert not should_retry(failure(kind), repeatable=False, wait_for_maintenance=True)


@pytest.mark.parametrize("kind", [InvalidArgument, FailedPrecondition, Unauthenticated])
def test_other_failures_are_never_retried(kind: type[SesError]) -> None:
    assert not should_retry(failure(kind), repeatable=True, wait_for_maintenance=True)


def test_a_maintenance_refusal_is_waited_out_only_when_asked() -> None:
    maintenance = failure(Unavailable, reason="maintenance", delay=3600)
    assert not should_retry(maintenance, repeatable=True, wait_for_maintenance=False)
    assert should_retry(maintenance, repeatable=True, wait_for_maintenance=True)
    assert not should_retry(maintenance, repeatable=False, wait_for_maintenance=True)


def test_other_exceptions_are_not_retried() -> None:
    assert not should_retry(ValueError("x"), repeatable=True, wait_for_maintenance=True)


def _state_after(error: BaseException, attempt: int) -> RetryCallState:
    state = RetryCallState(Retrying(), fn=None, args=(), kwargs={})
    state.attempt_number = attempt
    state.set_exception((type(error), error, None))
    return state


def test_pauses_grow_with_jitter_up_to_the_bound() -> None:
    policy = RetryPolicy(initial_backoff=0.1, max_backoff=1.0)
    wait = policy.wait()
    pauses = [wait(_state_after(failure(Unavailable), attempt)) for attempt in range(1, 30)]
    assert all(0.0 <= pause <= 1.0 for pause in pauses)
    assert len(set(pauses)) > 1  # drawn at random, not a fixed schedule


def test_a_pause_is_never_shorter_than_the_servers_retry_delay() -> None:
    wait = RetryPolicy(initial_backoff=0.1, max_backoff=1.0).wait()
    asked = failure(Unavailable, reason="maintenance", delay=42.0)
    assert wait(_state_after(asked, 1)) == 42.0


def test_a_policy_needs_one_attempt_and_ordered_bounds() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="initial_backoff"):
        RetryPolicy(initial_backoff=2.0, max_backoff=1.0)


def test_a_failed_call_becomes_its_status_familys_exception() -> None:
    class Failed(grpc.RpcError):
        def code(self) -> grpc.StatusCode:
            return grpc.StatusCode.FAILED_PRECONDITION

        def details(self) -> str:
            return "The complaint is closed."

        def trailing_metadata(self) -> tuple[tuple[str, str], ...]:
            return (("x-request-id", "req-1"),)

    error = SesError.from_rpc_error(Failed())
    assert type(error) is FailedPrecondition
    assert error.message == "The complaint is closed."
    assert error.request_id == "req-1"
    assert error.code is grpc.StatusCode.FAILED_PRECONDITION
