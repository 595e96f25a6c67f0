"""The in-app inbox: one entry per in-app delivery, listed newest first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from ses_notify import tables as t
from ses_notify.paging import Page, PageKey
from ses_notify.sql import insert_if_absent


@dataclass(frozen=True)
class InboxEntry:
    notification_id: str
    user_id: str
    topic: str
    title: str
    body: str
    complaint_id: str
    information_request_id: str
    event_id: str
    created_at: datetime
    read_at: datetime | None


class Inbox:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, entry: InboxEntry) -> bool:
        return insert_if_absent(self._session, t.notifications, entry.__dict__)

    def page(
        self, user_id: str, *, unread_only: bool, page_size: int, after: PageKey | None
    ) -> Page[InboxEntry]:
        table = t.notifications
        statement = select(table).where(table.c.user_id == user_id)
        if unread_only:
            statement = statement.where(table.c.read_at.is_(None))
        if after is not None:
            at, key = after
            statement = statement.where(
                (table.c.created_at < at)
                | ((table.c.created_at == at) & (table.c.notification_id < key))
            )
        statement = statement.order_by(
            table.c.created_at.desc(), table.c.notification_id.desc()
        ).limit(page_size + 1)
        rows = [_entry(row) for row in self._session.execute(statement).mappings()]
        return Page.of(rows, page_size, lambda entry: (entry.created_at, entry.notification_id))

    def unread_count(self, user_id: str) -> int:
        table = t.notifications
        statement = select(func.count()).where(
            table.c.user_id == user_id, table.c.read_at.is_(None)
        )
        return int(self._session.execute(statement).scalar_one())

    def mark_read(self, user_id: str, ids: Sequence[str] | None, at: datetime) -> int:
        """Mark the user's notifications (all when ``ids`` is None) read; how many changed."""
        table = t.notifications
        statement = update(table).where(table.c.user_id == user_id, table.c.read_at.is_(None))
        if ids is not None:
            statement = statement.where(table.c.notification_id.in_(list(ids)))
        result: Any = self._session.execute(statement.values(read_at=at))
        return int(result.rowcount or 0)


def _entry(row: RowMapping) -> InboxEntry:
    return InboxEntry(**{name: row[name] for name in InboxEntry.__dataclass_fields__})
