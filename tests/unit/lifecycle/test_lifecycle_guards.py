"""Guard failures: each refused row says what to fix, with the right error family."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from ses_core.errors import PreconditionFailed, SesError, ValidationFailed
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
)

# 23:30 in New York on 1 May 2025 is already 2 May in UTC.
LATE_EVENING = datetime(2025, 5, 2, 3, 30, tzinfo=UTC)
MONETARY = CloseReason.CLOSED_WITH_MONETARY_RELIEF


def _close(**fields: object) -> ComplaintContext:
    return ComplaintContext(**fields)  # type: ignore[arg-type]


# -- complaint ---------------------------------------------------------------------------


def test_referral_is_refused_once_an_information_request_was_sent() -> None:
    with pytest.raises(PreconditionFailed, match="only before any information request") as err:
        COMPLAINT_MACHINE.next_state(
            ComplaintStatus.OPEN,
            ComplaintAction.REFER,
            ComplaintContext(any_information_request_sent=True),
        )
    assert err.value.reason == "referral_after_information_request"


def test_referral_is_allowed_before_any_information_request_was_sent() -> None:
    target = COMPLAINT_MACHINE.next_state(
        ComplaintStatus.OPEN, ComplaintAction.REFER, ComplaintContext()
    )
    assert target is ComplaintStatus.REFERRAL_PENDING


@pytest.mark.parametrize(
    ("context", "reason", "words"),
    [
        (_close(), "close_reason_required", "Choose a close reason"),
        (_close(close_reason=MONETARY), "monetary_relief_incomplete", "amount and the relief date"),
        (
            _close(close_reason=MONETARY, relief_amount=Decimal("10")),
            "monetary_relief_incomplete",
            "relief date",
        ),
        (
            _close(close_reason=MONETARY, relief_date=date(2025, 4, 1)),
            "monetary_relief_incomplete",
            "relief amount",
        ),
        (
            _close(close_reason=MONETARY, relief_amount=Decimal("0"), relief_date=date(2025, 4, 1)),
            "relief_amount_invalid",
            "positive sum",
        ),
        (
            _close(
                close_reason=MONETARY, relief_amount=Decimal("NaN"), relief_date=date(2025, 4, 1)
            ),
            "relief_amount_invalid",
            "positive sum",
        ),
        (
            _close(
                close_reason=MONETARY, relief_amount=Decimal("1.005"), relief_date=date(2025, 4, 1)
            ),
            "relief_amount_invalid",
            "two decimal places",
        ),
        (
            _close(close_reason=CloseReason.DUPLICATE, relief_amount=Decimal("5")),
            "relief_without_monetary_reason",
            "not Duplicate",
        ),
        (
            _close(close_reason=CloseReason.INVALID, relief_date=date(2025, 4, 1)),
            "relief_without_monetary_reason",
            "Closed with Monetary Relief",
        ),
    ],
)
def test_close_guard_refuses_incomplete_or_inconsistent_closures(
    context: ComplaintContext, reason: str, words: str
) -> None:
    with pytest.raises(ValidationFailed, match=words) as err:
        COMPLAINT_MACHINE.next_state(ComplaintStatus.OPEN, ComplaintAction.CLOSE, context)
    assert err.value.reason == reason


@pytest.mark.parametrize("amount", ["0.01", "1250", "99.9", "1E+3"])
def test_monetary_relief_with_amount_and_date_closes(amount: str) -> None:
    context = _close(
        close_reason=MONETARY, relief_amount=Decimal(amount), relief_date=date(2025, 4, 1)
    )
    target = COMPLAINT_MACHINE.next_state(ComplaintStatus.OPEN, ComplaintAction.CLOSE, context)
    assert target is ComplaintStatus.CLOSED


@pytest.mark.parametrize(
    "state",
    [ComplaintStatus.PENDING_REVIEW, ComplaintStatus.OPEN, ComplaintStatus.REFERRAL_PENDING],
)
@pytest.mark.parametrize("reason", ["", "   "])
def test_cancel_needs_a_reason_from_every_non_final_state(
    state: ComplaintStatus, reason: str
) -> None:
    with pytest.raises(ValidationFailed, match="Give a reason to cancel") as err:
        COMPLAINT_MACHINE.next_state(
            state, ComplaintAction.CANCEL, ComplaintContext(cancel_reason=reason)
        )
    assert err.value.reason == "cancel_reason_required"


# -- information request -----------------------------------------------------------------

IR = InformationRequestStatus
IRA = InformationRequestAction


def _ir(**fields: object) -> InformationRequestContext:
    return InformationRequestContext(LATE_EVENING, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("state", "action", "extra"),
    [
        (IR.DRAFT, IRA.SEND, {}),
        (IR.DRAFT, IRA.EDIT, {}),
        (IR.SENT_TO_COMPANY, IRA.EXTEND_DUE_DATE, {}),
        (IR.RESPONSE_RECEIVED, IRA.SEND_BACK, {"reason": "Missing statements."}),
    ],
)
def test_due_date_must_be_after_today_in_new_york(
    state: IR, action: IRA, extra: dict[str, object]
) -> None:
    # It is still 1 May in New York, though 2 May in UTC: 1 May is today, not the future.
    with pytest.raises(ValidationFailed, match="today in US Eastern time is 2025-05-01") as err:
        INFORMATION_REQUEST_MACHINE.next_state(
            state, action, _ir(due_date=date(2025, 5, 1), **extra)
        )
    assert err.value.reason == "due_date_not_in_future"
    following = INFORMATION_REQUEST_MACHINE.next_state(
        state, action, _ir(due_date=date(2025, 5, 2), **extra)
    )
    assert following in INFORMATION_REQUEST_MACHINE.states


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (IR.DRAFT, IRA.SEND),
        (IR.SENT_BACK, IRA.EXTEND_DUE_DATE),
        (IR.RESPONSE_RECEIVED, IRA.SEND_BACK),
    ],
)
def test_a_due_date_is_required_to_send_extend_or_send_back(state: IR, action: IRA) -> None:
    with pytest.raises(ValidationFailed, match="Set a due date") as err:
        INFORMATION_REQUEST_MACHINE.next_state(state, action, _ir(reason="Why."))
    assert err.value.reason == "due_date_required"


def test_editing_a_draft_without_a_due_date_is_allowed() -> None:
    assert INFORMATION_REQUEST_MACHINE.next_state(IR.DRAFT, IRA.EDIT, _ir()) is IR.DRAFT


@pytest.mark.parametrize("new_due", [date(2025, 5, 20), date(2025, 5, 19)])
def test_extension_must_move_the_due_date_later(new_due: date) -> None:
    with pytest.raises(ValidationFailed, match="later than the current due date") as err:
        INFORMATION_REQUEST_MACHINE.next_state(
            IR.SENT_TO_COMPANY,
            IRA.EXTEND_DUE_DATE,
            _ir(due_date=new_due, current_due_date=date(2025, 5, 20)),
        )
    assert err.value.reason == "due_date_not_extended"


def test_an_overdue_request_can_be_extended_into_the_future() -> None:
    target = INFORMATION_REQUEST_MACHINE.next_state(
        IR.SENT_TO_COMPANY,
        IRA.EXTEND_DUE_DATE,
        _ir(due_date=date(2025, 5, 5), current_due_date=date(2025, 4, 20)),
    )
    assert target is IR.SENT_TO_COMPANY


@pytest.mark.parametrize(
    ("action", "words"),
    [
        (IRA.SEND_BACK, "send the response back"),
        (IRA.REQUEST_SEND_BACK, "ask the agency to send the response back"),
    ],
)
def test_send_back_and_its_request_need_a_reason(action: IRA, words: str) -> None:
    with pytest.raises(ValidationFailed, match=f"Give a reason to {words}") as err:
        INFORMATION_REQUEST_MACHINE.next_state(
            IR.RESPONSE_RECEIVED, action, _ir(due_date=date(2025, 6, 1), reason="  ")
        )
    assert err.value.reason == "reason_required"


# -- enrollment --------------------------------------------------------------------------

NOW = datetime(2025, 5, 1, 14, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=14)


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (EnrollmentStatus.NOT_ENROLLED, EnrollmentAction.INVITE),
        (EnrollmentStatus.EXPIRED, EnrollmentAction.REINVITE),
    ],
)
@pytest.mark.parametrize(
    ("context", "reason"),
    [
        (EnrollmentContext(NOW, expires_at=LATER), "token_required"),
        (EnrollmentContext(NOW, token_hash="h"), "expiry_not_in_future"),
        (EnrollmentContext(NOW, expires_at=NOW, token_hash="h"), "expiry_not_in_future"),
    ],
)
def test_an_invitation_needs_a_token_hash_and_a_future_expiry(
    state: EnrollmentStatus, action: EnrollmentAction, context: EnrollmentContext, reason: str
) -> None:
    with pytest.raises(ValidationFailed) as err:
        ENROLLMENT_MACHINE.next_state(state, action, context)
    assert err.value.reason == reason


@pytest.mark.parametrize(
    ("action", "context", "reason", "error"),
    [
        (
            EnrollmentAction.ACTIVATE,
            EnrollmentContext(NOW, expires_at=LATER, activated=True),
            "activation_link_used",
            PreconditionFailed,
        ),
        (
            EnrollmentAction.ACTIVATE,
            EnrollmentContext(NOW, expires_at=NOW),
            "activation_link_expired",
            PreconditionFailed,
        ),
        (
            EnrollmentAction.ACTIVATE,
            EnrollmentContext(NOW),
            "activation_link_expired",
            PreconditionFailed,
        ),
        (
            EnrollmentAction.COMPLETE,
            EnrollmentContext(NOW, expires_at=LATER, complaints_contact_id="c"),
            "enrollment_not_activated",
            PreconditionFailed,
        ),
        (
            EnrollmentAction.COMPLETE,
            EnrollmentContext(NOW, activated=True, complaints_contact_id=" "),
            "complaints_contact_required",
            ValidationFailed,
        ),
        (
            EnrollmentAction.EXPIRE,
            EnrollmentContext(NOW, expires_at=NOW - timedelta(days=1), activated=True),
            "enrollment_activated",
            PreconditionFailed,
        ),
        (
            EnrollmentAction.EXPIRE,
            EnrollmentContext(NOW, expires_at=LATER),
            "activation_link_valid",
            PreconditionFailed,
        ),
    ],
)
def test_enrollment_guards_refuse_with_a_reason(
    action: EnrollmentAction,
    context: EnrollmentContext,
    reason: str,
    error: type[SesError],
) -> None:
    with pytest.raises(error) as err:
        ENROLLMENT_MACHINE.next_state(EnrollmentStatus.INVITED, action, context)
    assert err.value.reason == reason


def test_a_link_expires_at_its_expiry_instant_exactly() -> None:
    target = ENROLLMENT_MACHINE.next_state(
        EnrollmentStatus.INVITED, EnrollmentAction.EXPIRE, EnrollmentContext(NOW, expires_at=NOW)
    )
    assert target is EnrollmentStatus.EXPIRED
