"""Drawing a new complaint's reference number (format and choices: ``complaint_reference``).

The sequence comes from ``complaint_reference_counters``, one row per (prefix, year),
bumped by a single ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` in the
transaction that records the complaint. Concurrent creations queue on that row
(PostgreSQL row lock; SQLite's one writer, as every transaction begins
``IMMEDIATE``), each reads the value the previous one committed, and a rolled-back
creation rolls its number back too: numbers have neither repeats nor gaps. The
unique index on ``complaints.reference_number`` would refuse a repeat regardless.

The prefix is the owning agency's code from the directory projection (enrollment's
``AgencyCreated``); an agency learned before codes were kept has none, and its
complaints are numbered under ``FALLBACK_PREFIX`` until its code is known.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ses_complaints import directory
from ses_complaints import tables as t
from ses_core.models.complaint_reference import (
    FALLBACK_PREFIX,
    format_reference_number,
    reference_year,
)


def draw_reference_number(session: Session, tenant_id: str, recorded_at: datetime) -> str:
    """The next reference number of ``tenant_id``'s complaints, taken in ``session``."""
    prefix = directory.agency_code(session, tenant_id) or FALLBACK_PREFIX
    year = reference_year(recorded_at)
    return format_reference_number(prefix, year, _next_sequence(session, prefix, year))


def _next_sequence(session: Session, prefix: str, year: int) -> int:
    counters = t.complaint_reference_counters
    statement = _insert(session).values(prefix=prefix, year=year, last_sequence=1)
    statement = statement.on_conflict_do_update(
        index_elements=[counters.c.prefix, counters.c.year],
        set_={"last_sequence": counters.c.last_sequence + 1},
    )
    drawn = session.execute(statement.returning(counters.c.last_sequence)).scalar_one()
    return int(drawn)


def _insert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(t.complaint_reference_counters)
    if dialect == "sqlite":
        return sqlite.insert(t.complaint_reference_counters)
    raise ValueError(f"The complaints service supports SQLite and PostgreSQL, not {dialect!r}.")
