"""The SQLAlchemy unit of work: state changes and their events, in one transaction.

On :meth:`SqlUnitOfWork.commit` it writes back every tracked aggregate whose row changed,
drains the events of every aggregate it touched (plus any :meth:`~SqlUnitOfWork.record`-ed
directly), encodes them and appends them to the outbox, then commits. Either all of that
is durable or none of it is; the relay publishes the outbox afterwards.

A service adds its repositories by subclassing::

    class ComplaintsUnitOfWork(SqlUnitOfWork):
        complaints: ComplaintRepository

        def _open_repositories(self) -> None:
            self.complaints = self.repository(ComplaintRepository)

and builds one per command with the tenant of the caller (``tenant_id`` is required: a
unit of work without a tenant would have nothing to scope its repositories by).

When the tenant is only known from the database (a command naming an aggregate by id
alone), begin a session, read the owner, and hand that session over with ``session=``:
the routing read and the change then share one transaction instead of two.

Outbox headers written at commit: ``ses-tenant``, ``content-type``, the W3C trace
context of the span that committed, so the consumer's span joins the command's trace,
and, when a gRPC call committed, the call's origin for the audit trail (who, with which
roles, request id, client address: ``ses_core.audit.ORIGIN_HEADERS``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

from opentelemetry import propagate
from sqlalchemy.orm import Session, sessionmaker

from ses_core.events import DomainEvent
from ses_core.platform.audit import current_origin_headers
from ses_core.platform.db.outbox import OutboxRecord, append_to_outbox
from ses_core.platform.db.repository import AggregateTracker, TenantScopedRepository
from ses_core.ports import Clock, EventSource, SystemClock

if TYPE_CHECKING:
    from ses_core.platform.messaging.codec import EventCodec

_log = logging.getLogger(__name__)

RepositoryT = TypeVar("RepositoryT", bound=TenantScopedRepository[Any])

TENANT_HEADER = "ses-tenant"
CONTENT_TYPE_HEADER = "content-type"


class SqlUnitOfWork:
    """``with uow: ...; uow.commit()``; leaving the block uncommitted rolls everything back."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        tenant_id: str,
        codec: EventCodec,
        clock: Clock | None = None,
        on_commit: Callable[[], None] | None = None,
        session: Session | None = None,
    ) -> None:
        """``session``: a session whose transaction has begun, taken over (and closed) by
        this unit of work instead of a new one from ``sessions``."""
        if not tenant_id:
            raise ValueError("A unit of work needs the tenant it changes; got an empty tenant id.")
        self.tenant_id = tenant_id
        self._sessions = sessions
        self._codec = codec
        self._clock = clock or SystemClock()
        self._on_commit = on_commit
        self._session: Session | None = None
        self._adopted = session
        self._tracker = AggregateTracker()
        self._repositories: dict[type[Any], TenantScopedRepository[Any]] = {}
        self._recorded: list[DomainEvent] = []

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("This unit of work is already open; build one per command.")
        if self._adopted is not None:
            self._session, self._adopted = self._adopted, None
        else:
            self._session = self._sessions()
            self._session.begin()
        self._open_repositories()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.rollback()
        finally:
            if self._session is not None:
                self._session.close()
            self._session = None
            self._repositories.clear()

    def _open_repositories(self) -> None:
        """Hook for subclasses: bind their repositories with :meth:`repository`."""

    # -- what handlers use -----------------------------------------------------------------

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("Use the unit of work inside `with uow:`; it is not open.")
        return self._session

    @property
    def clock(self) -> Clock:
        return self._clock

    def repository(self, repository_type: type[RepositoryT]) -> RepositoryT:
        """The ``repository_type`` bound to this unit of work's session, tenant and tracker."""
        existing = self._repositories.get(repository_type)
        if existing is None:
            existing = repository_type(self.session, self.tenant_id, self._tracker)
            self._repositories[repository_type] = existing
        return existing  # type: ignore[return-value]

    def record(self, event: DomainEvent) -> None:
        """Publish an event that no aggregate raised, with this change."""
        self._recorded.append(event)

    def commit(self) -> None:
        session = self.session
        for entry in self._tracker:
            entry.repository._flush(entry)
        records = [self._outbox_record(event) for event in self._drain_events()]
        append_to_outbox(session, records, at=self._clock.now())
        session.commit()
        self._tracker.forget_removed()  # the rest stay tracked: a handler may commit again
        if self._on_commit is not None and records:
            try:
                self._on_commit()
            except Exception:  # the change is durable; the relay's poll will find it anyway
                _log.exception("The on-commit hook failed after a successful commit.")

    def rollback(self) -> None:
        if self._session is not None:
            self._session.rollback()
        self._tracker.clear()
        self._recorded.clear()

    # -- internals -------------------------------------------------------------------------

    def _drain_events(self) -> list[DomainEvent]:
        events: list[DomainEvent] = []
        for entry in self._tracker:
            if isinstance(entry.aggregate, EventSource):
                events.extend(entry.aggregate.events)
                entry.aggregate.events.clear()
        events.extend(self._recorded)
        self._recorded.clear()
        return events

    def _stamp(self, event: DomainEvent) -> tuple[DomainEvent, str]:
        """The event as it is published, and the tenant it is routed under (``ses-tenant``).

        Here every event belongs to the unit of work's tenant: an event naming another
        tenant is refused. A unit of work spanning scopes overrides this (enrollment).
        """
        if not event.tenant_id:
            event = event.model_copy(update={"tenant_id": self.tenant_id})
        elif event.tenant_id != self.tenant_id:
            raise ValueError(
                f"{type(event).__name__} {event.event_id} belongs to tenant {event.tenant_id!r} "
                f"but this unit of work changes tenant {self.tenant_id!r}; events never cross "
                "tenants."
            )
        return event, self.tenant_id

    def _outbox_record(self, event: DomainEvent) -> OutboxRecord:
        event, routing_tenant = self._stamp(event)
        headers = {TENANT_HEADER: routing_tenant, CONTENT_TYPE_HEADER: self._codec.content_type}
        headers |= current_origin_headers()
        propagate.inject(headers)
        return OutboxRecord(
            event_id=event.event_id,
            subject=event.subject(),
            payload=self._codec.encode(event),
            tenant_id=routing_tenant,
            headers=headers,
        )
