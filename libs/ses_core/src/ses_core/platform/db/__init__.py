"""Persistence adapters: engines, schema helpers, repositories, unit of work, outbox, migrations.

Public surface (import from here):

* engines: :func:`create_database_engine`, :func:`sqlite_url`, :func:`session_factory`,
  :func:`read_only_session_factory` and :data:`READ_ONLY` (reads that never wait for
  writers and cannot write)
* schema: :func:`new_metadata`, :data:`NAMING_CONVENTION`, :class:`UtcDateTime`,
  :data:`JsonDocument`, :data:`platform_metadata`, :data:`outbox_table`,
  :data:`idempotency_keys_table`, :data:`processed_events_table`
* domain persistence: :class:`TenantScopedRepository`, :class:`SqlUnitOfWork`
* outbox and idempotency: :class:`OutboxStore`, :class:`OutboxRecord`,
  :class:`PendingRecord`, :func:`claim_event`, :func:`was_processed`
* retention: :func:`purge_processed_events`, :func:`delete_in_batches`
* migrations: :func:`upgrade_to_head`, :func:`ensure_at_head`, :func:`run_migrations`,
  :func:`create_platform_tables_v1`, :func:`drop_platform_tables_v1`,
  :class:`SchemaNotAtHead`
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ses_core.platform.db.engine import (
        READ_ONLY,
        create_database_engine,
        read_only_session_factory,
        session_factory,
        sqlite_url,
    )
    from ses_core.platform.db.migrations import (
        SchemaNotAtHead,
        create_platform_tables_v1,
        drop_platform_tables_v1,
        ensure_at_head,
        run_migrations,
        upgrade_to_head,
    )
    from ses_core.platform.db.outbox import OutboxRecord, OutboxStore, PendingRecord
    from ses_core.platform.db.platform_tables import (
        idempotency_keys_table,
        outbox_table,
        platform_metadata,
        processed_events_table,
    )
    from ses_core.platform.db.processed import claim_event, purge_processed_events, was_processed
    from ses_core.platform.db.purging import delete_in_batches
    from ses_core.platform.db.repository import AggregateTracker, TenantScopedRepository
    from ses_core.platform.db.schema import (
        NAMING_CONVENTION,
        JsonDocument,
        UtcDateTime,
        new_metadata,
    )
    from ses_core.platform.db.unit_of_work import SqlUnitOfWork

_LAZY = {
    "READ_ONLY": "engine",
    "create_database_engine": "engine",
    "read_only_session_factory": "engine",
    "session_factory": "engine",
    "sqlite_url": "_urls",
    "SchemaNotAtHead": "migrations",
    "create_platform_tables_v1": "migrations",
    "drop_platform_tables_v1": "migrations",
    "ensure_at_head": "migrations",
    "run_migrations": "migrations",
    "upgrade_to_head": "migrations",
    "OutboxRecord": "outbox",
    "OutboxStore": "outbox",
    "PendingRecord": "outbox",
    "idempotency_keys_table": "platform_tables",
    "outbox_table": "platform_tables",
    "platform_metadata": "platform_tables",
    "processed_events_table": "platform_tables",
    "claim_event": "processed",
    "purge_processed_events": "processed",
    "was_processed": "processed",
    "delete_in_batches": "purging",
    "AggregateTracker": "repository",
    "TenantScopedRepository": "repository",
    "NAMING_CONVENTION": "schema",
    "JsonDocument": "schema",
    "UtcDateTime": "schema",
    "new_metadata": "schema",
    "SqlUnitOfWork": "unit_of_work",
}


def __getattr__(name: str) -> Any:
    """Each name is imported on first use: settings need ``sqlite_url`` alone, not
    SQLAlchemy's ORM and alembic (``ses --help`` and the workers' supervisor)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"{__name__}.{module}"), name)


__all__ = [
    "NAMING_CONVENTION",
    "READ_ONLY",
    "AggregateTracker",
    "JsonDocument",
    "OutboxRecord",
    "OutboxStore",
    "PendingRecord",
    "SchemaNotAtHead",
    "SqlUnitOfWork",
    "TenantScopedRepository",
    "UtcDateTime",
    "claim_event",
    "create_database_engine",
    "create_platform_tables_v1",
    "delete_in_batches",
    "drop_platform_tables_v1",
    "ensure_at_head",
    "idempotency_keys_table",
    "new_metadata",
    "outbox_table",
    "platform_metadata",
    "processed_events_table",
    "purge_processed_events",
    "read_only_session_factory",
    "run_migrations",
    "session_factory",
    "sqlite_url",
    "upgrade_to_head",
    "was_processed",
]
