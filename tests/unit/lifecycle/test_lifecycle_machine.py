"""The generic transition table: lookups, guards, refusals and table validation."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pytest

from ses_core.errors import InvalidTransition, PreconditionFailed
from ses_core.lifecycle import StateMachine, Transition


class Door(StrEnum):
    CLOSED = "CLOSED"
    OPEN = "OPEN"
    LOCKED = "LOCKED"
    GONE = "GONE"


class Act(StrEnum):
    OPEN = "OPEN"
    CLOSE = "CLOSE"
    LOCK = "LOCK"
    UNLOCK = "UNLOCK"
    DEMOLISH = "DEMOLISH"


@dataclass(frozen=True)
class Key:
    fits: bool


def _key_guard(key: Key) -> None:
    if not key.fits:
        raise PreconditionFailed("The key does not fit this lock; use the right key.")


def _door_rows() -> list[Transition[Door, Act, Key]]:
    return [
        Transition(Door.CLOSED, Act.OPEN, Door.OPEN),
        Transition(Door.OPEN, Act.CLOSE, Door.CLOSED),
        Transition(Door.CLOSED, Act.LOCK, Door.LOCKED, _key_guard),
        Transition(Door.LOCKED, Act.UNLOCK, Door.CLOSED, _key_guard),
        Transition(Door.CLOSED, Act.DEMOLISH, Door.GONE),
    ]


@pytest.fixture
def door() -> StateMachine[Door, Act, Key]:
    return StateMachine("door", _door_rows(), [Door.GONE], initial_states=[Door.CLOSED])


def test_allowed_actions_follow_declaration_order(door: StateMachine[Door, Act, Key]) -> None:
    assert door.allowed_actions(Door.CLOSED) == (Act.OPEN, Act.LOCK, Act.DEMOLISH)
    assert door.allowed_actions(Door.GONE) == ()


def test_can_reads_the_table_without_running_guards(door: StateMachine[Door, Act, Key]) -> None:
    assert door.can(Door.CLOSED, Act.LOCK)
    assert not door.can(Door.OPEN, Act.LOCK)


def test_next_state_returns_the_target_and_changes_nothing(
    door: StateMachine[Door, Act, Key],
) -> None:
    assert door.next_state(Door.CLOSED, Act.OPEN) is Door.OPEN
    assert door.next_state(Door.CLOSED, Act.OPEN) is Door.OPEN


def test_a_guard_that_passes_lets_the_transition_through(
    door: StateMachine[Door, Act, Key],
) -> None:
    assert door.next_state(Door.CLOSED, Act.LOCK, Key(fits=True)) is Door.LOCKED


def test_a_guard_that_fails_raises_its_own_error(door: StateMachine[Door, Act, Key]) -> None:
    with pytest.raises(PreconditionFailed, match="key does not fit"):
        door.next_state(Door.LOCKED, Act.UNLOCK, Key(fits=False))


def test_a_guarded_row_without_context_is_a_programming_error(
    door: StateMachine[Door, Act, Key],
) -> None:
    with pytest.raises(TypeError, match="needs a context"):
        door.next_state(Door.CLOSED, Act.LOCK)


def test_refusal_names_state_action_and_what_is_allowed(
    door: StateMachine[Door, Act, Key],
) -> None:
    with pytest.raises(InvalidTransition) as caught:
        door.next_state(Door.OPEN, Act.LOCK, Key(fits=True))
    error = caught.value
    assert (error.machine, error.state, error.action) == ("door", "OPEN", "LOCK")
    assert error.allowed == ("CLOSE",)
    assert error.message == "Cannot lock a door that is open; from open you can: close."
    assert error.reason == "invalid_transition"


def test_refusal_from_a_final_state_says_it_is_final(door: StateMachine[Door, Act, Key]) -> None:
    with pytest.raises(InvalidTransition, match="gone is final and allows nothing") as caught:
        door.next_state(Door.GONE, Act.OPEN)
    assert caught.value.allowed == ()


def test_refusal_uses_an_for_machines_starting_with_a_vowel() -> None:
    machine: StateMachine[Door, Act, Key] = StateMachine(
        "old door", _door_rows(), [Door.GONE], initial_states=[Door.CLOSED]
    )
    with pytest.raises(InvalidTransition, match="Cannot open an old door that is open"):
        machine.next_state(Door.OPEN, Act.OPEN)


def test_table_exposes_states_and_final_states(door: StateMachine[Door, Act, Key]) -> None:
    assert set(door.states) == set(Door)
    assert door.is_final(Door.GONE)
    assert not door.is_final(Door.OPEN)


def test_an_empty_table_is_rejected() -> None:
    with pytest.raises(ValueError, match="at least one transition"):
        StateMachine[Door, Act, Key]("door", [], [], initial_states=[Door.CLOSED])


def test_a_duplicate_source_action_pair_is_rejected() -> None:
    rows = [*_door_rows(), Transition(Door.CLOSED, Act.OPEN, Door.GONE)]
    with pytest.raises(ValueError, match="declares OPEN from CLOSED twice"):
        StateMachine("door", rows, [Door.GONE], initial_states=[Door.CLOSED])


def test_a_final_state_with_an_outgoing_row_is_rejected() -> None:
    rows = [*_door_rows(), Transition(Door.GONE, Act.OPEN, Door.OPEN)]
    with pytest.raises(ValueError, match="final state GONE move on"):
        StateMachine("door", rows, [Door.GONE], initial_states=[Door.CLOSED])


def test_a_non_final_state_without_a_way_out_is_rejected() -> None:
    rows = [row for row in _door_rows() if row.source is not Door.LOCKED]
    with pytest.raises(ValueError, match="non-final state LOCKED with no way out"):
        StateMachine("door", rows, [Door.GONE], initial_states=[Door.CLOSED])


def test_an_unreachable_state_is_rejected() -> None:
    rows = [row for row in _door_rows() if row.action is not Act.LOCK]
    with pytest.raises(ValueError, match="cannot reach LOCKED"):
        StateMachine("door", rows, [Door.GONE], initial_states=[Door.CLOSED])
