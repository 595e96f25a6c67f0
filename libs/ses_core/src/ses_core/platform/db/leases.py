"""Leases: work that one process at a time may do, for as long as it lives, on one database.

A :class:`~ses_core.platform.db.turns.DatabaseTurn` is taken for one short pass (a relay
pass). A :class:`Lease` is the same cross-process lock held for as long as its holder
runs some work (a service's background loops, :mod:`ses_core.platform.runtime._background`),
so that replicas of a service, or the workers of ``--workers N``, never run that work at
the same time, and another takes it over when the holder goes.

* Held: PostgreSQL, a session advisory lock on a connection kept for the lease; SQLite
  file, an ``flock`` beside the database (:mod:`~ses_core.platform.db.turns`).
* Renewed: every ``check_interval`` seconds the holder checks that it still holds it
  (:meth:`Lease.wait_until_lost`). On PostgreSQL that is a query on the lock's session:
  a session the server ended (a restart, a terminated backend, a lost network) has given
  the lock back, so the holder must stop; a check that does not answer within
  ``check_timeout`` counts as lost. An ``flock`` is lost only with its process.
* Expired: a holder that dies gives the lock back at once (the server ends its session,
  the kernel drops its file lock). A holder that is alive but lost its session notices
  within ``check_interval + check_timeout``. So a new holder waits ``takeover_grace``
  (longer than that) after taking the lock and before it starts the work: the two never
  run the work at the same time, unless the old holder's process stalls longer than the
  grace (a pause of the whole process), which the consumers' processed-event claims
  still make harmless for exactly-once (only the order of two events could suffer).
  An ``flock`` cannot be lost by a live holder, so on SQLite the grace is zero.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket

from sqlalchemy import Engine

from ses_core.platform.db.turns import lock_for

_log = logging.getLogger(__name__)

DEFAULT_CHECK_INTERVAL = 1.0
DEFAULT_CHECK_TIMEOUT = 2.0
DEFAULT_TAKEOVER_GRACE = 5.0  # > check interval + check timeout, with a margin
_RETRY = 0.25
_UNREACHABLE_PAUSE = 1.0


def holder_identity() -> str:
    """Who holds a lease, for the logs: host name and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Lease:
    """``await lease.acquire()`` … ``await lease.wait_until_lost()`` … ``await lease.release()``."""

    def __init__(
        self,
        engine: Engine,
        name: str,
        *,
        check_interval: float = DEFAULT_CHECK_INTERVAL,
        check_timeout: float = DEFAULT_CHECK_TIMEOUT,
        takeover_grace: float | None = None,
    ) -> None:
        if takeover_grace is None:
            losable = engine.dialect.name == "postgresql"
            takeover_grace = DEFAULT_TAKEOVER_GRACE if losable else 0.0
        self.name = name
        self.check_interval = check_interval
        self.check_timeout = check_timeout
        self.takeover_grace = takeover_grace
        self.held = False
        self._lock = lock_for(engine, name)

    async def acquire(self) -> None:
        """Return once this process holds the lease and a previous holder has stopped."""
        # Polling: the lock belongs to another process, no event tells when it is free.
        while not await self._try_acquire():  # noqa: ASYNC110
            await asyncio.sleep(_RETRY)
        self.held = True
        try:
            if self.takeover_grace:
                # A previous holder that lost its session has stopped by now (module doc).
                await asyncio.sleep(self.takeover_grace)
                if not await self._still_held():
                    await self.release()
                    await self.acquire()
                    return
        except BaseException:
            await self.release()
            raise
        _log.info("%s holds the lease %s.", holder_identity(), self.name)

    async def wait_until_lost(self) -> None:
        """Check the lease every ``check_interval``; return when it is no longer held."""
        while await self._still_held():  # noqa: ASYNC110 (a renewal is a poll)
            await asyncio.sleep(self.check_interval)
        _log.warning("%s lost the lease %s.", holder_identity(), self.name)

    async def release(self) -> None:
        self.held = False
        try:
            await asyncio.to_thread(self._lock.release)
        except Exception as error:  # the lock went with the session or the descriptor
            _log.warning("Releasing the lease %s: %s", self.name, error)

    async def _try_acquire(self) -> bool:
        """One try; a database that cannot be reached (restarting) is a try that failed."""
        try:
            return await asyncio.to_thread(self._lock.try_acquire)
        except Exception as error:
            _log.warning("Cannot try the lease %s now: %s", self.name, error)
            await asyncio.sleep(_UNREACHABLE_PAUSE)
            return False

    async def _still_held(self) -> bool:
        try:
            return await asyncio.wait_for(
                asyncio.to_thread(self._lock.still_held), timeout=self.check_timeout
            )
        except TimeoutError:
            return False
