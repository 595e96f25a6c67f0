"""Engines are configured for the platform: SQLite pragmas, and concurrent commands that
serialize instead of failing or losing updates (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from ses_core.platform.db import create_database_engine, sqlite_url

pytestmark = pytest.mark.integration


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(tmp_path):
    engine = create_database_engine(sqlite_url(tmp_path / "data", "files"), busy_timeout=12)
    try:
        with engine.connect() as connection:
            pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
            assert pragma("journal_mode") == "wal"
            assert pragma("foreign_keys") == 1
            assert pragma("synchronous") == 1  # NORMAL
            assert pragma("busy_timeout") == 12000
        assert (tmp_path / "data" / "files.db").is_file()
    finally:
        engine.dispose()


def test_concurrent_commands_on_one_aggregate_never_lose_an_update(tally_service):
    tally = tally_service.create_tally(bumps=0)

    def bump_many(times: int) -> None:
        for _ in range(times):
            with tally_service.uow() as uow:
                uow.tallies.get(tally.id).bump()  # read, then write: the racy pattern
                uow.commit()

    with ThreadPoolExecutor(max_workers=4) as pool:
        for future in [pool.submit(bump_many, 25) for _ in range(4)]:
            future.result()

    [row] = tally_service.rows(tally_service.tallies_table)
    assert row["value"] == 100
    values = sorted(json.loads(entry["payload"])["value"] for entry in tally_service.outbox())
    assert values == list(range(1, 101))  # every event saw the state it changed
