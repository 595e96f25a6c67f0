"""Wait for a condition instead of sleeping: tests stay correct on a slow machine.

Timeouts are generous on purpose; a passing test returns as soon as the condition holds.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

DEFAULT_TIMEOUT = 60.0


def wait_until(
    condition: Callable[[], T],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    interval: float = 0.05,
    message: str = "condition",
) -> T:
    """Poll ``condition`` until it returns something truthy; return that, or raise on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"Gave up after {timeout:.0f}s waiting for {message}.")
        time.sleep(interval)


async def eventually(
    condition: Callable[[], T | Awaitable[T]],
    *,
    timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109 - polling to a deadline is the point
    interval: float = 0.05,
    message: str = "condition",
) -> T:
    """Async :func:`wait_until`; ``condition`` may be a plain or an async callable."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
            result = await result
        if result:
            return result  # type: ignore[return-value]
        if time.monotonic() > deadline:
            raise TimeoutError(f"Gave up after {timeout:.0f}s waiting for {message}.")
        await asyncio.sleep(interval)
