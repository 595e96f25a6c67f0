"""Bounded deletes: trim old rows from a table in short transactions.

``DELETE FROM t WHERE <key> IN (SELECT <key> FROM t WHERE <old> LIMIT n)``, one transaction
per batch, until a batch comes back short. Short transactions leave SQLite's single writer
and PostgreSQL's row locks to the requests between batches. Two processes purging one
table at once is harmless: each row goes to whichever statement reaches it first, and the
other simply deletes fewer (and may stop a batch early, leaving the rest to the next run).
"""

from __future__ import annotations

from sqlalchemy import Delete, Engine, Table, delete, select, tuple_
from sqlalchemy.sql.elements import ColumnElement

DEFAULT_BATCH_SIZE = 1000


def delete_in_batches(
    engine: Engine,
    table: Table,
    condition: ColumnElement[bool],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> int:
    """Delete every row of ``table`` matching ``condition``; returns how many went."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}.")
    statement = _one_batch(table, condition, batch_size)
    total = 0
    while True:
        with engine.begin() as connection:
            deleted = int(connection.execute(statement).rowcount)
        total += deleted
        if deleted < batch_size:
            return total


def _one_batch(table: Table, condition: ColumnElement[bool], batch_size: int) -> Delete:
    key = list(table.primary_key.columns)
    if not key:
        raise ValueError(f"Table {table.name} has no primary key to delete by.")
    chosen = select(*key).where(condition).limit(batch_size)
    if len(key) == 1:
        return delete(table).where(key[0].in_(chosen))
    return delete(table).where(tuple_(*key).in_(chosen))
