"""The complaint state machine (DESIGN §5).

``PENDING_REVIEW`` (optional preliminary review) → ``OPEN`` → ``CLOSED``;
``OPEN`` → ``REFERRAL_PENDING`` (only before any information request was sent)
→ ``OPEN`` (accepted: under the receiving agency; rejected: back with the
original owner); any non-final state → ``CANCELED``. ``CLOSED`` and ``CANCELED``
are final: a closed complaint is never reopened.

Choices where the spec is silent:

- A complaint starts in ``PENDING_REVIEW`` when the agency asks for a
  preliminary review, otherwise directly in ``OPEN``.
- Only an ``OPEN`` complaint can be closed: one in preliminary review that turns
  out to be invalid or a duplicate is canceled, and a pending referral must be
  decided first.
- Besides the status-changing actions, the table holds self-loops for the work
  that depends on the status (updating, preparing and sending information
  requests, assigning POCs, adding contributors, posting interactions), so one
  table answers "what can be done now". Research and communication notes are
  deliberately not in it: they stay editable in every state, closed included.
- Relief amount and date are refused with any close reason other than
  Closed with Monetary Relief, where both are required and the amount must be a
  positive sum of money with at most two decimal places. The relief date may be
  in the past or the future (relief may be scheduled).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from ses_core.errors import PreconditionFailed, ValidationFailed
from ses_core.lifecycle._machine import StateMachine, Transition


class ComplaintStatus(StrEnum):
    PENDING_REVIEW = "PENDING_REVIEW"
    OPEN = "OPEN"
    REFERRAL_PENDING = "REFERRAL_PENDING"
    CLOSED = "CLOSED"
    CANCELED = "CANCELED"


class ComplaintAction(StrEnum):
    PROCEED_TO_PROCESSING = "PROCEED_TO_PROCESSING"
    UPDATE = "UPDATE"
    ASSIGN_AGENCY_POC = "ASSIGN_AGENCY_POC"
    ADD_ALLEGED_VIOLATION = "ADD_ALLEGED_VIOLATION"
    PREPARE_INFORMATION_REQUESTS = "PREPARE_INFORMATION_REQUESTS"
    SEND_INFORMATION_REQUESTS = "SEND_INFORMATION_REQUESTS"
    FOLLOW_UP_INFORMATION_REQUESTS = "FOLLOW_UP_INFORMATION_REQUESTS"
    ASSIGN_COMPANY_POC = "ASSIGN_COMPANY_POC"
    ADD_CONTRIBUTOR = "ADD_CONTRIBUTOR"
    POST_INTERACTION = "POST_INTERACTION"
    REFER = "REFER"
    ACCEPT_REFERRAL = "ACCEPT_REFERRAL"
    REJECT_REFERRAL = "REJECT_REFERRAL"
    CLOSE = "CLOSE"
    CANCEL = "CANCEL"


class CloseReason(StrEnum):
    CLOSED_WITH_EXPLANATION = "CLOSED_WITH_EXPLANATION"
    CLOSED_WITH_MONETARY_RELIEF = "CLOSED_WITH_MONETARY_RELIEF"
    CLOSED_WITH_NON_MONETARY_RELIEF = "CLOSED_WITH_NON_MONETARY_RELIEF"
    CANCELLED_BY_COMPLAINANT = "CANCELLED_BY_COMPLAINANT"
    COMPLAINANT_CEASED_COMMUNICATION = "COMPLAINANT_CEASED_COMMUNICATION"
    DUPLICATE = "DUPLICATE"
    INVALID = "INVALID"
    REFERRED_TO_FEDERAL_AGENCY = "REFERRED_TO_FEDERAL_AGENCY"
    REFERRED_FOR_INVESTIGATION = "REFERRED_FOR_INVESTIGATION"
    REFERRED_TO_OTHER_STATE_AGENCY = "REFERRED_TO_OTHER_STATE_AGENCY"
    REFERRED_TO_STATE_ATTORNEY_GENERAL = "REFERRED_TO_STATE_ATTORNEY_GENERAL"

    @property
    def label(self) -> str:
        """The wording shown to people (DESIGN §5)."""
        return _CLOSE_LABELS[self]


_CLOSE_LABELS = {
    CloseReason.CLOSED_WITH_EXPLANATION: "Closed with Explanation",
    CloseReason.CLOSED_WITH_MONETARY_RELIEF: "Closed with Monetary Relief",
    CloseReason.CLOSED_WITH_NON_MONETARY_RELIEF: "Closed with Non-Monetary Relief",
    CloseReason.CANCELLED_BY_COMPLAINANT: "Cancelled by Complainant",
    CloseReason.COMPLAINANT_CEASED_COMMUNICATION: "Complainant Ceased Communication",
    CloseReason.DUPLICATE: "Duplicate",
    CloseReason.INVALID: "Invalid",
    CloseReason.REFERRED_TO_FEDERAL_AGENCY: "Referred to Federal Agency",
    CloseReason.REFERRED_FOR_INVESTIGATION: "Referred for Investigation",
    CloseReason.REFERRED_TO_OTHER_STATE_AGENCY: "Referred to other State Agency",
    CloseReason.REFERRED_TO_STATE_ATTORNEY_GENERAL: "Referred to State Attorney General",
}


@dataclass(frozen=True)
class ComplaintContext:
    """What the complaint's guards look at."""

    any_information_request_sent: bool = False
    close_reason: CloseReason | None = None
    relief_amount: Decimal | None = None
    relief_date: date | None = None
    cancel_reason: str = ""


def _refer_guard(ctx: ComplaintContext) -> None:
    if ctx.any_information_request_sent:
        raise PreconditionFailed(
            "A complaint can be referred only before any information request was sent; "
            "this one already has a sent information request, so close it with a "
            "Referred to ... close reason instead.",
            reason="referral_after_information_request",
        )


def _close_guard(ctx: ComplaintContext) -> None:
    if ctx.close_reason is None:
        raise ValidationFailed(
            "Choose a close reason to close the complaint.", reason="close_reason_required"
        )
    if ctx.close_reason is CloseReason.CLOSED_WITH_MONETARY_RELIEF:
        _check_monetary_relief(ctx.relief_amount, ctx.relief_date)
    elif ctx.relief_amount is not None or ctx.relief_date is not None:
        raise ValidationFailed(
            f"A relief amount and date belong only to the close reason "
            f"{CloseReason.CLOSED_WITH_MONETARY_RELIEF.label}, not {ctx.close_reason.label}; "
            "remove them or choose that reason.",
            reason="relief_without_monetary_reason",
        )


def _check_monetary_relief(amount: Decimal | None, on: date | None) -> None:
    if amount is None or on is None:
        raise ValidationFailed(
            f"{CloseReason.CLOSED_WITH_MONETARY_RELIEF.label} needs the relief amount and "
            "the relief date.",
            reason="monetary_relief_incomplete",
        )
    if not amount.is_finite() or amount <= 0:
        raise ValidationFailed(
            f"The relief amount must be a positive sum of money; got {amount}.",
            reason="relief_amount_invalid",
        )
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise ValidationFailed(
            f"The relief amount {amount} has more than two decimal places; round it to cents.",
            reason="relief_amount_invalid",
        )


def _cancel_guard(ctx: ComplaintContext) -> None:
    if not ctx.cancel_reason.strip():
        raise ValidationFailed(
            "Give a reason to cancel the complaint.", reason="cancel_reason_required"
        )


_S = ComplaintStatus
_A = ComplaintAction
_Row = Transition[ComplaintStatus, ComplaintAction, ComplaintContext]


def _loops(action: ComplaintAction, *states: ComplaintStatus) -> list[_Row]:
    return [Transition(state, action, state) for state in states]


COMPLAINT_MACHINE: StateMachine[ComplaintStatus, ComplaintAction, ComplaintContext] = StateMachine(
    "complaint",
    [
        Transition(_S.PENDING_REVIEW, _A.PROCEED_TO_PROCESSING, _S.OPEN),
        *_loops(_A.UPDATE, _S.PENDING_REVIEW, _S.OPEN),
        *_loops(_A.ASSIGN_AGENCY_POC, _S.PENDING_REVIEW, _S.OPEN),
        *_loops(_A.ADD_ALLEGED_VIOLATION, _S.PENDING_REVIEW, _S.OPEN),
        *_loops(_A.PREPARE_INFORMATION_REQUESTS, _S.PENDING_REVIEW, _S.OPEN),
        *_loops(_A.SEND_INFORMATION_REQUESTS, _S.OPEN),
        *_loops(_A.FOLLOW_UP_INFORMATION_REQUESTS, _S.OPEN),
        *_loops(_A.ASSIGN_COMPANY_POC, _S.OPEN),
        *_loops(_A.ADD_CONTRIBUTOR, _S.OPEN),
        *_loops(_A.POST_INTERACTION, _S.OPEN),
        Transition(_S.OPEN, _A.REFER, _S.REFERRAL_PENDING, _refer_guard),
        Transition(_S.REFERRAL_PENDING, _A.ACCEPT_REFERRAL, _S.OPEN),
        Transition(_S.REFERRAL_PENDING, _A.REJECT_REFERRAL, _S.OPEN),
        Transition(_S.OPEN, _A.CLOSE, _S.CLOSED, _close_guard),
        Transition(_S.PENDING_REVIEW, _A.CANCEL, _S.CANCELED, _cancel_guard),
        Transition(_S.OPEN, _A.CANCEL, _S.CANCELED, _cancel_guard),
        Transition(_S.REFERRAL_PENDING, _A.CANCEL, _S.CANCELED, _cancel_guard),
    ],
    final_states=[_S.CLOSED, _S.CANCELED],
    initial_states=[_S.PENDING_REVIEW, _S.OPEN],
)
