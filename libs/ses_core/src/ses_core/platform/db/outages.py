"""Telling a database that went away from a query that is wrong.

A call that meets a database being restarted, failed over or cut off should be retried by
its client a moment later (UNAVAILABLE); a wrong query is a bug (INTERNAL). SQLAlchemy
marks the first kind when it sees a disconnect (``connection_invalidated``); PostgreSQL's
drivers also raise ``OperationalError`` for a connection refused or closed while a query
ran, and never for a bad query (that is ``ProgrammingError``, ``DataError``, ...).
SQLite's ``OperationalError`` is another matter (a missing table is one), so it is not
counted: a SQLite file does not restart under a process.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError

T = TypeVar("T")


def database_unreachable(error: BaseException) -> bool:
    """Whether ``error`` says the database could not be reached, not that a query failed."""
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    return isinstance(error, OperationalError) and type(error.orig).__module__.split(".")[0] != (
        "sqlite3"
    )


def until_database_returns(
    write: Callable[[], T], *, patience: float = 60.0, pause: float = 0.5
) -> T:
    """``write()``, tried again while the database cannot be reached, for ``patience``
    seconds; any other error, or an outage that outlasts it, is raised.

    For a record that must follow an effect already outside the database (an e-mail that
    left): recording it a few seconds late beats doing the effect twice. Blocking: call it
    from a worker thread.
    """
    deadline = time.monotonic() + patience
    while True:
        try:
            return write()
        except Exception as error:
            if not database_unreachable(error) or time.monotonic() > deadline:
                raise
        time.sleep(pause)
