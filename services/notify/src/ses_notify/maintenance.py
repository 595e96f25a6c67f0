"""Stored maintenance windows (the notify service's copy; other hosts read the events)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from ses_core.calendar import MaintenanceWindow
from ses_notify import tables as t
from ses_notify.paging import Page, PageKey


@dataclass(frozen=True)
class StoredWindow:
    maintenance_window_id: str
    starts_at: datetime
    ends_at: datetime
    description: str
    emergency: bool
    scheduled_by_user_id: str
    created_at: datetime

    def as_window(self) -> MaintenanceWindow:
        return MaintenanceWindow(
            start=self.starts_at,
            end=self.ends_at,
            emergency=self.emergency,
            reason=self.description or ("emergency maintenance" if self.emergency else ""),
        )


class MaintenanceStore:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, window: StoredWindow) -> None:
        self._session.execute(t.maintenance_windows.insert().values(window.__dict__))

    def page(
        self, *, ending_after: datetime | None, page_size: int, after: PageKey | None
    ) -> Page[StoredWindow]:
        table = t.maintenance_windows
        statement = select(table)
        if ending_after is not None:
            statement = statement.where(table.c.ends_at > ending_after)
        if after is not None:
            at, key = after
            statement = statement.where(
                (table.c.starts_at > at)
                | ((table.c.starts_at == at) & (table.c.maintenance_window_id > key))
            )
        statement = statement.order_by(table.c.starts_at, table.c.maintenance_window_id).limit(
            page_size + 1
        )
        rows = [_window(row) for row in self._session.execute(statement).mappings()]
        return Page.of(rows, page_size, lambda w: (w.starts_at, w.maintenance_window_id))

    def covering(self, at: datetime) -> list[StoredWindow]:
        table = t.maintenance_windows
        statement = select(table).where(table.c.starts_at <= at, table.c.ends_at > at)
        return [_window(row) for row in self._session.execute(statement).mappings()]


def _window(row: RowMapping) -> StoredWindow:
    return StoredWindow(**{name: row[name] for name in StoredWindow.__dataclass_fields__})
