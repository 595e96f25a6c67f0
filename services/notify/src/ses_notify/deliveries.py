"""The delivery log: one row per (event, channel, recipient, address), written before sending.

A notification is first persisted as a delivery in the same transaction as the
event's claim (so an event's deliveries exist exactly once), then sent by the
channel's worker, which records every attempt here. The unique ``delivery_key``
makes a second enqueue of the same tuple a no-op, whoever attempts it.

``next_attempt_at`` doubles as a lease: a worker that claims a delivery pushes it
into the future, so another worker (another replica) skips it; should the worker
die, the delivery is due again once the lease ends.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from ses_core.notifications import Channel, Organization, Topic
from ses_notify import tables as t
from ses_notify.paging import Page, PageKey
from ses_notify.sql import insert_if_absent

_DELIVERY_NAMESPACE = uuid.UUID("6f1d8a5e-1c0b-4f4e-9a57-5e5a0d1f6a11")
MAX_ERROR_CHARS = 2000


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    RETRYING = "retrying"
    DELIVERED = "delivered"
    DEAD_LETTERED = "dead_lettered"
    SUPPRESSED = "suppressed"


SENDABLE = (DeliveryStatus.PENDING.value, DeliveryStatus.RETRYING.value)


@dataclass(frozen=True)
class NewDelivery:
    event_id: str
    event_subject: str
    tenant_id: str
    topic: Topic
    channel: Channel
    recipient_user_id: str
    organization: Organization | None
    address: str
    content: dict[str, Any] = field(default_factory=dict)
    status: DeliveryStatus = DeliveryStatus.PENDING

    @property
    def key(self) -> str:
        parts = (self.event_id, self.channel.value, self.recipient_user_id, self.address.lower())
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

    @property
    def delivery_id(self) -> str:
        """Derived from the key: the same delivery always has the same id (Message-ID, file)."""
        return str(uuid.uuid5(_DELIVERY_NAMESPACE, self.key))


@dataclass(frozen=True)
class Delivery:
    delivery_id: str
    event_id: str
    event_subject: str
    tenant_id: str
    topic: str
    channel: str
    recipient_user_id: str
    organization_kind: str
    organization_id: str
    address: str
    status: str
    attempts: int
    last_error: str
    content: dict[str, Any]
    created_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None


@dataclass(frozen=True)
class DeliveryFilter:
    event_id: str = ""
    recipient_user_id: str = ""
    channel: str = ""
    statuses: tuple[str, ...] = ()
    organization: Organization | None = None


class DeliveryStore:
    def __init__(self, session: Session) -> None:
        self._session = session

    # -- writing -----------------------------------------------------------------------------

    def enqueue(self, new: NewDelivery, now: datetime) -> bool:
        """Record a delivery unless the same one exists; True if this call recorded it."""
        sendable = new.status.value in SENDABLE
        return insert_if_absent(
            self._session,
            t.deliveries,
            {
                "delivery_id": new.delivery_id,
                "delivery_key": new.key,
                "event_id": new.event_id,
                "event_subject": new.event_subject,
                "tenant_id": new.tenant_id,
                "topic": new.topic.value,
                "channel": new.channel.value,
                "recipient_user_id": new.recipient_user_id,
                "organization_kind": new.organization.kind.value if new.organization else "",
                "organization_id": new.organization.id if new.organization else "",
                "address": new.address,
                "status": new.status.value,
                "attempts": 0,
                "last_error": "",
                "content": new.content,
                "created_at": now,
                "next_attempt_at": now if sendable else None,
            },
        )

    def claim_due(
        self, channel: Channel, now: datetime, limit: int, lease: timedelta
    ) -> list[Delivery]:
        """Due deliveries of ``channel``, leased to the caller until ``now + lease``."""
        table = t.deliveries
        statement = (
            select(table)
            .where(
                table.c.channel == channel.value,
                table.c.status.in_(SENDABLE),
                table.c.next_attempt_at <= now,
            )
            .order_by(table.c.next_attempt_at, table.c.created_at, table.c.delivery_id)
            .limit(limit)
        )
        if self._session.get_bind().dialect.name == "postgresql":
            statement = statement.with_for_update(skip_locked=True)
        claimed = [_delivery(row) for row in self._session.execute(statement).mappings()]
        if claimed:
            self._session.execute(
                update(table)
                .where(table.c.delivery_id.in_([d.delivery_id for d in claimed]))
                .values(next_attempt_at=now + lease)
            )
        return claimed

    def mark_delivered(self, delivery_id: str, now: datetime) -> None:
        self._set(
            delivery_id,
            status=DeliveryStatus.DELIVERED.value,
            attempts=t.deliveries.c.attempts + 1,
            last_attempt_at=now,
            delivered_at=now,
            next_attempt_at=None,
        )

    def mark_failed(
        self, delivery_id: str, now: datetime, error: str, retry_at: datetime | None
    ) -> None:
        """One failed attempt; ``retry_at`` None dead-letters the delivery."""
        status = DeliveryStatus.RETRYING if retry_at is not None else DeliveryStatus.DEAD_LETTERED
        self._set(
            delivery_id,
            status=status.value,
            attempts=t.deliveries.c.attempts + 1,
            last_attempt_at=now,
            last_error=error[:MAX_ERROR_CHARS],
            next_attempt_at=retry_at,
        )

    def scrub(self, delivery_id: str) -> None:
        """Forget a delivered message's text: it carried a bearer secret (an activation link)."""
        row = self.get(delivery_id)
        if row is None:
            return
        kept = {"subject": row.content.get("subject", ""), "scrubbed": True}
        self._set(delivery_id, content=kept)

    def release(self, delivery_ids: Sequence[str], now: datetime, error: str) -> None:
        """Hand claimed deliveries back unsent (the channel is down); no attempt is counted."""
        if not delivery_ids:
            return
        table = t.deliveries
        self._session.execute(
            update(table)
            .where(table.c.delivery_id.in_(list(delivery_ids)), table.c.status.in_(SENDABLE))
            .values(
                status=DeliveryStatus.RETRYING.value,
                last_error=error[:MAX_ERROR_CHARS],
                next_attempt_at=now,
            )
        )

    # -- reading -----------------------------------------------------------------------------

    def get(self, delivery_id: str) -> Delivery | None:
        row = (
            self._session.execute(
                select(t.deliveries).where(t.deliveries.c.delivery_id == delivery_id)
            )
            .mappings()
            .first()
        )
        return None if row is None else _delivery(row)

    def next_due_at(self, channel: Channel) -> datetime | None:
        table = t.deliveries
        statement = select(func.min(table.c.next_attempt_at)).where(
            table.c.channel == channel.value, table.c.status.in_(SENDABLE)
        )
        value: datetime | None = self._session.execute(statement).scalar()
        return value

    def page(self, where: DeliveryFilter, page_size: int, after: PageKey | None) -> Page[Delivery]:
        table = t.deliveries
        statement = select(table)
        if where.event_id:
            statement = statement.where(table.c.event_id == where.event_id)
        if where.recipient_user_id:
            statement = statement.where(table.c.recipient_user_id == where.recipient_user_id)
        if where.channel:
            statement = statement.where(table.c.channel == where.channel)
        if where.statuses:
            statement = statement.where(table.c.status.in_(list(where.statuses)))
        if where.organization is not None:
            statement = statement.where(
                table.c.organization_kind == where.organization.kind.value,
                table.c.organization_id == where.organization.id,
            )
        if after is not None:
            at, key = after
            statement = statement.where(
                (table.c.created_at < at)
                | ((table.c.created_at == at) & (table.c.delivery_id < key))
            )
        statement = statement.order_by(table.c.created_at.desc(), table.c.delivery_id.desc()).limit(
            page_size + 1
        )
        rows = [_delivery(row) for row in self._session.execute(statement).mappings()]
        return Page.of(rows, page_size, lambda d: (d.created_at, d.delivery_id))

    def _set(self, delivery_id: str, **values: Any) -> None:
        table = t.deliveries
        self._session.execute(
            update(table).where(table.c.delivery_id == delivery_id).values(**values)
        )


def _delivery(row: RowMapping) -> Delivery:
    return Delivery(**{name: row[name] for name in Delivery.__dataclass_fields__})
