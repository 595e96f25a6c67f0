"""What every aggregate shares: a list of raised events and a guarded status.

The status is a frozen pydantic field: reading it, dumping it and loading it
from storage work as usual, but assigning it raises. The only way it changes
after construction is ``_transition``, which asks the aggregate's state machine.
Constructing an aggregate with a given status is how a repository rehydrates
it; new aggregates come from the classmethods that also raise a creation event.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, PrivateAttr

from ses_core.events import DomainEvent
from ses_core.lifecycle._machine import StateMachine
from ses_core.lifecycle._time import require_aware

StateT = TypeVar("StateT", bound=StrEnum)
ActionT = TypeVar("ActionT", bound=StrEnum)
ContextT = TypeVar("ContextT")


class Aggregate(BaseModel):
    """Base of aggregates and of the entities they own.

    ``events`` lists what happened since the unit of work last pulled them; an
    entity owned by an aggregate records into its owner's list, so one pull
    returns every event in the order it was raised.
    """

    model_config = ConfigDict(validate_assignment=True, extra="forbid")

    _events: list[DomainEvent] = PrivateAttr(default_factory=list)

    @property
    def events(self) -> list[DomainEvent]:
        return self._events

    def pull_events(self) -> list[DomainEvent]:
        """Return the raised events and forget them."""
        pulled = list(self._events)
        self._events.clear()
        return pulled

    def _record(self, event: DomainEvent) -> None:
        require_aware(event.occurred_at)
        self._events.append(event)

    def _record_into(self, sink: list[DomainEvent]) -> None:
        """Record into ``sink`` (the owner's list) from now on, keeping what was raised."""
        if sink is not self._events:
            sink.extend(self._events)
            self._events = sink

    @contextmanager
    def _transition(
        self,
        machine: StateMachine[StateT, ActionT, ContextT],
        action: ActionT,
        context: ContextT | None = None,
    ) -> Iterator[StateT]:
        """Check ``action`` against ``machine``, run the block, then store the new status.

        The check comes first, so a refused action changes nothing; the status is
        stored only if the block completes, so a data rule the block enforces
        leaves the status as it was too. The block must check before it changes.
        """
        target = machine.next_state(self.__dict__["status"], action, context)
        yield target
        # The field is frozen to everyone else; this is the one writer.
        self.__dict__["status"] = target


def stamp(now: datetime, by: str) -> dict[str, Any]:
    """Common event fields for something ``by`` did at ``now``."""
    return {"occurred_at": require_aware(now), "actor_id": by}
