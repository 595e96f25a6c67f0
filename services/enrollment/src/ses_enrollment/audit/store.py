"""Reading and appending the audit log's rows (``audit.tables``), in a caller's session.

``append`` is the only writer of entries: it locks the chain's head row (``SELECT ... FOR
UPDATE`` on PostgreSQL; SQLite serialises writers anyway), seals the record after the
head (``ses_core.audit.seal``) and moves the head, all in the caller's transaction, which
also holds the consumer's processed-event claim. An event already on file (same event id)
is not appended again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, Select, exists, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session, sessionmaker

from ses_core.audit import (
    GENESIS_HASH,
    AuditEntry,
    AuditRecord,
    ChainHead,
    Checkpoint,
    Outcome,
    seal,
)
from ses_enrollment.audit.tables import audit_chain_heads, audit_checkpoints, audit_entries

_RECORD_COLUMNS = (
    "event_id",
    "occurred_at",
    "source",
    "action",
    "reason",
    "user_id",
    "side",
    "organization_id",
    "resource_kind",
    "resource_id",
    "complaint_id",
    "request_id",
    "client_address",
    "forwarded_for",
)


def append(
    session: Session, chain: str, record: AuditRecord, recorded_at: datetime
) -> AuditEntry | None:
    """Append ``record`` to ``chain``; None when its event is already on file."""
    on_file = select(exists().where(audit_entries.c.event_id == record.event_id))
    if session.execute(on_file).scalar_one():
        return None
    head = _locked_head(session, chain, recorded_at)
    entry = seal(head, record, recorded_at)
    session.execute(insert(audit_entries).values(**entry_row(entry)))
    session.execute(
        update(audit_chain_heads)
        .where(audit_chain_heads.c.chain == chain)
        .values(sequence=entry.sequence, hash=entry.hash, updated_at=recorded_at)
    )
    return entry


def _locked_head(session: Session, chain: str, at: datetime) -> ChainHead:
    values = {"chain": chain, "sequence": 0, "hash": GENESIS_HASH, "updated_at": at}
    statement: Insert
    if session.get_bind().dialect.name == "postgresql":
        statement = postgresql.insert(audit_chain_heads).values(values).on_conflict_do_nothing()
    else:
        statement = sqlite.insert(audit_chain_heads).values(values).on_conflict_do_nothing()
    session.execute(statement)
    row = session.execute(
        select(audit_chain_heads.c.sequence, audit_chain_heads.c.hash)
        .where(audit_chain_heads.c.chain == chain)
        .with_for_update()
    ).one()
    return ChainHead(chain, int(row.sequence), str(row.hash))


def entry_row(entry: AuditEntry) -> dict[str, Any]:
    record = entry.record
    return {
        "chain": entry.chain,
        "sequence": entry.sequence,
        "recorded_at": entry.recorded_at,
        **{name: getattr(record, name) for name in _RECORD_COLUMNS},
        "outcome": record.outcome.value,
        "roles": ",".join(record.roles),
        "previous_hash": entry.previous_hash,
        "hash": entry.hash,
    }


def entry_of(row: RowMapping) -> AuditEntry:
    record = AuditRecord(
        **{name: row[name] for name in _RECORD_COLUMNS},
        outcome=Outcome(row["outcome"]),
        roles=tuple(role for role in str(row["roles"]).split(",") if role),
    )
    return AuditEntry(
        chain=row["chain"],
        sequence=int(row["sequence"]),
        recorded_at=row["recorded_at"],
        record=record,
        previous_hash=row["previous_hash"],
        hash=row["hash"],
    )


def chains(session: Session) -> list[str]:
    """Every chain with entries, a head or a checkpoint."""
    names = select(audit_entries.c.chain).union(
        select(audit_chain_heads.c.chain), select(audit_checkpoints.c.chain)
    )
    return sorted(str(name) for name in session.execute(names).scalars())


def chain_entries(session: Session, chain: str) -> list[AuditEntry]:
    statement = select(audit_entries).where(audit_entries.c.chain == chain)
    rows = session.execute(statement.order_by(audit_entries.c.sequence)).mappings()
    return [entry_of(row) for row in rows]


def head_of(session: Session, chain: str) -> ChainHead | None:
    statement = select(audit_chain_heads).where(audit_chain_heads.c.chain == chain)
    row = session.execute(statement).mappings().one_or_none()
    return None if row is None else ChainHead(chain, int(row["sequence"]), str(row["hash"]))


def heads(session: Session) -> list[ChainHead]:
    rows = session.execute(select(audit_chain_heads).order_by(audit_chain_heads.c.chain))
    return [ChainHead(row.chain, int(row.sequence), row.hash) for row in rows]


@dataclass(frozen=True)
class StoredCheckpoint:
    """A checkpoint row: what it says, and the signature that should say the same."""

    checkpoint: Checkpoint
    key_id: str
    signature: str


def checkpoints_of(session: Session, chain: str) -> list[StoredCheckpoint]:
    statement = select(audit_checkpoints).where(audit_checkpoints.c.chain == chain)
    return [
        StoredCheckpoint(
            Checkpoint(row["chain"], int(row["sequence"]), row["head_hash"], row["signed_at"]),
            row["key_id"],
            row["signature"],
        )
        for row in session.execute(statement.order_by(audit_checkpoints.c.sequence)).mappings()
    ]


def last_checkpointed(session: Session) -> dict[str, int]:
    """Each chain's highest checkpointed sequence number."""
    statement = select(audit_checkpoints.c.chain, func.max(audit_checkpoints.c.sequence))
    rows = session.execute(statement.group_by(audit_checkpoints.c.chain))
    return {str(chain): int(sequence) for chain, sequence in rows}


def add_checkpoint(session: Session, stored: StoredCheckpoint) -> bool:
    """Keep a signed checkpoint; False when that chain head was signed already."""
    checkpoint = stored.checkpoint
    taken = select(
        exists().where(
            audit_checkpoints.c.chain == checkpoint.chain,
            audit_checkpoints.c.sequence == checkpoint.sequence,
        )
    )
    if session.execute(taken).scalar_one():
        return False
    session.execute(
        insert(audit_checkpoints).values(
            chain=checkpoint.chain,
            sequence=checkpoint.sequence,
            head_hash=checkpoint.head_hash,
            signed_at=checkpoint.signed_at,
            key_id=stored.key_id,
            signature=stored.signature,
        )
    )
    return True


def entries_after(statement: Select[Any], after_id: int | None, limit: int) -> Select[Any]:
    """A page of ``statement`` (a select of ``audit_entries``) in append order."""
    if after_id is not None:
        statement = statement.where(audit_entries.c.id > after_id)
    return statement.order_by(audit_entries.c.id).limit(limit)


def iterate(
    sessions: sessionmaker[Session], statement: Select[Any], *, batch: int = 500
) -> Iterator[AuditEntry]:
    """Every entry ``statement`` selects, in append order, read a batch at a time, each
    batch in a transaction of its own (nothing is held open between batches)."""
    after: int | None = None
    while True:
        with sessions.begin() as session:
            rows = session.execute(entries_after(statement, after, batch)).mappings().all()
        for row in rows:
            yield entry_of(row)
        if len(rows) < batch:
            return
        after = int(rows[-1]["id"])
