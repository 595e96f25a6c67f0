"""The host stops its background loops even when one swallows a cancellation.

On Python 3.11 ``asyncio.wait_for`` can swallow a cancellation that races with its inner
future (nats-py's ``fetch`` waits that way), and a loop around it then keeps running;
one ``cancel()`` is not enough to stop such a loop, and ``ses up`` would hang on Ctrl-C.
"""

from __future__ import annotations

import asyncio

from ses_core.platform.runtime._background import cancel_all


async def test_a_loop_that_swallows_the_first_cancellation_is_cancelled_again() -> None:
    swallowed = 0

    async def stubborn_loop() -> None:
        nonlocal swallowed
        while True:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                if swallowed == 0:
                    swallowed += 1
                    asyncio.current_task().uncancel()  # type: ignore[union-attr]
                    continue
                raise

    task = asyncio.create_task(stubborn_loop(), name="stubborn")
    await asyncio.sleep(0)

    await cancel_all([task], patience=10.0)

    assert task.cancelled()
    assert swallowed == 1


async def test_loops_that_already_ended_or_failed_do_not_block_stopping() -> None:
    async def fails() -> None:
        raise RuntimeError("boom")

    async def ends() -> None:
        return None

    failed = asyncio.create_task(fails())
    ended = asyncio.create_task(ends())
    await asyncio.wait({failed, ended})

    await cancel_all([failed, ended])

    assert isinstance(failed.exception(), RuntimeError)
    assert ended.result() is None
