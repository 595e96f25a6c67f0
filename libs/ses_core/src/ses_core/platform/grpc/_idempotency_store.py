"""Where idempotency keys and the responses they produced are kept.

A row per (tenant, user, method, key) holds the SHA-256 of the request and,
once the call succeeded, the serialized response. The primary key is that
scope, so two concurrent calls with one key cannot both claim it: the loser
sees the winner's row and waits for its response instead of running again.

Choices where the spec is silent:

* Only successful responses are stored. A call that failed releases its
  claim, so a retry with the same key runs again: domain errors depend on
  state that may change (a due date passes, a precondition is met).
* Rows are kept ``retention`` (24 h by default, ``SES_RETENTION__IDEMPOTENCY_KEYS``)
  after the claim; an older row is ignored and replaced, and ``purge_expired``
  deletes them in bounded batches (the host runs it periodically).
* A claim whose call never finished (process killed) is taken over after
  ``stale_claim_after`` (5 minutes), well beyond any unary call's deadline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum

from sqlalchemy import (
    Engine,
    Table,
    and_,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from ses_core.platform.db.platform_tables import idempotency_table
from ses_core.platform.db.purging import DEFAULT_BATCH_SIZE, delete_in_batches
from ses_core.platform.db.schema import new_metadata

DEFAULT_RETENTION = timedelta(hours=24)
DEFAULT_STALE_CLAIM_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class IdempotencyScope:
    """A key is only ever compared with keys of the same tenant, user and method."""

    tenant_id: str
    user_id: str
    method: str
    key: str


class ClaimOutcome(Enum):
    CLAIMED = "claimed"  # run the call, then complete() or release()
    REPLAY = "replay"  # return the stored response
    IN_FLIGHT = "in_flight"  # another call with this key is running
    MISMATCH = "mismatch"  # the key was used for a different request


@dataclass(frozen=True)
class Claim:
    outcome: ClaimOutcome
    response: bytes | None = None


def _utcnow() -> datetime:
    return datetime.now(UTC)


class IdempotencyStore:
    """Sync store over an Engine; the interceptor calls it through ``asyncio.to_thread``."""

    def __init__(
        self,
        engine: Engine,
        table: Table | None = None,
        *,
        retention: timedelta = DEFAULT_RETENTION,
        stale_claim_after: timedelta = DEFAULT_STALE_CLAIM_AFTER,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.engine = engine
        self.table = table if table is not None else idempotency_table(new_metadata())
        self.retention = retention
        self.stale_claim_after = stale_claim_after
        self._clock = clock

    def create_table(self) -> None:
        """Create the table if missing (embedded use and tests; services use migrations)."""
        self.table.create(self.engine, checkfirst=True)

    def _where(self, scope: IdempotencyScope) -> ColumnElement[bool]:
        columns = self.table.c
        return and_(
            columns.tenant_id == scope.tenant_id,
            columns.user_id == scope.user_id,
            columns.method == scope.method,
            columns.idempotency_key == scope.key,
        )

    def claim(self, scope: IdempotencyScope, request_hash: str) -> Claim:
        # A concurrent insert of the same scope loses on the primary key; read again.
        for _ in range(5):
            try:
                return self._claim_once(scope, request_hash)
            except IntegrityError:
                continue
        return Claim(ClaimOutcome.IN_FLIGHT)

    def _claim_once(self, scope: IdempotencyScope, request_hash: str) -> Claim:
        now = self._clock()
        columns = self.table.c
        with self.engine.begin() as connection:
            row = connection.execute(
                select(columns.request_hash, columns.response, columns.claimed_at).where(
                    self._where(scope)
                )
            ).first()
            if row is not None and row.claimed_at <= now - self.retention:
                connection.execute(delete(self.table).where(self._where(scope)))
                row = None
            if row is None:
                connection.execute(
                    insert(self.table).values(
                        tenant_id=scope.tenant_id,
                        user_id=scope.user_id,
                        method=scope.method,
                        idempotency_key=scope.key,
                        request_hash=request_hash,
                        claimed_at=now,
                    )
                )
                return Claim(ClaimOutcome.CLAIMED)
            if row.request_hash != request_hash:
                return Claim(ClaimOutcome.MISMATCH)
            if row.response is not None:
                return Claim(ClaimOutcome.REPLAY, bytes(row.response))
            if row.claimed_at <= now - self.stale_claim_after:
                taken = connection.execute(
                    update(self.table)
                    .where(self._where(scope), columns.claimed_at == row.claimed_at)
                    .values(claimed_at=now)
                )
                if taken.rowcount == 1:
                    return Claim(ClaimOutcome.CLAIMED)
            return Claim(ClaimOutcome.IN_FLIGHT)

    def complete(self, scope: IdempotencyScope, response: bytes) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(self.table)
                .where(self._where(scope))
                .values(response=response, completed_at=self._clock())
            )

    def release(self, scope: IdempotencyScope) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                delete(self.table).where(
                    self._where(scope),
                    self.table.c.response.is_(None),
                )
            )

    def purge_expired(self, *, batch_size: int = DEFAULT_BATCH_SIZE) -> int:
        """Delete rows past their retention, in bounded batches; returns how many."""
        cutoff = self._clock() - self.retention
        expired = self.table.c.claimed_at <= cutoff
        return delete_in_batches(self.engine, self.table, expired, batch_size=batch_size)
