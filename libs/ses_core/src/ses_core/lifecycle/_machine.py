"""A declared transition table, checked when it is built.

A machine is data: rows of ``(source, action) -> target`` with an optional guard.
``next_state`` is pure; it looks a row up, runs its guard and returns the target,
so callers can dry-run a whole batch before changing anything.

Choices where the spec is silent:

- Guards receive one context object per machine (a frozen dataclass defined next
  to the table). A guarded row asked for without a context is a programming
  error and raises ``TypeError``, not a domain error.
- ``can``, ``check`` and ``allowed_actions`` read the table only; they do not run
  guards, because guards need the data of one particular request.
- A table is rejected at construction (``ValueError``) when a ``(source, action)``
  pair appears twice, a final state has an outgoing row, a non-final state has
  none, or a state cannot be reached from an initial state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from ses_core.errors import InvalidTransition

StateT = TypeVar("StateT", bound=StrEnum)
ActionT = TypeVar("ActionT", bound=StrEnum)
ContextT = TypeVar("ContextT")


@dataclass(frozen=True)
class Transition(Generic[StateT, ActionT, ContextT]):
    """One row: ``action`` moves ``source`` to ``target`` if ``guard`` does not raise.

    A guard raises a ``SesError`` subclass whose message says what to fix.
    """

    source: StateT
    action: ActionT
    target: StateT
    guard: Callable[[ContextT], None] | None = None


class StateMachine(Generic[StateT, ActionT, ContextT]):
    """A named, validated transition table."""

    def __init__(
        self,
        name: str,
        transitions: Iterable[Transition[StateT, ActionT, ContextT]],
        final_states: Iterable[StateT],
        *,
        initial_states: Iterable[StateT],
    ) -> None:
        self.name = name
        self.transitions: tuple[Transition[StateT, ActionT, ContextT], ...] = tuple(transitions)
        self.final_states: frozenset[StateT] = frozenset(final_states)
        self.initial_states: frozenset[StateT] = frozenset(initial_states)
        if not self.transitions:
            raise ValueError(f"The {name} machine needs at least one transition.")
        self.states: tuple[StateT, ...] = tuple(type(self.transitions[0].source))
        self._rows: dict[tuple[StateT, ActionT], Transition[StateT, ActionT, ContextT]] = {}
        for row in self.transitions:
            key = (row.source, row.action)
            if key in self._rows:
                raise ValueError(
                    f"The {name} machine declares {row.action} from {row.source} twice."
                )
            self._rows[key] = row
        self._check_shape()

    def _check_shape(self) -> None:
        sources = {row.source for row in self.transitions}
        for state in self.states:
            if state in self.final_states and state in sources:
                raise ValueError(f"The {self.name} machine lets final state {state} move on.")
            if state not in self.final_states and state not in sources:
                raise ValueError(
                    f"The {self.name} machine leaves non-final state {state} with no way out."
                )
        reached = set(self.initial_states)
        frontier = list(reached)
        while frontier:
            state = frontier.pop()
            for row in self.transitions:
                if row.source == state and row.target not in reached:
                    reached.add(row.target)
                    frontier.append(row.target)
        unreachable = [str(state) for state in self.states if state not in reached]
        if unreachable:
            raise ValueError(
                f"The {self.name} machine cannot reach {', '.join(unreachable)} "
                "from its initial states."
            )

    def allowed_actions(self, state: StateT) -> tuple[ActionT, ...]:
        """Actions the table allows from ``state``, in declaration order."""
        return tuple(row.action for row in self.transitions if row.source == state)

    def can(self, state: StateT, action: ActionT) -> bool:
        """Whether the table has a row for ``action`` from ``state`` (guards not run)."""
        return (state, action) in self._rows

    def check(self, state: StateT, action: ActionT) -> None:
        """Raise ``InvalidTransition`` unless the table has a row for ``action`` from
        ``state`` (guards not run): ``can`` with the refusal ``next_state`` gives."""
        self._row(state, action)

    def is_final(self, state: StateT) -> bool:
        return state in self.final_states

    def next_state(self, state: StateT, action: ActionT, context: ContextT | None = None) -> StateT:
        """The state ``action`` leads to from ``state``; raises if not allowed.

        Raises ``InvalidTransition`` when the table has no such row, or whatever
        ``SesError`` the row's guard raises. Changes nothing.
        """
        row = self._row(state, action)
        if row.guard is not None:
            if context is None:
                raise TypeError(
                    f"{self.name}: {action} from {state} is guarded and needs a context."
                )
            row.guard(context)
        return row.target

    def _row(self, state: StateT, action: ActionT) -> Transition[StateT, ActionT, ContextT]:
        row = self._rows.get((state, action))
        if row is None:
            allowed = [str(a) for a in self.allowed_actions(state)]
            raise InvalidTransition(
                self.name,
                str(state),
                str(action),
                allowed,
                message=_refusal(self.name, str(state), str(action), allowed),
            )
        return row


def _words(token: str) -> str:
    return token.lower().replace("_", " ")


def _refusal(machine: str, state: str, action: str, allowed: list[str]) -> str:
    article = "an" if machine[:1].lower() in "aeiou" else "a"
    refused = f"Cannot {_words(action)} {article} {machine} that is {_words(state)}"
    if not allowed:
        return f"{refused}; {_words(state)} is final and allows nothing."
    options = ", ".join(_words(a) for a in allowed)
    return f"{refused}; from {_words(state)} you can: {options}."
