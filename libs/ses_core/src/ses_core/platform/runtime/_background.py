"""A service's background loops run in one process of a deployment at a time, under a lease.

Every process hosting a service (each replica of ``ses serve``, each worker of
``--workers N``) starts a :class:`LeasedLoops` for it; the one that holds the service's
lease ``background-<service>`` (:class:`~ses_core.platform.db.leases.Lease`, in the
service's own database) runs the loops, the others wait to take over. When the holder
dies, or loses its database session, its loops stop (or died with it) and another process
starts them after the lease's takeover grace; the holder that lost it waits its turn again.
A loop that stops with an error (its database restarting under it) is started again after
a growing pause, so the holder never keeps the lease with its work dead.

Why one holder, loop by loop:

* event consumers (projections, notify's notices and mail, the authority projection): a
  durable consumer shared by two processes applies its messages in parallel, so two events
  of one complaint (``ResponseSubmitted``, then ``ComplaintClosed``) could be applied out of
  order. Each event is applied once either way (processed-event claims); one holder keeps
  the order a single process has;
* the notify scheduler and delivery workers, upload expiry, invitation expiry: safe
  anywhere already (reminders recorded under a unique key with their deliveries, rows
  claimed or locked one by one), but one holder makes "no double effect" true by
  construction, not by the care of each query. They are light; spreading them over
  replicas is not worth a second mechanism.

What stays in every process: serving calls, the outbox relay (each pass takes the
database's relay turn, :mod:`~ses_core.platform.db.turns`), the retention purges (they only
share the deletes) and the maintenance feed (each process keeps the schedule in memory).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from ses_core.platform.db.leases import Lease

_log = logging.getLogger(__name__)

_FIRST_PAUSE = 1.0
_LAST_PAUSE = 30.0
_STEADY = 60.0

BackgroundLoop = Callable[[], Awaitable[None]]


def background_lease_name(service: str) -> str:
    return f"background-{service}"


async def cancel_all(tasks: Sequence[asyncio.Task[None]], *, patience: float = 30.0) -> None:
    """Cancel ``tasks`` and wait until every one has ended.

    A single ``cancel()`` is not always enough on Python 3.11: ``asyncio.wait_for`` (used
    inside nats-py's ``fetch``, for one) can swallow a cancellation that races with its
    inner future, and the loop around it then carries on. So a task still running after
    a second is cancelled again, until it ends or ``patience`` runs out.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + patience
    pending = {task for task in tasks if not task.done()}
    while pending:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=1.0)
        if pending and loop.time() > deadline:
            names = ", ".join(sorted(task.get_name() for task in pending))
            _log.error("background loops did not stop within %.0f s: %s", patience, names)
            return
    for task in tasks:
        if task.done() and not task.cancelled() and task.exception() is not None:
            _log.debug("background loop %s had failed: %r", task.get_name(), task.exception())


def supervised(name: str, loop: BackgroundLoop) -> asyncio.Task[None]:
    """``loop`` as a task whose failure is logged (a loop is not restarted)."""

    async def run() -> None:
        try:
            await loop()
        except asyncio.CancelledError:
            raise
        except Exception:
            _log.exception("background loop %s stopped with an error", name)
            raise

    return asyncio.create_task(run(), name=name)


def restarted(name: str, loop: BackgroundLoop) -> BackgroundLoop:
    """``loop``, started again after a growing pause (1 s, doubling up to 30 s) whenever it
    stops with an error: a loop that meets its database restarting must not end for good.
    """

    async def run() -> None:
        pause = _FIRST_PAUSE
        while True:
            began = asyncio.get_running_loop().time()
            try:
                await loop()
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                _log.exception(
                    "background loop %s stopped with an error; starting it again in %.0f s",
                    name,
                    pause,
                )
            if asyncio.get_running_loop().time() - began > _STEADY:
                pause = _FIRST_PAUSE  # it had run well for a while: not a crash loop
            await asyncio.sleep(pause)
            pause = min(_LAST_PAUSE, pause * 2)

    return run


@dataclass
class LeasedLoops:
    """``await run()``: run ``loops`` whenever this process holds ``lease`` (see the module)."""

    service: str
    lease: Lease
    loops: Sequence[BackgroundLoop]

    async def run(self) -> None:
        while True:
            await self.lease.acquire()
            names = [f"{self.service}-background-{index}" for index in range(len(self.loops))]
            tasks = [
                supervised(name, restarted(name, loop))
                for name, loop in zip(names, self.loops, strict=True)
            ]
            try:
                await self.lease.wait_until_lost()
                _log.warning("Stopping the background loops of %s: lease lost.", self.service)
            finally:
                try:
                    await cancel_all(tasks)
                finally:
                    await self.lease.release()
