"""Run a long-lived coroutine (a relay, a consumer) for the duration of a test block."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Coroutine
from typing import Any


@contextlib.asynccontextmanager
async def running(coroutine: Coroutine[Any, Any, Any]) -> AsyncIterator[asyncio.Task[Any]]:
    """Start ``coroutine`` as a task; cancel it on exit and re-raise anything it died of.

    A background loop that crashed would otherwise only show up as a test timing out.
    """
    task = asyncio.create_task(coroutine)
    try:
        yield task
    finally:
        task.cancel()  # no effect on a task that already died ...
        with contextlib.suppress(asyncio.CancelledError):
            await task  # ... whose exception this re-raises
