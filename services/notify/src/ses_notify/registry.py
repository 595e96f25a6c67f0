"""Which function handles which event: each ``on_*`` module registers with :func:`handles`.

A handler updates notify's projection and returns the :class:`Notice` the event
calls for, several of them (a list), or None. It runs inside the consumer's unit of work.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ses_core.events import DomainEvent
from ses_notify.notices import Notice
from ses_notify.unit_of_work import NotifyUnitOfWork

E = TypeVar("E", bound=DomainEvent)
Notices = Notice | Sequence[Notice] | None
Handler = Callable[[Any, NotifyUnitOfWork], Notices]
HANDLERS: dict[type[DomainEvent], Handler] = {}


def handles(
    event_type: type[E],
) -> Callable[[Callable[[E, NotifyUnitOfWork], Notices]], Callable[..., Notices]]:
    def register(
        function: Callable[[E, NotifyUnitOfWork], Notices],
    ) -> Callable[..., Notices]:
        if event_type in HANDLERS:
            raise RuntimeError(f"{event_type.__name__} has two handlers; keep one.")
        HANDLERS[event_type] = function
        return function

    return register


def handlers_by_subject() -> dict[str, tuple[type[DomainEvent], Handler]]:
    """Every handled event by its NATS subject (importing the ``on_*`` modules registers them)."""
    from ses_notify import on_complaints, on_enrollment, on_notify  # noqa: F401

    return {event_type.subject(): (event_type, h) for event_type, h in HANDLERS.items()}


def notices_of(result: Notices) -> tuple[Notice, ...]:
    """A handler's result as a tuple of notices."""
    if result is None:
        return ()
    if isinstance(result, Notice):
        return (result,)
    return tuple(result)
