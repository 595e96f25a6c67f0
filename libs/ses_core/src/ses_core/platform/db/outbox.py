"""The outbox table's two sides: writing in the unit of work, reading for the relay.

Rows are marked published (``published_at``), not deleted, once the broker acknowledged
them: the table doubles as a log of what left the service. :meth:`OutboxStore.purge_published`
trims it; the host runs it periodically (``SES_RETENTION__OUTBOX_PUBLISHED``), and it never
touches a row that is not yet published.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, and_, func, insert, select, update
from sqlalchemy.orm import Session

from ses_core.platform.db.engine import READ_ONLY
from ses_core.platform.db.platform_tables import outbox_table
from ses_core.platform.db.purging import DEFAULT_BATCH_SIZE, delete_in_batches
from ses_core.platform.db.turns import DatabaseTurn
from ses_core.ports import Clock, SystemClock


@dataclass(frozen=True)
class OutboxRecord:
    """One encoded event, as stored in the outbox."""

    event_id: str
    subject: str
    payload: bytes
    tenant_id: str
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class PendingRecord(OutboxRecord):
    """An outbox row not yet acknowledged by the broker; ``seq`` is its place in line."""

    seq: int
    attempts: int


def append_to_outbox(session: Session, records: Iterable[OutboxRecord], at: datetime) -> None:
    """Insert ``records`` in order inside the session's current transaction."""
    rows = [
        {
            "event_id": record.event_id,
            "subject": record.subject,
            "payload": record.payload,
            "headers": dict(record.headers),
            "tenant_id": record.tenant_id,
            "created_at": at,
        }
        for record in records
    ]
    # One statement per row keeps seq in list order on every backend (executemany may batch).
    for row in rows:
        session.execute(insert(outbox_table).values(row))


class OutboxStore:
    """The relay's view of the outbox: short transactions, never held across a publish.

    ``relay_turn`` is the turn a relay pass takes, so that of the relays of every process
    sharing this database (workers, replicas) one publishes at a time: each row once, in
    order (:mod:`~ses_core.platform.db.turns`).
    """

    def __init__(self, engine: Engine, clock: Clock | None = None) -> None:
        self._engine = engine
        self._clock = clock or SystemClock()
        self.relay_turn = DatabaseTurn(engine, "outbox-relay")

    def pending(self, limit: int) -> list[PendingRecord]:
        """The oldest ``limit`` unpublished rows, in the order they were written."""
        statement = (
            select(outbox_table)
            .where(outbox_table.c.published_at.is_(None))
            .order_by(outbox_table.c.seq)
            .limit(limit)
        )
        with self._engine.connect().execution_options(**READ_ONLY) as connection:
            rows = connection.execute(statement).mappings().all()
        return [
            PendingRecord(
                seq=row["seq"],
                event_id=row["event_id"],
                subject=row["subject"],
                payload=bytes(row["payload"]),
                tenant_id=row["tenant_id"],
                headers=dict(row["headers"] or {}),
                attempts=row["attempts"],
            )
            for row in rows
        ]

    def count_pending(self) -> int:
        statement = select(func.count()).where(outbox_table.c.published_at.is_(None))
        with self._engine.connect().execution_options(**READ_ONLY) as connection:
            return int(connection.execute(statement).scalar_one())

    def mark_published(self, seqs: Sequence[int]) -> None:
        if not seqs:
            return
        statement = (
            update(outbox_table)
            .where(outbox_table.c.seq.in_(list(seqs)), outbox_table.c.published_at.is_(None))
            .values(published_at=self._clock.now())
        )
        with self._engine.begin() as connection:
            connection.execute(statement)

    def record_failed_attempt(self, seq: int) -> None:
        statement = (
            update(outbox_table)
            .where(outbox_table.c.seq == seq)
            .values(attempts=outbox_table.c.attempts + 1)
        )
        with self._engine.begin() as connection:
            connection.execute(statement)

    def purge_published(
        self, published_before: datetime, *, batch_size: int = DEFAULT_BATCH_SIZE
    ) -> int:
        """Delete rows published before ``published_before``; returns how many went."""
        published_long_ago = and_(
            outbox_table.c.published_at.is_not(None),
            outbox_table.c.published_at < published_before,
        )
        return delete_in_batches(
            self._engine, outbox_table, published_long_ago, batch_size=batch_size
        )
