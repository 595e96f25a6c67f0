"""Engines are configured for the platform: SQLite pragmas, and concurrent commands that
serialize instead of failing or losing updates (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ses_core.platform.db import (
    create_database_engine,
    read_only_session_factory,
    session_factory,
    sqlite_url,
)

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


def test_a_read_only_unit_of_work_reads_but_cannot_write(tally_service):
    tally = tally_service.create_tally(bumps=1)
    reads = read_only_session_factory(tally_service.engine)

    with tally_service.UnitOfWork(reads, tenant_id="tenant-a", codec=tally_service.codec) as uow:
        [loaded] = uow.tallies.list_all()  # a plain read (no row lock)
        assert loaded.value == 1
        loaded.bump()
        with pytest.raises(DBAPIError):
            uow.commit()

    [row] = tally_service.rows(tally_service.tallies_table)
    assert row["value"] == 1
    assert len(tally_service.outbox()) == 1  # only the creation's event
    # The pooled connections write again for the next (writing) unit of work.
    with tally_service.uow() as uow:
        uow.tallies.get(tally.id).bump()
        uow.commit()
    [row] = tally_service.rows(tally_service.tallies_table)
    assert row["value"] == 2


def test_a_sqlite_read_only_session_does_not_wait_for_a_writer(tmp_path):
    engine = create_database_engine(sqlite_url(tmp_path, "reads"), busy_timeout=0.2)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE notes (text TEXT)")
            connection.exec_driver_sql("INSERT INTO notes VALUES ('committed')")
        writing = session_factory(engine)()
        writing.begin()  # BEGIN IMMEDIATE: holds the write lock from here on
        writing.execute(text("INSERT INTO notes VALUES ('pending')"))
        try:
            with read_only_session_factory(engine).begin() as session:
                seen = session.execute(text("SELECT text FROM notes")).scalars().all()
            assert seen == ["committed"]
        finally:
            writing.rollback()
            writing.close()
    finally:
        engine.dispose()


def test_sqlite_writers_of_one_process_take_turns_and_give_them_back(tmp_path):
    engine = create_database_engine(sqlite_url(tmp_path, "turns"), busy_timeout=0.3)
    sessions = session_factory(engine)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE notes (text TEXT)")
        first = sessions()
        first.begin()
        first.execute(text("INSERT INTO notes VALUES ('first')"))
        with ThreadPoolExecutor(max_workers=1) as pool:
            # While the first writer's turn lasts, another waits the busy timeout, then
            # fails as SQLite itself would.
            waiting = pool.submit(_write_note, sessions, "too early")
            with pytest.raises(DBAPIError, match="database is locked"):
                waiting.result()
            first.rollback()  # gives the turn back
            first.close()
            pool.submit(_write_note, sessions, "second").result()
        with engine.connect() as connection:
            notes = connection.exec_driver_sql("SELECT text FROM notes").scalars().all()
        assert notes == ["second"]
    finally:
        engine.dispose()


def _write_note(sessions, note: str) -> None:
    with sessions.begin() as session:
        session.execute(text("INSERT INTO notes VALUES (:note)"), {"note": note})
