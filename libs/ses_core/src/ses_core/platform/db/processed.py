"""Processed events: how a consumer applies a redelivered event's effect only once.

The consumer claims ``(consumer, event_id)`` in the same transaction as the handler's
effect. The claim is an ``INSERT ... ON CONFLICT DO NOTHING``: on PostgreSQL a concurrent
duplicate blocks on the key until the first transaction ends, then finds it taken; on
SQLite transactions are serialized already. Either way exactly one transaction wins.

A claim must outlive every redelivery of its event (see ``RetentionSettings.processed_events``
for the reasoning); :func:`purge_processed_events` deletes the older ones, and the host runs
it periodically.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, Insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ses_core.platform.db.platform_tables import processed_events_table
from ses_core.platform.db.purging import DEFAULT_BATCH_SIZE, delete_in_batches


def claim_event(session: Session, consumer: str, event_id: str, at: datetime) -> bool:
    """Record that ``consumer`` handles ``event_id`` now; False if it already had."""
    values = {"consumer": consumer, "event_id": event_id, "processed_at": at}
    dialect = session.get_bind().dialect.name
    insert: Insert
    if dialect == "postgresql":
        insert = postgresql.insert(processed_events_table).values(values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        insert = sqlite.insert(processed_events_table).values(values).on_conflict_do_nothing()
    else:
        raise ValueError(f"Processed-event claims are not implemented for {dialect!r} databases.")
    statement = insert.returning(processed_events_table.c.event_id)
    # RETURNING, not rowcount: drivers disagree on rowcount for ON CONFLICT DO NOTHING.
    return session.execute(statement).first() is not None


def was_processed(session: Session, consumer: str, event_id: str) -> bool:
    table = processed_events_table
    statement = select(table.c.event_id).where(
        table.c.consumer == consumer, table.c.event_id == event_id
    )
    return session.execute(statement).first() is not None


def purge_processed_events(
    engine: Engine, processed_before: datetime, *, batch_size: int = DEFAULT_BATCH_SIZE
) -> int:
    """Forget claims made before ``processed_before``; returns how many went.

    ``processed_at`` has no index: this runs once an hour over a table bounded by the
    retention, where one scan per batch costs less than an index write on every claim.
    """
    table = processed_events_table
    return delete_in_batches(
        engine, table, table.c.processed_at < processed_before, batch_size=batch_size
    )
