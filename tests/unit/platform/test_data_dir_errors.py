"""The data directory's failures become one sentence (issue 10), at the places they are raised.

``check_data_dir`` probes the directory before anything else; ``naming_storage_errors``
maps what fails later (an ``OSError`` about a path in the directory, an SQLite error of a
database there). A full disk is hard to come by in a test, so "full" is raised where it
would be: by ``os.write`` of the probe, and by SQLite itself (a database capped with
``max_page_count`` reports SQLITE_FULL exactly as a full disk does).
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from ses_core.errors import SesError
from ses_core.platform.db import create_database_engine, sqlite_url
from ses_core.platform.runtime import _data_dir
from ses_core.platform.runtime._data_dir import (
    DataDirUnusable,
    check_data_dir,
    naming_database_errors,
    naming_storage_errors,
    storage_errno,
)
from ses_core.platform.settings import load_settings


def test_a_missing_data_directory_is_created_and_no_probe_is_left_behind(tmp_path: Path) -> None:
    data_dir = tmp_path / "new" / "data"

    check_data_dir(data_dir)

    assert data_dir.is_dir()
    assert list(data_dir.iterdir()) == []


def test_a_data_directory_under_a_file_is_named_with_what_is_wrong(tmp_path: Path) -> None:
    (tmp_path / "plain-file").write_text("x")
    data_dir = tmp_path / "plain-file" / "data"

    with pytest.raises(DataDirUnusable) as raised:
        check_data_dir(data_dir)

    assert isinstance(raised.value, SesError)
    assert raised.value.reason == "data_dir_unusable"
    assert raised.value.message == (
        f"The data directory {data_dir} is not a directory (part of its path is a file); "
        "point SES_DATA_DIR at a writable directory."
    )


def test_a_disk_that_is_full_when_the_probe_is_written_is_named_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_space(descriptor: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(_data_dir.os, "write", no_space)

    with pytest.raises(DataDirUnusable) as raised:
        check_data_dir(tmp_path)

    assert raised.value.message == (
        f"The data directory {tmp_path} is full (no space left on device); free some space "
        "there or point SES_DATA_DIR at another disk."
    )
    assert [path.name for path in tmp_path.iterdir()] == []  # the probe did not stay


def test_a_database_that_fills_up_is_named_full(tmp_path: Path) -> None:
    engine = create_database_engine(sqlite_url(tmp_path, "capped"))

    def fill_it() -> None:
        with engine.begin() as connection:
            connection.execute(text("PRAGMA max_page_count = 2"))
            connection.execute(text("CREATE TABLE filler (blob BLOB)"))
            connection.execute(text("INSERT INTO filler VALUES (zeroblob(100000))"))

    try:
        with (
            pytest.raises(DataDirUnusable, match="is full"),
            naming_storage_errors(tmp_path, sqlite_files_here=True),
        ):
            fill_it()
    finally:
        engine.dispose()


def test_an_sqlite_error_elsewhere_is_left_alone(tmp_path: Path) -> None:
    full = OSError(errno.ENOSPC, "no space")
    sqlite_full = _sqlite_error(13)
    assert storage_errno(sqlite_full, tmp_path) is None
    assert storage_errno(sqlite_full, tmp_path, sqlite_files_here=True) == errno.ENOSPC
    assert storage_errno(_sqlite_error(1), tmp_path, sqlite_files_here=True) is None
    assert storage_errno(full, tmp_path) == errno.ENOSPC  # a write names no file


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        ("inside", errno.EACCES),
        ("outside", None),
        ("anonymous", None),  # e.g. a socket: not the directory's fault
    ],
)
def test_only_errors_about_paths_in_the_directory_are_named(
    tmp_path: Path, error: str, expected: int | None
) -> None:
    errors = {
        "inside": PermissionError(errno.EACCES, "denied", str(tmp_path / "identity" / "k")),
        "outside": PermissionError(errno.EACCES, "denied", "/etc/elsewhere"),
        "anonymous": PermissionError(errno.EACCES, "denied"),
    }
    wrapped = RuntimeError("while starting")
    wrapped.__cause__ = errors[error]

    assert storage_errno(wrapped, tmp_path) == expected


def test_a_database_outside_the_data_directory_is_named_by_its_setting(tmp_path: Path) -> None:
    elsewhere = tmp_path / "databases"
    settings = load_settings(
        data_dir=tmp_path / "data", database={"notify": sqlite_url(elsewhere, "notify")}
    )

    with pytest.raises(DataDirUnusable) as raised, naming_database_errors(settings, "notify"):
        raise _sqlite_error(8)  # SQLITE_READONLY

    assert raised.value.message == (
        f"The directory of SES_DATABASE__NOTIFY {elsewhere.resolve()} is on a read-only file "
        "system; point SES_DATABASE__NOTIFY at a writable directory."
    )
    with naming_database_errors(settings, "enrollment"):  # in the data directory: no error
        pass


def test_postgresql_errors_are_not_taken_for_the_data_directory(tmp_path: Path) -> None:
    settings = load_settings(
        data_dir=tmp_path, database={"notify": "postgresql://ses@db.example/notify"}
    )
    with (
        pytest.raises(RuntimeError, match="database away"),
        naming_database_errors(settings, "notify"),
    ):
        raise RuntimeError("database away")


def _sqlite_error(code: int) -> Exception:
    error = sqlite3.OperationalError("simulated")
    error.sqlite_errorcode = code  # type: ignore[attr-defined]
    return error
