"""Alembic, the platform way: one script directory per service, one call to upgrade.

* :func:`upgrade_to_head` brings a database to the newest revision. The embedded default
  calls it at start; production runs it as a separate step (``ses migrate`` calls it, or
  ``python -m ses_core.platform.db.migrations upgrade --url ... --script-location ...``)
  and the services only :func:`ensure_at_head` when they start.
* A service's ``migrations/env.py`` is two lines::

      from ses_core.platform.db.migrations import run_migrations
      from complaints.adapters.tables import metadata
      run_migrations(metadata)

* Its first revision creates the platform tables with :func:`create_platform_tables_v1`
  (and drops them in ``downgrade`` with :func:`drop_platform_tables_v1`). The helper is a
  frozen copy of the tables as they were in version 1; should they change, a new
  ``..._v2`` helper ships and services add a revision that calls it.

Concurrent upgrades (several replicas starting at once) are serialized: on PostgreSQL by a
transaction-scoped advisory lock, on SQLite by the immediate transaction every connection
begins with. The whole upgrade is one transaction on both.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, text

from ses_core.platform.db.engine import create_database_engine
from ses_core.platform.db.platform_tables import platform_metadata

# Arbitrary but fixed: the advisory lock id every SES migration takes on PostgreSQL.
_MIGRATION_LOCK_KEY = 0x5E5_0001


class SchemaNotAtHead(RuntimeError):
    """The database schema is older (or newer) than the code expects."""


def upgrade_to_head(engine: Engine, script_location: str | Path) -> None:
    """Apply every revision in ``script_location`` the database does not have yet."""
    config = _alembic_config(script_location)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
            )
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def ensure_at_head(engine: Engine, script_location: str | Path) -> None:
    """Raise :class:`SchemaNotAtHead` unless the database is at the newest revision."""
    script = ScriptDirectory.from_config(_alembic_config(script_location))
    expected = set(script.get_heads())
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    if current != expected:
        have = ", ".join(sorted(current)) or "no revision"
        want = ", ".join(sorted(expected))
        raise SchemaNotAtHead(
            f"The database is at {have} but this release needs {want}; run `ses migrate` "
            "(or upgrade_to_head) against it before starting the service."
        )


def run_migrations(target_metadata: MetaData | Sequence[MetaData]) -> None:
    """The body of a service's Alembic ``env.py``; compares against its tables + the platform's.

    Uses the connection :func:`upgrade_to_head` hands over, else ``sqlalchemy.url`` from the
    Alembic config (plain ``alembic`` CLI use); offline mode renders SQL.
    """
    from alembic import context

    config = context.config
    service_metadata = (
        [target_metadata] if isinstance(target_metadata, MetaData) else list(target_metadata)
    )
    metadata = [*service_metadata, platform_metadata]

    if context.is_offline_mode():
        url = _configured_url(config)
        context.configure(
            url=url,
            target_metadata=metadata,
            literal_binds=True,
            render_as_batch=url.startswith("sqlite"),
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        return

    def run(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    shared = config.attributes.get("connection")
    if shared is not None:
        run(shared)
        return
    engine = create_database_engine(_configured_url(config))
    try:
        with engine.begin() as connection:
            run(connection)
    finally:
        engine.dispose()


def create_platform_tables_v1() -> None:
    """Create ``outbox``, ``processed_events`` and ``idempotency_keys`` (a first revision)."""
    from alembic import op

    op.create_table(
        "outbox",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("tenant_id", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_outbox"),
        sa.UniqueConstraint("event_id", name="uq_outbox_event_id"),
    )
    op.create_index("ix_outbox_published_at_seq", "outbox", ["published_at", "seq"])
    op.create_table(
        "processed_events",
        sa.Column("consumer", sa.String(100), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id", name="pk_processed_events"),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("tenant_id", sa.String(100), nullable=False),
        sa.Column("user_id", sa.String(100), nullable=False),
        sa.Column("method", sa.String(255), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("response", sa.LargeBinary(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint(
            "tenant_id", "user_id", "method", "idempotency_key", name="pk_idempotency_keys"
        ),
    )
    op.create_index("ix_idempotency_keys_claimed_at", "idempotency_keys", ["claimed_at"])


def drop_platform_tables_v1() -> None:
    from alembic import op

    op.drop_index("ix_idempotency_keys_claimed_at", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
    op.drop_table("processed_events")
    op.drop_index("ix_outbox_published_at_seq", table_name="outbox")
    op.drop_table("outbox")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ses_core.platform.db.migrations",
        description="Upgrade a service database to the newest schema, or check that it is.",
    )
    parser.add_argument("action", choices=["upgrade", "check"])
    parser.add_argument("--url", required=True, help="database URL (sqlite:///… or postgresql://…)")
    parser.add_argument("--script-location", required=True, help="the service's migrations dir")
    args = parser.parse_args(argv)
    engine = create_database_engine(args.url)
    try:
        if args.action == "upgrade":
            upgrade_to_head(engine, args.script_location)
        else:
            ensure_at_head(engine, args.script_location)
    except SchemaNotAtHead as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"{args.action}: database is at the newest revision.")
    return 0


def _alembic_config(script_location: str | Path) -> Config:
    location = Path(script_location)
    if not (location / "env.py").is_file():
        raise FileNotFoundError(
            f"No Alembic env.py in {location}; pass the service's migrations directory."
        )
    config = Config()
    # Alembic's config is a ConfigParser: a literal % must be doubled.
    config.set_main_option("script_location", str(location).replace("%", "%%"))
    return config


def _configured_url(config: Config) -> str:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError(
            "No database to migrate: call upgrade_to_head(engine, script_location), or set "
            "sqlalchemy.url in the Alembic configuration."
        )
    return url


if __name__ == "__main__":
    raise SystemExit(main())
