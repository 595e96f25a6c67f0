"""Tenant-scoped data-mapper repositories.

A service maps its aggregate to rows explicitly (indexed columns for what it filters on,
a :data:`~ses_core.platform.db.schema.JsonDocument` column for the rest) by writing two
functions, ``_to_row`` and ``_from_row``; the base class does the rest::

    class ComplaintRepository(TenantScopedRepository[Complaint]):
        table = complaints_table           # must have ``tenant_id`` and ``id`` columns
        aggregate_name = "complaint"

        def _to_row(self, c: Complaint) -> dict[str, Any]:
            return {"id": c.id, "state": c.state, "document": c.model_dump(mode="json")}

        def _from_row(self, row: RowMapping) -> Complaint:
            return Complaint.model_validate(row["document"])

        def list_open(self) -> list[Complaint]:
            return self._load_all(self._select().where(self.table.c.state != "CLOSED"))

Tenant scoping cannot be forgotten: the tenant is a constructor argument, and the only
statement builders the base offers (:meth:`_select`, :meth:`_load_one`, updates and
deletes it issues itself) already carry ``WHERE tenant_id = :tenant``.

Changes are written back by the unit of work on commit: every aggregate the repository
returned or was given is tracked with a snapshot of its row, and only those whose row
changed are updated. :meth:`get` locks the row (``SELECT ... FOR UPDATE`` on PostgreSQL;
SQLite transactions are serialized already) because aggregates are loaded to be changed:
two concurrent commands on one complaint run one after the other instead of the second
silently overwriting the first.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar, Generic, TypeVar, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Select,
    Table,
    Update,
    bindparam,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from ses_core.errors import NotFound, quote

AggregateT = TypeVar("AggregateT")


@dataclass
class TrackedAggregate:
    """An aggregate a unit of work met, the repository that maps it and its last written row."""

    aggregate: object
    repository: TenantScopedRepository[Any]
    row: dict[str, Any]
    removed: bool = False


class AggregateTracker:
    """Aggregates one unit of work loaded or added, in the order it met them.

    Doubles as an identity map: loading the same row twice returns the same object, so two
    copies of one aggregate can never be changed independently.
    """

    def __init__(self) -> None:
        self._by_key: dict[tuple[str, Any], TrackedAggregate] = {}

    def __iter__(self) -> Iterator[TrackedAggregate]:
        return iter(list(self._by_key.values()))

    def find(self, table: str, key: Any) -> TrackedAggregate | None:
        return self._by_key.get((table, key))

    def track(self, table: str, key: Any, entry: TrackedAggregate) -> None:
        self._by_key[(table, key)] = entry

    def forget_removed(self) -> None:
        self._by_key = {key: entry for key, entry in self._by_key.items() if not entry.removed}

    def clear(self) -> None:
        self._by_key.clear()


class TenantScopedRepository(ABC, Generic[AggregateT]):
    """Base of every repository: one tenant, explicit row mapping, tracked aggregates."""

    table: ClassVar[Table]
    id_column: ClassVar[str] = "id"
    aggregate_name: ClassVar[str] = ""

    def __init__(
        self, session: Session, tenant_id: str, tracker: AggregateTracker | None = None
    ) -> None:
        if not tenant_id:
            raise ValueError(
                f"{type(self).__name__} needs the tenant it works for; got an empty tenant id."
            )
        if "tenant_id" not in self.table.c or self.id_column not in self.table.c:
            raise TypeError(
                f"{type(self).__name__}.table {self.table.name!r} needs a 'tenant_id' and an "
                f"{self.id_column!r} column to be used by a tenant-scoped repository."
            )
        self._session = session
        self.tenant_id = tenant_id
        self._tracker = tracker if tracker is not None else AggregateTracker()

    # -- mapping, written by each service ------------------------------------------------

    @abstractmethod
    def _to_row(self, aggregate: AggregateT) -> dict[str, Any]:
        """Column values for ``aggregate``, including the id column but not ``tenant_id``."""

    @abstractmethod
    def _from_row(self, row: RowMapping) -> AggregateT:
        """Rebuild an aggregate from a full row of :attr:`table`."""

    # -- the collection interface ----------------------------------------------------------

    def add(self, aggregate: AggregateT) -> None:
        """Insert a new aggregate now (so constraint violations surface at once) and track it."""
        row = self._checked_row(aggregate)
        self._session.execute(insert(self.table).values({**row, "tenant_id": self.tenant_id}))
        key = row[self.id_column]
        self._tracker.track(self.table.name, key, TrackedAggregate(aggregate, self, row))

    def get(self, aggregate_id: Any) -> AggregateT:
        """Load one aggregate to change it, locking its row; ``NotFound`` when absent."""
        statement = self._select().where(self._id_is(aggregate_id)).with_for_update()
        found = self._load_one(statement)
        if found is None:
            name = self.aggregate_name or self.table.name
            raise NotFound(
                f"No {name} with id {quote(aggregate_id)} exists for this tenant.",
                reason=f"{name}_not_found".replace(" ", "_"),
            )
        return found

    def remove(self, aggregate: AggregateT) -> None:
        """Delete a tracked aggregate on commit (its pending events are still published)."""
        entry = self._entry_of(aggregate)
        entry.removed = True

    # -- helpers for subclasses' queries ---------------------------------------------------

    def _select(self) -> Select[Any]:
        """``SELECT * FROM table WHERE tenant_id = :tenant``: start every query here."""
        return select(self.table).where(self._tenant_is())

    def _load_one(self, statement: Select[Any]) -> AggregateT | None:
        row = self._session.execute(statement).mappings().first()
        return None if row is None else self._adopt(row)

    def _load_all(self, statement: Select[Any]) -> list[AggregateT]:
        return [self._adopt(row) for row in self._session.execute(statement).mappings()]

    # -- used by the unit of work ----------------------------------------------------------

    def _flush(self, entry: TrackedAggregate) -> None:
        """Write back the columns of ``entry``'s row that changed since load (or delete it)."""
        key = entry.row[self.id_column]
        if entry.removed:
            self._session.execute(delete(self.table).where(self._tenant_is(), self._id_is(key)))
            return
        row = self._checked_row(entry.aggregate)  # type: ignore[arg-type]
        if row == entry.row:
            return
        if row[self.id_column] != key:
            raise ValueError(
                f"The id of {self.aggregate_name or self.table.name} {key!r} changed to "
                f"{row[self.id_column]!r}; ids are permanent."
            )
        # Only the columns that changed: an UPDATE naming an indexed column rewrites that
        # index's entry even when the value is the same (SQLite).
        changed = {name: value for name, value in row.items() if entry.row.get(name) != value}
        result = self._session.execute(
            _update_by_key(self.table, self.id_column),
            {**changed, _WHERE_TENANT: self.tenant_id, _WHERE_KEY: key},
        )
        if cast(CursorResult[Any], result).rowcount != 1:
            raise NotFound(
                f"{self.aggregate_name or self.table.name} {key!r} was removed while this "
                "change was being made; reload it and try again.",
            )
        entry.row = row

    # -- internals -------------------------------------------------------------------------

    def _adopt(self, row: RowMapping) -> AggregateT:
        key = row[self.id_column]
        known = self._tracker.find(self.table.name, key)
        if known is not None:
            return known.aggregate  # type: ignore[return-value]
        aggregate = self._from_row(row)
        entry = TrackedAggregate(aggregate, self, self._checked_row(aggregate))
        self._tracker.track(self.table.name, key, entry)
        return aggregate

    def _entry_of(self, aggregate: AggregateT) -> TrackedAggregate:
        key = self._checked_row(aggregate)[self.id_column]
        entry = self._tracker.find(self.table.name, key)
        if entry is None or entry.aggregate is not aggregate:
            raise ValueError(
                f"{self.aggregate_name or self.table.name} {key!r} was not loaded or added "
                "through this unit of work; get() it first."
            )
        return entry

    def _checked_row(self, aggregate: AggregateT) -> dict[str, Any]:
        row = self._to_row(aggregate)
        if "tenant_id" in row and row["tenant_id"] != self.tenant_id:
            raise ValueError(
                f"{type(self).__name__} for tenant {self.tenant_id!r} was handed a row of "
                f"tenant {row['tenant_id']!r}; aggregates never cross tenants."
            )
        row.pop("tenant_id", None)
        if self.id_column not in row:
            raise ValueError(
                f"{type(self).__name__}._to_row must return the {self.id_column!r} column."
            )
        return row

    def _tenant_is(self) -> ColumnElement[bool]:
        return self.table.c.tenant_id == self.tenant_id

    def _id_is(self, key: Any) -> ColumnElement[bool]:
        return cast(ColumnElement[bool], self.table.c[self.id_column] == key)


_WHERE_TENANT = "where_tenant_id_"
_WHERE_KEY = "where_key_"


@cache
def _update_by_key(table: Table, id_column: str) -> Update:
    """``UPDATE table SET <the columns passed> WHERE tenant_id = ? AND <id> = ?``, built once
    per table: built per call, SQLAlchemy's construction and cache-key walk of the values
    cost more than the statement. The SET clause is the parameters' columns."""
    return update(table).where(
        table.c.tenant_id == bindparam(_WHERE_TENANT), table.c[id_column] == bindparam(_WHERE_KEY)
    )
