"""Database URLs: one SQLite file per service, PostgreSQL through psycopg 3, nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from ses_core.platform.db import create_database_engine, sqlite_url
from ses_core.platform.db.engine import normalize_url


def test_each_service_gets_its_own_file_under_the_data_directory(tmp_path):
    url = sqlite_url(tmp_path / "data", "complaints")
    assert url == f"sqlite+pysqlite:///{(tmp_path / 'data' / 'complaints.db').resolve()}"


@pytest.mark.parametrize("name", ["", "../etc", ".hidden", "a/b"])
def test_a_service_name_that_is_not_a_file_name_is_refused(name):
    with pytest.raises(ValueError, match="cannot name a database file"):
        sqlite_url(Path("/tmp"), name)


@pytest.mark.parametrize(
    "url", ["postgresql://u@h/db", "postgres://u@h/db", "postgresql+psycopg://u@h/db"]
)
def test_postgresql_urls_use_psycopg_3(url):
    assert normalize_url(url).drivername == "postgresql+psycopg"


def test_an_unsupported_database_is_refused_without_leaking_the_password():
    with pytest.raises(ValueError, match="Unsupported database URL") as raised:
        create_database_engine("mysql://user:s3cret@host/db")
    assert "s3cret" not in str(raised.value)
