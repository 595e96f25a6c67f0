"""Alembic helpers: upgrade an empty database to head, idempotently (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from ses_core.platform.db import (
    SchemaNotAtHead,
    ensure_at_head,
    platform_metadata,
    upgrade_to_head,
)
from ses_core.platform.db.migrations import main

pytestmark = pytest.mark.integration


def current_revisions(engine) -> set[str]:
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def test_upgrade_creates_the_service_and_platform_tables_on_an_empty_database(
    engine, migrations_dir
):
    upgrade_to_head(engine, migrations_dir)

    tables = set(inspect(engine).get_table_names())
    assert {"outbox", "processed_events", "tallies", "received_events"} <= tables
    assert current_revisions(engine) == {"0001"}


def test_upgrading_again_changes_nothing(engine, migrations_dir, tally_service):
    tally_service.create_tally(bumps=2)

    upgrade_to_head(engine, migrations_dir)
    upgrade_to_head(engine, migrations_dir)

    assert current_revisions(engine) == {"0001"}
    assert tally_service.count(tally_service.tallies_table) == 1
    assert len(tally_service.outbox()) == 2


def test_the_migrated_schema_matches_the_table_definitions(engine, tally_service):
    # Guards the frozen create_platform_tables_v1 against drifting from platform_tables.
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, [tally_service.metadata, platform_metadata])

    assert differences == []


def test_ensure_at_head_refuses_a_database_that_was_not_migrated(engine, migrations_dir):
    with pytest.raises(SchemaNotAtHead, match="run `ses migrate`"):
        ensure_at_head(engine, migrations_dir)

    upgrade_to_head(engine, migrations_dir)
    ensure_at_head(engine, migrations_dir)


def test_the_command_line_upgrades_and_then_checks(database_url, engine, migrations_dir, capsys):
    assert main(["check", "--url", database_url, "--script-location", str(migrations_dir)]) == 1
    assert "needs 0001" in capsys.readouterr().err

    assert main(["upgrade", "--url", database_url, "--script-location", str(migrations_dir)]) == 0
    assert main(["check", "--url", database_url, "--script-location", str(migrations_dir)]) == 0
    assert current_revisions(engine) == {"0001"}


def test_offline_mode_renders_the_upgrade_as_sql(migrations_dir, capsys):
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", "postgresql+psycopg://nobody@localhost/none")

    command.upgrade(config, "head", sql=True)

    sql = capsys.readouterr().out
    assert "CREATE TABLE outbox" in sql
    assert "CREATE TABLE processed_events" in sql
    assert "CREATE TABLE tallies" in sql


def test_a_directory_without_env_py_is_named_in_the_error(engine, tmp_path):
    with pytest.raises(FileNotFoundError, match=r"No Alembic env\.py"):
        upgrade_to_head(engine, tmp_path)
