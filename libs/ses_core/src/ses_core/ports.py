"""Ports: the interfaces the domain and the handlers speak to; adapters implement them.

Pure by contract (import-linter checks it): no database, broker, transport or telemetry
import here. Handlers depend on these Protocols, the composition root passes adapters
(``ses_core.platform.db.SqlUnitOfWork``, ``ses_core.platform.messaging.JetStreamPublisher``,
a blob store from the files service) and tests pass fakes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Protocol, Self, TypeVar, runtime_checkable

from ses_core.events import DomainEvent
from ses_core.identity import Actor, Identity

AggregateT = TypeVar("AggregateT")


@runtime_checkable
class EventSource(Protocol):
    """What the unit of work needs from an aggregate: the events it raised, not yet published.

    The unit of work drains the list (``events.clear()``) once it has written them to the
    outbox, so an aggregate committed twice never emits the same event twice.
    """

    @property
    def events(self) -> list[DomainEvent]: ...


class Repository(Protocol[AggregateT]):
    """A collection-like store of one aggregate type, scoped to one tenant."""

    def add(self, aggregate: AggregateT) -> None:
        """Stage a new aggregate; it is written when the unit of work commits."""
        ...

    def get(self, aggregate_id: str) -> AggregateT:
        """Load an aggregate to change it; raises ``NotFound`` when the tenant has none."""
        ...


class UnitOfWork(Protocol):
    """One atomic change: state and the events it raised are committed together or not at all.

    Usage: ``with uow: ...; uow.commit()``. Leaving the block without ``commit()`` rolls
    back, so a handler that raises changes nothing.
    """

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


@dataclass(frozen=True)
class OutboundMessage:
    """An encoded event on its way to the broker (one outbox row)."""

    message_id: str
    subject: str
    payload: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


class EventPublisher(Protocol):
    """Hands encoded events to the broker."""

    async def publish(self, message: OutboundMessage) -> None:
        """Return only once the broker has durably accepted the message; raise otherwise.

        Publishing the same ``message_id`` twice must be harmless (the broker dedupes),
        because the outbox relay republishes whatever it could not mark as sent.
        """
        ...


@dataclass(frozen=True)
class StoredBlob:
    """What a blob store knows about a blob it has written."""

    blob_id: str
    size: int
    sha256: str


class BlobStore(Protocol):
    """Content storage for uploaded files, addressed by ids the store generates.

    Bytes always travel as streams of chunks so that no file is ever held in memory whole.
    """

    def put(self, chunks: Iterable[bytes]) -> StoredBlob:
        """Write the chunks as a new blob and return its generated id, size and checksum."""
        ...

    def get(self, blob_id: str) -> Iterator[bytes]:
        """Stream a blob's bytes; raises ``NotFound`` for an unknown id."""
        ...

    def delete(self, blob_id: str) -> None:
        """Remove a blob; deleting an unknown id is not an error (deletes are retried)."""
        ...


class AuthorityDirectory(Protocol):
    """Says what a caller may do now: the identity a token proved, as the directory's actor.

    Implementations read the directory's current state (DESIGN §6), never the token;
    ``ses_core.platform.authority.SqlAuthorityDirectory`` is the one every service runs.
    """

    async def actor_for(self, identity: Identity) -> Actor:
        """The actor ``identity`` acts as; raises a ``SesError`` when it may not act (an
        unknown or deactivated user, a token for another organisation)."""
        ...


class Clock(Protocol):
    """The time source; injected so that deadlines and business hours are testable."""

    def now(self) -> datetime:
        """The current instant as an aware UTC datetime."""
        ...


class SystemClock:
    """The wall clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to: for tests and replays."""

    def __init__(self, at: datetime) -> None:
        self._at = _require_aware(at)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = _require_aware(at)

    def advance(self, delta: timedelta) -> datetime:
        self._at = self._at + delta
        return self._at


def _require_aware(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(
            f"FixedClock needs a timezone-aware datetime, got naive {at.isoformat()}; "
            "pass e.g. datetime(..., tzinfo=UTC)."
        )
    return at.astimezone(UTC)


__all__ = [
    "AuthorityDirectory",
    "BlobStore",
    "Clock",
    "EventPublisher",
    "EventSource",
    "FixedClock",
    "OutboundMessage",
    "Repository",
    "StoredBlob",
    "SystemClock",
    "UnitOfWork",
]
