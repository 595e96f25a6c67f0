"""The data directory: checked before anything is written there, its failures named in a line.

A host that cannot write its data directory must say so in one sentence (which ``ses``
prints before exiting with status 2), not in a traceback. Two places see to it:

* :func:`check_data_dir` runs first: it creates the directory and writes, syncs and
  removes a small probe file, so a read-only, unwritable or full directory is found
  before any database, key or broker store is touched.
* :func:`naming_storage_errors` wraps the rest of the start: an ``OSError`` about a path
  in the directory, or an SQLite error of a database file there, whose cause is a
  read-only file system, a refused permission or a full disk becomes the same sentence
  (a disk that filled up while the databases were being migrated, say).

Errors that are not about storage, or about paths elsewhere, pass through untouched.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

from ses_core.errors import PreconditionFailed
from ses_core.platform.settings import Settings, env_name

_PROBE_BYTES = 64 * 1024

DATA_DIR_SETTING = "SES_DATA_DIR"
_MOVE_IT = "point {setting} at a writable directory"
_FREE_IT = "free some space there or point {setting} at another disk"

# errno → (what is wrong, what to do)
_OS_PROBLEMS: dict[int, tuple[str, str]] = {
    errno.EROFS: ("is on a read-only file system", _MOVE_IT),
    errno.EACCES: ("is not writable (permission denied)", _MOVE_IT),
    errno.EPERM: ("is not writable (operation not permitted)", _MOVE_IT),
    errno.ENOSPC: ("is full (no space left on device)", _FREE_IT),
    errno.EDQUOT: ("is over its disk quota", _FREE_IT),
    errno.ENOTDIR: ("is not a directory (part of its path is a file)", _MOVE_IT),
    errno.EEXIST: ("is not a directory (a file has its name)", _MOVE_IT),
}

_ANONYMOUS_OK = frozenset({errno.ENOSPC, errno.EDQUOT})

# SQLite primary result codes (sqlite3.h) → the errno that says the same thing.
_SQLITE_AS_ERRNO = {
    3: errno.EACCES,  # SQLITE_PERM
    8: errno.EROFS,  # SQLITE_READONLY: the file or its directory cannot be written
    13: errno.ENOSPC,  # SQLITE_FULL
    14: errno.EACCES,  # SQLITE_CANTOPEN: at start, a file or journal it may not create
}


class DataDirUnusable(PreconditionFailed):
    """The data directory (or a database directory) cannot hold what the host writes."""

    default_reason = "data_dir_unusable"

    @classmethod
    def because(
        cls, directory: Path, error_number: int, *, setting: str = DATA_DIR_SETTING
    ) -> DataDirUnusable:
        problem, remedy = _OS_PROBLEMS[error_number]
        where = directory.absolute()
        label = "data directory" if setting == DATA_DIR_SETTING else f"directory of {setting}"
        return cls(
            f"The {label} {where} {problem}; {remedy.format(setting=setting)}.",
            directory=str(where),
            setting=setting,
        )


def check_data_dir(directory: Path) -> None:
    """Create ``directory`` if needed and prove it takes a write; else :class:`DataDirUnusable`."""
    probe = directory / f".ses-write-probe-{os.getpid()}"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(descriptor, b"\0" * _PROBE_BYTES)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
            probe.unlink(missing_ok=True)
    except OSError as error:
        if error.errno in _OS_PROBLEMS:
            raise DataDirUnusable.because(directory, error.errno) from error
        raise


@contextmanager
def naming_storage_errors(
    directory: Path, *, setting: str = DATA_DIR_SETTING, sqlite_files_here: bool = False
) -> Iterator[None]:
    """Turn a storage failure inside ``directory`` into :class:`DataDirUnusable`.

    ``sqlite_files_here``: the block only opens SQLite databases in ``directory``, so an
    SQLite error (which names no file) is about this directory too.
    """
    try:
        yield
    except DataDirUnusable:
        raise
    except Exception as error:
        error_number = storage_errno(error, directory, sqlite_files_here=sqlite_files_here)
        if error_number is None:
            raise
        raise DataDirUnusable.because(directory, error_number, setting=setting) from error


def naming_database_errors(settings: Settings, service: str) -> AbstractContextManager[None]:
    """:func:`naming_storage_errors` for the directory of ``service``'s SQLite file.

    The data directory when the file is there (the default), else the file's own
    directory, named with the ``SES_DATABASE__<SERVICE>`` setting that put it there.
    Other databases (PostgreSQL) report their own errors.
    """
    from ses_core.platform.db.engine import normalize_url  # SQLAlchemy: hosts only

    url = normalize_url(settings.database.url_for(service))
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return nullcontext()
    directory = Path(str(url.database)).parent.resolve()
    if directory == settings.data_dir.resolve():
        return naming_storage_errors(directory, sqlite_files_here=True)
    setting = env_name(("database", service))
    return naming_storage_errors(directory, setting=setting, sqlite_files_here=True)


def storage_errno(
    error: BaseException, directory: Path, *, sqlite_files_here: bool = False
) -> int | None:
    """The errno of a storage problem in ``directory`` behind ``error``, if it is one.

    Follows the chain of causes (SQLAlchemy wraps the ``sqlite3`` error; alembic and the
    host wrap others). An ``OSError`` counts when it names no file or a file inside
    ``directory`` (or no file, for "full" and "over quota": a ``write`` names none, and no
    network call fails that way); an SQLite error only with ``sqlite_files_here``.
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in _OS_PROBLEMS:
            if current.filename is not None:
                if _inside(Path(os.fsdecode(current.filename)), directory):
                    return current.errno
            elif current.errno in _ANONYMOUS_OK:
                return current.errno
        if sqlite_files_here and isinstance(current, sqlite3.Error):
            code = getattr(current, "sqlite_errorcode", None)
            if isinstance(code, int) and (code & 0xFF) in _SQLITE_AS_ERRNO:
                return _SQLITE_AS_ERRNO[code & 0xFF]
        current = current.__cause__ or current.__context__
    return None


def _inside(path: Path, directory: Path) -> bool:
    return path.absolute().is_relative_to(directory.absolute())
