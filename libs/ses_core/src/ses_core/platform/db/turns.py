"""Turns across processes: one holder at a time of a named piece of work on one database.

Several processes may run the same background work on one database: the workers of
``ses up --workers N`` (one SQLite file) and the replicas of ``ses serve`` (one
PostgreSQL database). Work that must not run twice at once (a pass of the outbox relay:
each event published once and in order) takes a :class:`DatabaseTurn` first.

* PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) on a connection
  held for the turn. A holder that dies or loses its connection gives the turn back at
  once: the server ends its session.
* SQLite file: an exclusive ``flock`` on ``<database file>.<name>.lock`` beside it (a
  SQLite database is on one machine, so every process sharing it sees the lock). A
  holder that dies gives it back: the kernel drops the lock with the process.
* In-memory SQLite: no other process can share it; the turn is always free.

A turn is tried, never waited for in a thread (a cancelled wait would leave a thread
behind that takes the turn later and keeps it): :meth:`DatabaseTurn.take` tries again
every few milliseconds until it has it.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol

from sqlalchemy import Connection, Engine, text

_FIRST_RETRY = 0.002
_LAST_RETRY = 0.05


class _Lock(Protocol):
    def try_acquire(self) -> bool: ...

    def still_held(self) -> bool:
        """False once the lock may have been taken from us (a held lease checks this)."""
        ...

    def release(self) -> None: ...


class DatabaseTurn:
    """``async with turn.held(): ...``: the work inside runs in one process at a time."""

    def __init__(self, engine: Engine, name: str) -> None:
        self.name = name
        self._lock = lock_for(engine, name)

    @contextlib.asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        await self.take()
        try:
            yield
        finally:
            await asyncio.to_thread(self._lock.release)

    async def take(self) -> None:
        delay = _FIRST_RETRY
        while not await asyncio.to_thread(self._lock.try_acquire):
            await asyncio.sleep(delay)
            delay = min(_LAST_RETRY, delay * 2)


def lock_for(engine: Engine, name: str) -> _Lock:
    """The cross-process lock named ``name`` on ``engine``'s database (see the module)."""
    if engine.dialect.name == "postgresql":
        return _AdvisoryLock(engine, _advisory_key(name))
    database = engine.url.database
    if database in (None, "", ":memory:"):
        return _NoLock()
    return _FileLock(Path(f"{database}.{name}.lock"))


def _advisory_key(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (advisory locks are keyed by bigint)."""
    digest = hashlib.sha256(f"ses:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class _NoLock:
    def try_acquire(self) -> bool:
        return True

    def still_held(self) -> bool:
        return True

    def release(self) -> None:
        return None


class _FileLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def still_held(self) -> bool:
        # Only closing the descriptor or the process ending drops an flock.
        return self._fd is not None

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # closing the descriptor drops the lock


class _AdvisoryLock:
    def __init__(self, engine: Engine, key: int) -> None:
        self.engine = engine
        self.key = key
        self._connection: Connection | None = None

    def try_acquire(self) -> bool:
        connection = self.engine.connect()
        try:
            taken = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}
            ).scalar_one()
            connection.commit()
        except BaseException:
            connection.close()
            raise
        if not taken:
            connection.close()
            return False
        self._connection = connection
        return True

    def still_held(self) -> bool:
        """A session lock lasts as long as its session: ask the session whether it lives."""
        connection = self._connection
        if connection is None:
            return False
        try:
            connection.execute(text("SELECT 1")).scalar_one()
            connection.commit()
        except Exception:
            return False
        return True

    def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            connection.commit()
        except Exception:
            # The session may still hold the lock: end it rather than pool it.
            connection.invalidate()
        finally:
            connection.close()
