"""Schema building blocks every service's tables use.

* :func:`new_metadata`: a ``MetaData`` with one constraint naming convention, so Alembic
  migrations name (and can later drop) constraints identically on SQLite and PostgreSQL.
* :class:`UtcDateTime`: timestamps go in and come out as aware UTC datetimes on both
  databases (SQLite has no time zones; a naive value is refused rather than guessed).
* :data:`JsonDocument`: the JSON column for the non-indexed rest of an aggregate
  (``JSONB`` on PostgreSQL).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, MetaData
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator, TypeEngine

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    """A fresh ``MetaData`` using the platform naming convention (one per service)."""
    return MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always returned timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"Refusing to store naive datetime {value.isoformat()}: "
                "use an aware datetime (the platform clock returns UTC)."
            )
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            # Stored as ISO text without offset: all values UTC, so text order is time order.
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


JsonDocument: TypeEngine[Any] = JSON().with_variant(JSONB(), "postgresql")
