"""Small SQL helpers shared by the stores: dialect-aware upserts and inserts that may collide."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def _insert(session: Session, table: Table) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise ValueError(f"The notify service supports SQLite and PostgreSQL, not {dialect!r}.")


def insert_if_absent(session: Session, table: Table, values: Mapping[str, Any]) -> bool:
    """Insert a row unless one with the same key exists; True if this call inserted it."""
    statement = _insert(session, table).values(dict(values)).on_conflict_do_nothing()
    primary = next(iter(table.primary_key.columns))
    # RETURNING, not rowcount: drivers disagree on rowcount for ON CONFLICT DO NOTHING.
    return session.execute(statement.returning(primary)).first() is not None


def upsert(session: Session, table: Table, values: Mapping[str, Any], keys: Sequence[str]) -> None:
    """Insert a row, or update the non-key columns given when its key exists."""
    statement = _insert(session, table).values(dict(values))
    changes = {name: statement.excluded[name] for name in values if name not in keys}
    if changes:
        statement = statement.on_conflict_do_update(index_elements=list(keys), set_=changes)
    else:
        statement = statement.on_conflict_do_nothing()
    session.execute(statement)
