"""Tables every service database holds beside its own: outbox, processed events, idempotency keys.

They live in their own ``MetaData`` (:data:`platform_metadata`): a service's Alembic
``env.py`` compares against ``[service_metadata, platform_metadata]`` and its first
revision creates them with :func:`ses_core.platform.db.migrations.create_platform_tables_v1`.

``outbox.seq`` deviates from "event id as primary key": an increasing integer key gives the
relay a total order in which to publish (commit order within a transaction, insertion
order across them), which timestamps cannot (ties). ``event_id`` is unique instead.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
)

from ses_core.platform.db.schema import UtcDateTime, new_metadata

platform_metadata = new_metadata()

# SQLite only autoincrements an INTEGER PRIMARY KEY; BIGINT elsewhere (IDENTITY on PostgreSQL).
_SEQ_TYPE = BigInteger().with_variant(Integer(), "sqlite")

outbox_table = Table(
    "outbox",
    platform_metadata,
    Column("seq", _SEQ_TYPE, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("subject", String(255), nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("headers", JSON, nullable=False),
    Column("tenant_id", String(100), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("published_at", UtcDateTime, nullable=True),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Index("ix_outbox_published_at_seq", "published_at", "seq"),
)

processed_events_table = Table(
    "processed_events",
    platform_metadata,
    Column("consumer", String(100), primary_key=True),
    Column("event_id", String(64), primary_key=True),
    Column("processed_at", UtcDateTime, nullable=False),
)

IDEMPOTENCY_TABLE_NAME = "idempotency_keys"


def idempotency_table(metadata: MetaData, name: str = IDEMPOTENCY_TABLE_NAME) -> Table:
    """The idempotency table in ``metadata`` (include it in a service's migrations)."""
    return Table(
        name,
        metadata,
        Column("tenant_id", String(100), primary_key=True),
        Column("user_id", String(100), primary_key=True),
        Column("method", String(255), primary_key=True),
        Column("idempotency_key", String(255), primary_key=True),
        Column("request_hash", String(64), nullable=False),
        Column("response", LargeBinary, nullable=True),
        Column("claimed_at", UtcDateTime, nullable=False),
        Column("completed_at", UtcDateTime, nullable=True),
        Index(f"ix_{name}_claimed_at", "claimed_at"),
    )


idempotency_keys_table = idempotency_table(platform_metadata)
