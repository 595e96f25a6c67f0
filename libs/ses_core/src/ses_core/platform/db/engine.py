"""Engines and sessions from a database URL: SQLite (embedded default) or PostgreSQL.

Design choices:

* SQLite runs in WAL mode with ``synchronous=NORMAL`` (durable across process crashes, a
  power cut may lose the last commits), foreign keys on and a busy timeout, one file per
  service under a data directory (:func:`sqlite_url`).
* Every SQLite transaction starts with ``BEGIN IMMEDIATE``: SQLAlchemy emits it instead of
  the ``sqlite3`` module, which would otherwise start transactions lazily at the first
  write. A lazy (deferred) transaction that read before writing fails at once with
  "database is locked" when another connection committed in between; an immediate one
  waits its turn (``busy_timeout``) and then sees a stable database. SQLite has one writer
  at a time anyway; the price is that read transactions queue behind writers too.
* A connection opened with :data:`READ_ONLY` (``engine.connect().execution_options(
  **READ_ONLY)``), or a session of :func:`read_only_session_factory`, begins a plain
  deferred transaction instead: in WAL mode such a read never waits for a writer and
  sees one consistent snapshot, which is what every read-only call needs (the authority
  lookup, GetComplaint, the lists). Measured under 32 concurrent calls, readers behind
  ``BEGIN IMMEDIATE`` spent most of their time queued for the write lock.
* Writers of one process take turns on a lock before ``BEGIN IMMEDIATE`` (released when
  their transaction commits or rolls back). SQLite's own busy handler makes a waiting
  writer sleep and retry with growing naps (up to 100 ms), so under 32 concurrent
  commands the newest writers kept overtaking the oldest: p99 was 6-7x the median.
  Queued on a lock, a writer starts as soon as the previous one is done. Processes
  sharing the file (``ses up --workers N``) take turns the same way on an ``flock`` of
  ``<database file>.writer.lock``, tried every few milliseconds. A turn is waited for at
  most the busy timeout, then the transaction fails as SQLite would ("database is
  locked").
* Such a transaction cannot write: SQLite's ``query_only`` pragma is switched on for it
  (and off again for the next writer on that pooled connection, only when the mode
  changes, so the switch costs nothing on a connection that stays in one mode); on
  PostgreSQL the transaction is ``READ ONLY``. A write attempted there is a bug and
  fails loudly (``attempt to write a readonly database``).
* PostgreSQL goes through psycopg 3; plain ``postgresql://`` URLs are read as
  ``postgresql+psycopg://`` because that is the driver shipped with the platform.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from ses_core.platform.db._urls import sqlite_url

__all__ = ["READ_ONLY", "create_database_engine", "normalize_url", "session_factory", "sqlite_url"]

DEFAULT_BUSY_TIMEOUT_SECONDS = 30.0
# Execution options of a connection that only reads (see the module docstring).
READ_ONLY: dict[str, Any] = {"ses_read_only": True, "postgresql_readonly": True}
# Key in a pooled SQLite connection's info: whether its ``query_only`` pragma is on.
_QUERY_ONLY = "ses_query_only"


def create_database_engine(
    url: str | URL,
    *,
    busy_timeout: float = DEFAULT_BUSY_TIMEOUT_SECONDS,
    echo: bool = False,
    **engine_options: Any,
) -> Engine:
    """A sync engine for ``url``, configured for the platform (see the module docstring).

    ``engine_options`` go to :func:`sqlalchemy.create_engine` (e.g. ``pool_size``).
    """
    parsed = normalize_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed, busy_timeout=busy_timeout, echo=echo, **engine_options)
    if backend == "postgresql":
        return create_engine(parsed, echo=echo, pool_pre_ping=True, **engine_options)
    raise ValueError(
        f"Unsupported database URL {parsed.render_as_string(hide_password=True)!r}: use "
        "sqlite:///path/to/service.db or postgresql://user@host:5432/database."
    )


def normalize_url(url: str | URL) -> URL:
    """Parse ``url``, mapping the driverless PostgreSQL spellings to psycopg 3."""
    if isinstance(url, str) and url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded values readable after commit (handlers return them)."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


def read_only_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for work that only reads: their transactions begin deferred on SQLite and
    ``READ ONLY`` on PostgreSQL, and refuse to write (see the module docstring)."""
    return session_factory(engine.execution_options(**READ_ONLY))


def _sqlite_engine(url: URL, *, busy_timeout: float, echo: bool, **options: Any) -> Engine:
    in_memory = url.database in (None, "", ":memory:")
    if in_memory:
        # One shared connection, or every pooled connection would see its own empty database.
        options.setdefault("poolclass", StaticPool)
    else:
        Path(str(url.database)).parent.mkdir(parents=True, exist_ok=True)
    turns = _WriterTurns(busy_timeout, None if in_memory else Path(f"{url.database}.writer.lock"))
    connect_args = {
        "check_same_thread": False,
        "factory": turns.connection_class,
        **options.pop("connect_args", {}),
    }
    engine = create_engine(url, echo=echo, connect_args=connect_args, **options)
    busy_ms = int(busy_timeout * 1000)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module (see module docstring).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            if not in_memory:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        finally:
            cursor.close()

    @event.listens_for(engine, "engine_disposed")
    def _disposed(_engine: Any) -> None:
        turns.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        reads_only = bool(connection.get_execution_options().get("ses_read_only", False))
        dbapi_connection = connection.connection.dbapi_connection
        if connection.info.get(_QUERY_ONLY, False) != reads_only:
            _send(dbapi_connection, f"PRAGMA query_only={int(reads_only)}")
            connection.info[_QUERY_ONLY] = reads_only
        if reads_only:
            _send(dbapi_connection, "BEGIN")
            return
        turns.take(dbapi_connection)
        try:
            _send(dbapi_connection, "BEGIN IMMEDIATE")
        except BaseException:
            turns.give_back(dbapi_connection)
            raise

    return engine


def _send(dbapi_connection: Any, sql: str) -> None:
    """``sql`` straight to the driver, its errors raised as SQLAlchemy would raise them.

    A BEGIN through SQLAlchemy's statement machinery (``exec_driver_sql``) was a seventh of
    a short read's Python in the worker thread; nothing of that machinery (caching,
    events, result handling) serves a statement that returns nothing (``BEGIN``, the
    ``query_only`` switch).
    """
    try:
        dbapi_connection.execute(sql)
    except sqlite3.Error as error:
        raise DBAPIError.instance(sql, None, error, sqlite3.Error) from error


class _WriterTurns:
    """One write transaction at a time among one engine's connections (module docstring).

    The turn is taken before ``BEGIN IMMEDIATE`` and given back by the connection's own
    ``commit``, ``rollback`` or ``close``, after SQLite has finished them, so the next
    writer never finds the database still locked by this process.
    """

    def __init__(self, patience: float, shared_path: Path | None) -> None:
        self.patience = patience
        self.lock = threading.Lock()
        self.shared_path = shared_path  # the other processes' side of the turn
        self._shared_fd: int | None = None
        turns = self

        class TurnTakingConnection(sqlite3.Connection):
            holds_turn = False

            def commit(self) -> None:
                try:
                    super().commit()
                finally:
                    turns.give_back(self)

            def rollback(self) -> None:
                try:
                    super().rollback()
                finally:
                    turns.give_back(self)

            def close(self) -> None:
                try:
                    super().close()
                finally:
                    turns.give_back(self)

        self.connection_class = TurnTakingConnection

    def take(self, connection: Any) -> None:
        if getattr(connection, "holds_turn", True):
            return  # already this connection's turn, or not a connection of ours
        deadline = time.monotonic() + self.patience
        if not self.lock.acquire(timeout=self.patience):
            raise self._locked()
        try:
            self._take_shared(deadline)
        except BaseException:
            self.lock.release()
            raise
        connection.holds_turn = True

    def give_back(self, connection: Any) -> None:
        if getattr(connection, "holds_turn", False):
            connection.holds_turn = False
            if self._shared_fd is not None:
                fcntl.flock(self._shared_fd, fcntl.LOCK_UN)
            self.lock.release()

    def _take_shared(self, deadline: float) -> None:
        """The file lock the engines of other processes take (held with ``self.lock``)."""
        if self.shared_path is None:
            return
        if self._shared_fd is None:
            self._shared_fd = os.open(self.shared_path, os.O_RDWR | os.O_CREAT, 0o600)
        pause = 0.0005
        while True:
            try:
                fcntl.flock(self._shared_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise self._locked() from None
                time.sleep(pause)
                pause = min(0.004, pause * 2)

    def close(self) -> None:
        """Close the lock file (the engine is disposed; a later turn opens it again)."""
        with self.lock:
            fd, self._shared_fd = self._shared_fd, None
        if fd is not None:
            os.close(fd)

    def _locked(self) -> OperationalError:
        locked = sqlite3.OperationalError(
            f"database is locked (no turn to write within {self.patience:g} s)"
        )
        return OperationalError("BEGIN IMMEDIATE", None, locked)
