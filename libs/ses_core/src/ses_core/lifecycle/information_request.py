"""The information-request state machine (DESIGN §5).

``DRAFT`` → ``SENT_TO_COMPANY`` (due date in the future) → ``RESPONSE_RECEIVED``
(the Company POC submitted) → ``SENT_BACK`` (new due date and reason) →
``RESPONSE_RECEIVED`` … → ``COMPLETED`` (accepted, or the complaint closed).
``SENT_TO_COMPANY`` / ``SENT_BACK`` → ``CANCELED``. ``COMPLETED`` and
``CANCELED`` are final. Overdue is derived from the due date, never stored.

Choices where the spec is silent:

- Dates follow ``ses_core.lifecycle._time``: a due date is a calendar date and is
  "in the future" when strictly after today's date in US Eastern.
- Extending a due date must move it later than the current one and into the
  future (an overdue request may be extended). It is allowed while the company
  owes a response (``SENT_TO_COMPANY``, ``SENT_BACK``), as are reminders.
- Company drafting (``SAVE_DRAFT``, ``SEND_DRAFT_TO_POC``) is allowed only while
  the company owes a response; so a submitted response cannot be edited unless it
  is sent back. The agency edits an unsent request with ``EDIT`` (``DRAFT`` only);
  a due date set on a draft must already be in the future, and is checked again
  when the request is sent.
- A draft request is not canceled on its own; it is edited or left unsent.
  ``COMPLAINT_CLOSED`` completes every request in progress and cancels drafts;
  ``COMPLAINT_CANCELED`` cancels every request that is not final.
- The quick-look mark and the POC's send-back request apply to a response that
  awaits the agency (``RESPONSE_RECEIVED``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from ses_core.calendar import OperatingCalendar
from ses_core.errors import ValidationFailed
from ses_core.lifecycle._machine import StateMachine, Transition
from ses_core.lifecycle._time import eastern_today, is_future_date


class InformationRequestStatus(StrEnum):
    DRAFT = "DRAFT"
    SENT_TO_COMPANY = "SENT_TO_COMPANY"
    RESPONSE_RECEIVED = "RESPONSE_RECEIVED"
    SENT_BACK = "SENT_BACK"
    COMPLETED = "COMPLETED"
    CANCELED = "CANCELED"


class InformationRequestAction(StrEnum):
    EDIT = "EDIT"
    SEND = "SEND"
    EXTEND_DUE_DATE = "EXTEND_DUE_DATE"
    SEND_REMINDER = "SEND_REMINDER"
    CANCEL = "CANCEL"
    SAVE_DRAFT = "SAVE_DRAFT"
    SEND_DRAFT_TO_POC = "SEND_DRAFT_TO_POC"
    SUBMIT_RESPONSE = "SUBMIT_RESPONSE"
    MARK_QUICK_LOOK = "MARK_QUICK_LOOK"
    REQUEST_SEND_BACK = "REQUEST_SEND_BACK"
    SEND_BACK = "SEND_BACK"
    COMPLETE = "COMPLETE"
    COMPLAINT_CLOSED = "COMPLAINT_CLOSED"
    COMPLAINT_CANCELED = "COMPLAINT_CANCELED"


@dataclass(frozen=True)
class InformationRequestContext:
    """What the information request's guards look at.

    ``due_date`` is the date asked for (to send, extend or send back);
    ``current_due_date`` the one in force; ``reason`` the send-back reason.
    """

    now: datetime
    due_date: date | None = None
    current_due_date: date | None = None
    reason: str = ""


def _require_future_due_date(ctx: InformationRequestContext) -> date:
    if ctx.due_date is None:
        raise ValidationFailed(
            "Set a due date for the information request.", reason="due_date_required"
        )
    if not is_future_date(ctx.due_date, ctx.now):
        raise ValidationFailed(
            f"The due date {ctx.due_date.isoformat()} must be in the future; today in US "
            f"Eastern time is {eastern_today(ctx.now).isoformat()}, so pick a later date.",
            reason="due_date_not_in_future",
        )
    return ctx.due_date


def _require_reason(ctx: InformationRequestContext, doing: str) -> None:
    if not ctx.reason.strip():
        raise ValidationFailed(f"Give a reason to {doing}.", reason="reason_required")


def _edit_guard(ctx: InformationRequestContext) -> None:
    if ctx.due_date is not None:
        _require_future_due_date(ctx)


def _send_guard(ctx: InformationRequestContext) -> None:
    _require_future_due_date(ctx)


def _extend_guard(ctx: InformationRequestContext) -> None:
    new_due = _require_future_due_date(ctx)
    if ctx.current_due_date is not None and new_due <= ctx.current_due_date:
        raise ValidationFailed(
            f"The new due date {new_due.isoformat()} must be later than the current due "
            f"date {ctx.current_due_date.isoformat()} to extend it.",
            reason="due_date_not_extended",
        )


def _send_back_guard(ctx: InformationRequestContext) -> None:
    _require_future_due_date(ctx)
    _require_reason(ctx, "send the response back")


def _request_send_back_guard(ctx: InformationRequestContext) -> None:
    _require_reason(ctx, "ask the agency to send the response back")


_S = InformationRequestStatus
_A = InformationRequestAction
_Row = Transition[InformationRequestStatus, InformationRequestAction, InformationRequestContext]
_AWAITING_COMPANY = (_S.SENT_TO_COMPANY, _S.SENT_BACK)
_IN_PROGRESS = (_S.SENT_TO_COMPANY, _S.RESPONSE_RECEIVED, _S.SENT_BACK)


def _rows(
    action: InformationRequestAction,
    sources: tuple[InformationRequestStatus, ...],
    target: InformationRequestStatus | None = None,
    guard: Callable[[InformationRequestContext], None] | None = None,
) -> list[_Row]:
    """One row per source; without a target each row is a self-loop."""
    return [Transition(s, action, s if target is None else target, guard) for s in sources]


INFORMATION_REQUEST_MACHINE: StateMachine[
    InformationRequestStatus, InformationRequestAction, InformationRequestContext
] = StateMachine(
    "information request",
    [
        *_rows(_A.EDIT, (_S.DRAFT,), guard=_edit_guard),
        *_rows(_A.SEND, (_S.DRAFT,), _S.SENT_TO_COMPANY, _send_guard),
        *_rows(_A.EXTEND_DUE_DATE, _AWAITING_COMPANY, guard=_extend_guard),
        *_rows(_A.SEND_REMINDER, _AWAITING_COMPANY),
        *_rows(_A.CANCEL, _AWAITING_COMPANY, _S.CANCELED),
        *_rows(_A.SAVE_DRAFT, _AWAITING_COMPANY),
        *_rows(_A.SEND_DRAFT_TO_POC, _AWAITING_COMPANY),
        *_rows(_A.SUBMIT_RESPONSE, _AWAITING_COMPANY, _S.RESPONSE_RECEIVED),
        *_rows(_A.MARK_QUICK_LOOK, (_S.RESPONSE_RECEIVED,)),
        *_rows(_A.REQUEST_SEND_BACK, (_S.RESPONSE_RECEIVED,), guard=_request_send_back_guard),
        *_rows(_A.SEND_BACK, (_S.RESPONSE_RECEIVED,), _S.SENT_BACK, _send_back_guard),
        *_rows(_A.COMPLETE, (_S.RESPONSE_RECEIVED,), _S.COMPLETED),
        *_rows(_A.COMPLAINT_CLOSED, (_S.DRAFT,), _S.CANCELED),
        *_rows(_A.COMPLAINT_CLOSED, _IN_PROGRESS, _S.COMPLETED),
        *_rows(_A.COMPLAINT_CANCELED, (_S.DRAFT, *_IN_PROGRESS), _S.CANCELED),
    ],
    final_states=[_S.COMPLETED, _S.CANCELED],
    initial_states=[_S.DRAFT],
)


# An IR sent without a due date is due this many business days after the day it is sent
# (the spec is silent on the number; 15 business days is about three calendar weeks).
DEFAULT_DUE_BUSINESS_DAYS = 15


def default_due_date(
    calendar: OperatingCalendar, sent_on: date, business_days: int = DEFAULT_DUE_BUSINESS_DAYS
) -> date:
    """The due date of an IR sent on ``sent_on`` without one: always a business day."""
    return calendar.add_business_days(sent_on, business_days)
