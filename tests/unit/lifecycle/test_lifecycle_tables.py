"""Every (state, action) pair of the three machines of DESIGN §5, against tables written here.

The expected tables are spelled out independently of the code, so a row added or
dropped in ``ses_core.lifecycle`` fails here. Guards get a context that satisfies
them (their failures are tested in ``test_lifecycle_guards.py``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from itertools import product
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ses_core.errors import InvalidTransition
from ses_core.lifecycle import (
    COMPLAINT_MACHINE,
    ENROLLMENT_MACHINE,
    INFORMATION_REQUEST_MACHINE,
    CloseReason,
    ComplaintAction,
    ComplaintContext,
    ComplaintStatus,
    EnrollmentAction,
    EnrollmentContext,
    EnrollmentStatus,
    InformationRequestAction,
    InformationRequestContext,
    InformationRequestStatus,
    StateMachine,
)

NOW = datetime(2025, 5, 1, 14, 0, tzinfo=UTC)

C, CA = ComplaintStatus, ComplaintAction
COMPLAINT_TABLE: dict[tuple[StrEnum, StrEnum], StrEnum] = {
    (C.PENDING_REVIEW, CA.PROCEED_TO_PROCESSING): C.OPEN,
    (C.PENDING_REVIEW, CA.CANCEL): C.CANCELED,
    (C.OPEN, CA.REFER): C.REFERRAL_PENDING,
    (C.OPEN, CA.CLOSE): C.CLOSED,
    (C.OPEN, CA.CANCEL): C.CANCELED,
    (C.REFERRAL_PENDING, CA.ACCEPT_REFERRAL): C.OPEN,
    (C.REFERRAL_PENDING, CA.REJECT_REFERRAL): C.OPEN,
    (C.REFERRAL_PENDING, CA.CANCEL): C.CANCELED,
    **{
        (state, action): state
        for state, action in [
            *product(
                [C.PENDING_REVIEW, C.OPEN],
                [
                    CA.UPDATE,
                    CA.ASSIGN_AGENCY_POC,
                    CA.ADD_ALLEGED_VIOLATION,
                    CA.PREPARE_INFORMATION_REQUESTS,
                ],
            ),
            *product(
                [C.OPEN],
                [
                    CA.SEND_INFORMATION_REQUESTS,
                    CA.FOLLOW_UP_INFORMATION_REQUESTS,
                    CA.ASSIGN_COMPANY_POC,
                    CA.ADD_CONTRIBUTOR,
                    CA.POST_INTERACTION,
                ],
            ),
        ]
    },
}

IR, IA = InformationRequestStatus, InformationRequestAction
_AWAITING = [IR.SENT_TO_COMPANY, IR.SENT_BACK]
INFORMATION_REQUEST_TABLE: dict[tuple[StrEnum, StrEnum], StrEnum] = {
    (IR.DRAFT, IA.EDIT): IR.DRAFT,
    (IR.DRAFT, IA.SEND): IR.SENT_TO_COMPANY,
    **{(s, IA.EXTEND_DUE_DATE): s for s in _AWAITING},
    **{(s, IA.SEND_REMINDER): s for s in _AWAITING},
    **{(s, IA.SAVE_DRAFT): s for s in _AWAITING},
    **{(s, IA.SEND_DRAFT_TO_POC): s for s in _AWAITING},
    **{(s, IA.CANCEL): IR.CANCELED for s in _AWAITING},
    **{(s, IA.SUBMIT_RESPONSE): IR.RESPONSE_RECEIVED for s in _AWAITING},
    (IR.RESPONSE_RECEIVED, IA.MARK_QUICK_LOOK): IR.RESPONSE_RECEIVED,
    (IR.RESPONSE_RECEIVED, IA.REQUEST_SEND_BACK): IR.RESPONSE_RECEIVED,
    (IR.RESPONSE_RECEIVED, IA.SEND_BACK): IR.SENT_BACK,
    (IR.RESPONSE_RECEIVED, IA.COMPLETE): IR.COMPLETED,
    (IR.DRAFT, IA.COMPLAINT_CLOSED): IR.CANCELED,
    (IR.SENT_TO_COMPANY, IA.COMPLAINT_CLOSED): IR.COMPLETED,
    (IR.RESPONSE_RECEIVED, IA.COMPLAINT_CLOSED): IR.COMPLETED,
    (IR.SENT_BACK, IA.COMPLAINT_CLOSED): IR.COMPLETED,
    **{
        (s, IA.COMPLAINT_CANCELED): IR.CANCELED
        for s in [IR.DRAFT, IR.SENT_TO_COMPANY, IR.RESPONSE_RECEIVED, IR.SENT_BACK]
    },
}

E, EA = EnrollmentStatus, EnrollmentAction
ENROLLMENT_TABLE: dict[tuple[StrEnum, StrEnum], StrEnum] = {
    (E.NOT_ENROLLED, EA.INVITE): E.INVITED,
    (E.INVITED, EA.SEND_REMINDER): E.INVITED,
    (E.INVITED, EA.ACTIVATE): E.INVITED,
    (E.INVITED, EA.COMPLETE): E.ENROLLED,
    (E.INVITED, EA.EXPIRE): E.EXPIRED,
    (E.EXPIRED, EA.REINVITE): E.INVITED,
}


def _complaint_context(action: StrEnum) -> ComplaintContext:
    return ComplaintContext(close_reason=CloseReason.DUPLICATE, cancel_reason="Filed twice.")


def _information_request_context(action: StrEnum) -> InformationRequestContext:
    return InformationRequestContext(
        NOW, due_date=date(2025, 6, 1), current_due_date=date(2025, 5, 20), reason="Incomplete."
    )


def _enrollment_context(action: StrEnum) -> EnrollmentContext:
    if action is EA.EXPIRE:
        return EnrollmentContext(NOW, expires_at=NOW - timedelta(seconds=1))
    return EnrollmentContext(
        NOW,
        expires_at=NOW + timedelta(days=14),
        token_hash="hash",
        activated=action is EA.COMPLETE,
        complaints_contact_id="contact-1",
    )


MACHINES: dict[str, tuple[StateMachine[Any, Any, Any], dict[Any, Any], Any]] = {
    "complaint": (COMPLAINT_MACHINE, COMPLAINT_TABLE, _complaint_context),
    "information request": (
        INFORMATION_REQUEST_MACHINE,
        INFORMATION_REQUEST_TABLE,
        _information_request_context,
    ),
    "enrollment": (ENROLLMENT_MACHINE, ENROLLMENT_TABLE, _enrollment_context),
}
STATE_AND_ACTION_TYPES = {
    "complaint": (ComplaintStatus, ComplaintAction),
    "information request": (InformationRequestStatus, InformationRequestAction),
    "enrollment": (EnrollmentStatus, EnrollmentAction),
}
EVERY_PAIR = [
    pytest.param(name, state, action, id=f"{name}:{state}:{action}")
    for name, (states, actions) in STATE_AND_ACTION_TYPES.items()
    for state, action in product(states, actions)
]


def _words(token: str) -> str:
    return token.lower().replace("_", " ")


@pytest.mark.parametrize(("name", "state", "action"), EVERY_PAIR)
def test_every_state_action_pair_matches_the_spec_table(
    name: str, state: StrEnum, action: StrEnum
) -> None:
    machine, table, context_for = MACHINES[name]
    expected = table.get((state, action))
    if expected is not None:
        assert machine.can(state, action)
        assert machine.next_state(state, action, context_for(action)) is expected
        return
    assert not machine.can(state, action)
    with pytest.raises(InvalidTransition) as caught:
        machine.next_state(state, action, context_for(action))
    error = caught.value
    assert (error.state, error.action) == (str(state), str(action))
    allowed = sorted(str(a) for (s, a) in table if s == state)
    assert list(error.allowed) == allowed
    assert _words(str(action)) in error.message
    assert _words(str(state)) in error.message
    for option in allowed:
        assert _words(option) in error.message


@pytest.mark.parametrize("name", list(MACHINES))
def test_the_code_declares_no_row_the_spec_table_lacks(name: str) -> None:
    machine, table, _ = MACHINES[name]
    declared = {(row.source, row.action): row.target for row in machine.transitions}
    assert declared == table


@pytest.mark.parametrize(
    ("machine", "finals", "initials"),
    [
        (COMPLAINT_MACHINE, {C.CLOSED, C.CANCELED}, {C.PENDING_REVIEW, C.OPEN}),
        (INFORMATION_REQUEST_MACHINE, {IR.COMPLETED, IR.CANCELED}, {IR.DRAFT}),
        (ENROLLMENT_MACHINE, {E.ENROLLED}, {E.NOT_ENROLLED}),
    ],
)
def test_final_and_initial_states_are_the_specs(
    machine: StateMachine[Any, Any, Any], finals: set[StrEnum], initials: set[StrEnum]
) -> None:
    assert machine.final_states == finals
    assert machine.initial_states == initials


def test_close_reasons_are_the_eleven_of_the_spec_with_their_wording() -> None:
    assert [reason.label for reason in CloseReason] == [
        "Closed with Explanation",
        "Closed with Monetary Relief",
        "Closed with Non-Monetary Relief",
        "Cancelled by Complainant",
        "Complainant Ceased Communication",
        "Duplicate",
        "Invalid",
        "Referred to Federal Agency",
        "Referred for Investigation",
        "Referred to other State Agency",
        "Referred to State Attorney General",
    ]


@st.composite
def _walks(draw: st.DrawFn) -> tuple[str, Any, list[Any]]:
    name = draw(st.sampled_from(sorted(MACHINES)))
    machine = MACHINES[name][0]
    start = draw(st.sampled_from(sorted(machine.initial_states)))
    actions = draw(st.lists(st.sampled_from(list(STATE_AND_ACTION_TYPES[name][1])), max_size=40))
    return name, start, actions


@given(_walks())
def test_random_action_sequences_never_leave_the_table(walk: tuple[str, Any, list[Any]]) -> None:
    name, state, actions = walk
    machine, table, context_for = MACHINES[name]
    for action in actions:
        if machine.is_final(state):
            assert machine.allowed_actions(state) == ()
        try:
            following = machine.next_state(state, action, context_for(action))
        except InvalidTransition:
            assert (state, action) not in table
            continue
        assert following is table[(state, action)]
        assert following in machine.states
        state = following


@given(st.data())
def test_final_states_accept_no_action(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(MACHINES)))
    machine, _, context_for = MACHINES[name]
    final = data.draw(st.sampled_from(sorted(machine.final_states)))
    action = data.draw(st.sampled_from(list(STATE_AND_ACTION_TYPES[name][1])))
    with pytest.raises(InvalidTransition, match="is final and allows nothing"):
        machine.next_state(final, action, context_for(action))
