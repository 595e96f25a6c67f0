"""Available next actions: what a reader may do now with a complaint and each of its IRs.

The job aid's screens offer "Available Next Actions"; each complaint view and each
information-request view carries them, so that a client shows exactly the buttons
that will work. There is one value per RPC that changes a complaint
(``ComplaintCommand``) or one information request (``InformationRequestCommand``);
reads are not actions.

An action is available when the three things its handler checks all hold, asked
here the same way, with the same functions:

1. the permission matrix: ``ses_core.permissions.authorize`` (as ``permits``: unworded)
   on ``complaint_resource``
   (restricted where the handler says so: drafting and sending a restricted draft);
   and, first of all, ``VIEW_COMPLAINT``, which every handler checks before its own;
2. the state machine's table from the current state (``StateMachine.check``), with
   the guards that read only the aggregate's own data (a referral only before any IR
   was sent: ``Complaint.check_refer``; a draft IR's due date in the future:
   ``Complaint.check_send_information_requests``);
3. the aggregate's other preconditions, through the ``check_*`` methods its commands
   call themselves (a Company POC before contributors, a saved draft before it is sent
   to the POC or submitted, one pending send-back request at a time).

What a request carries (a reason, a new due date, a close reason, the user to assign)
is not looked at: an available action still needs a well-formed request, and may be
refused for what it names (a user without Manage Complaints permission).

Choices where the spec is silent:

- ``SEND_INFORMATION_REQUESTS`` on a complaint means the RPC's default, every unsent
  request at once: available only when each of them can be sent. ``SEND`` on one
  request means sending that one alone.
- ``MARK_QUICK_LOOK`` stays available on a response already marked: marking it again
  succeeds and changes nothing (the view's quick_look_marked tells the two apart).
- ``UPDATE_RESEARCH_NOTE`` is available when the complaint has a note to edit.
- ``DECIDE_REFERRAL`` covers accepting and rejecting (one RPC); both need the same.
- A company reader knows only the requests sent to it (``knows_information_request``)
  and is offered nothing on the others.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import ParamSpec

from ses_core.errors import PreconditionFailed, SesError
from ses_core.identity import Actor
from ses_core.lifecycle.complaint import COMPLAINT_MACHINE, ComplaintAction
from ses_core.lifecycle.information_request import INFORMATION_REQUEST_MACHINE
from ses_core.lifecycle.information_request import InformationRequestAction as IrAction
from ses_core.models.complaint import Complaint
from ses_core.models.complaint_access import complaint_resource, knows_information_request
from ses_core.models.information_request import InformationRequest
from ses_core.permissions import Action, permits


class ComplaintCommand(StrEnum):
    """The RPCs that act on a complaint as a whole."""

    UPDATE_COMPLAINT = "UPDATE_COMPLAINT"
    PROCEED_TO_PROCESSING = "PROCEED_TO_PROCESSING"
    ASSIGN_AGENCY_POC = "ASSIGN_AGENCY_POC"
    ADD_INFORMATION_REQUEST = "ADD_INFORMATION_REQUEST"
    SEND_INFORMATION_REQUESTS = "SEND_INFORMATION_REQUESTS"
    ADD_ALLEGED_VIOLATION = "ADD_ALLEGED_VIOLATION"
    ADD_RESEARCH_NOTE = "ADD_RESEARCH_NOTE"
    UPDATE_RESEARCH_NOTE = "UPDATE_RESEARCH_NOTE"
    POST_INTERACTION = "POST_INTERACTION"
    REFER_COMPLAINT = "REFER_COMPLAINT"
    DECIDE_REFERRAL = "DECIDE_REFERRAL"
    CLOSE_COMPLAINT = "CLOSE_COMPLAINT"
    CANCEL_COMPLAINT = "CANCEL_COMPLAINT"
    ASSIGN_COMPANY_POC = "ASSIGN_COMPANY_POC"
    ADD_CONTRIBUTOR = "ADD_CONTRIBUTOR"


class InformationRequestCommand(StrEnum):
    """The RPCs that act on one information request."""

    SEND = "SEND"
    EXTEND_DUE_DATE = "EXTEND_DUE_DATE"
    CANCEL = "CANCEL"
    SEND_REMINDER = "SEND_REMINDER"
    MARK_QUICK_LOOK = "MARK_QUICK_LOOK"
    SEND_BACK_RESPONSE = "SEND_BACK_RESPONSE"
    COMPLETE = "COMPLETE"
    SAVE_RESPONSE_DRAFT = "SAVE_RESPONSE_DRAFT"
    SEND_DRAFT_TO_POC = "SEND_DRAFT_TO_POC"
    SUBMIT_RESPONSE = "SUBMIT_RESPONSE"
    REQUEST_SEND_BACK = "REQUEST_SEND_BACK"


@dataclass(frozen=True)
class Circumstances:
    """What a handler knows besides the complaint when it decides.

    ``default_due_date`` is the due date a request sent without one gets;
    ``company_receives_requests`` is false for an unregistered company, to which no
    request may be sent (``check_company_receives_requests``).
    """

    now: datetime
    default_due_date: date
    company_receives_requests: bool = True


_Check = Callable[[Complaint, Circumstances], object]
_RequestCheck = Callable[[Complaint, InformationRequest, Circumstances], object]


@dataclass(frozen=True)
class _ComplaintRule:
    permission: Action
    ready: _Check


@dataclass(frozen=True)
class _RequestRule:
    permission: Action
    ready: _RequestCheck
    # The handler asks for the permission on a restricted resource when the draft is.
    as_draft_restricted: bool = False


def complaint_actions(
    actor: Actor, complaint: Complaint, circumstances: Circumstances
) -> frozenset[ComplaintCommand]:
    """The complaint-wide actions ``actor`` may take now (see the module docstring)."""
    if not _reads(actor, complaint):
        return frozenset()
    resource = complaint_resource(complaint)
    return frozenset(
        command
        for command, rule in COMPLAINT_RULES.items()
        if permits(actor, rule.permission, resource)
        and _holds(rule.ready, complaint, circumstances)
    )


def information_request_actions(
    actor: Actor, complaint: Complaint, ir: InformationRequest, circumstances: Circumstances
) -> frozenset[InformationRequestCommand]:
    """The actions ``actor`` may take now on ``ir``, one of ``complaint``'s requests."""
    if not _reads(actor, complaint) or not knows_information_request(actor, ir):
        return frozenset()
    draft_restricted = ir.draft is not None and ir.draft.restricted
    resource = complaint_resource(complaint)
    restricted = complaint_resource(complaint, restricted=True) if draft_restricted else resource
    found = set()
    for command, rule in REQUEST_RULES.items():
        decided_on = restricted if rule.as_draft_restricted else resource
        if permits(actor, rule.permission, decided_on) and _holds(
            rule.ready, complaint, ir, circumstances
        ):
            found.add(command)
    return frozenset(found)


def _reads(actor: Actor, complaint: Complaint) -> bool:
    return permits(actor, Action.VIEW_COMPLAINT, complaint_resource(complaint))


def check_company_receives_requests(company_name: str, *, receives: bool) -> None:
    """Raise ``company_unregistered`` unless information requests may be sent to the
    company: an unregistered one is tracked in complaints but receives none."""
    if not receives:
        raise PreconditionFailed(
            f"{company_name} is an unregistered company: complaints can be tracked "
            "against it, but it cannot receive information requests. Register it with "
            "its NMLS ID or as a licensed company first.",
            reason="company_unregistered",
        )


_P = ParamSpec("_P")


def _holds(check: Callable[_P, object], *args: _P.args, **kwargs: _P.kwargs) -> bool:
    try:
        check(*args, **kwargs)
    except SesError:
        return False
    return True


# -- the checks, each the one its command makes ------------------------------------------


def _complaint_table(action: ComplaintAction) -> _Check:
    return lambda complaint, _: COMPLAINT_MACHINE.check(complaint.status, action)


def _request_table(action: IrAction) -> _RequestCheck:
    return lambda _, ir, __: INFORMATION_REQUEST_MACHINE.check(ir.status, action)


def _anytime(complaint: Complaint, circumstances: Circumstances) -> None:
    """Research notes are kept in every state, closed and canceled included."""


def _has_note(complaint: Complaint, circumstances: Circumstances) -> None:
    if not complaint.research_notes:
        raise PreconditionFailed("This complaint has no note to edit.", reason="note_not_found")


def _company_receives(circumstances: Circumstances) -> None:
    check_company_receives_requests("The company", receives=circumstances.company_receives_requests)


def _send_all(complaint: Complaint, circumstances: Circumstances) -> None:
    _company_receives(circumstances)
    complaint.check_send_information_requests(
        circumstances.now, default_due_date=circumstances.default_due_date
    )


def _send_one(complaint: Complaint, ir: InformationRequest, circumstances: Circumstances) -> None:
    _company_receives(circumstances)
    complaint.check_send_information_requests(
        circumstances.now, ir_ids=[ir.id], default_due_date=circumstances.default_due_date
    )


_C = ComplaintAction
COMPLAINT_RULES: Mapping[ComplaintCommand, _ComplaintRule] = MappingProxyType(
    {
        ComplaintCommand.UPDATE_COMPLAINT: _ComplaintRule(
            Action.UPDATE_COMPLAINT, _complaint_table(_C.UPDATE)
        ),
        ComplaintCommand.PROCEED_TO_PROCESSING: _ComplaintRule(
            Action.PROCEED_TO_PROCESSING, _complaint_table(_C.PROCEED_TO_PROCESSING)
        ),
        ComplaintCommand.ASSIGN_AGENCY_POC: _ComplaintRule(
            Action.ASSIGN_AGENCY_POC, _complaint_table(_C.ASSIGN_AGENCY_POC)
        ),
        ComplaintCommand.ADD_INFORMATION_REQUEST: _ComplaintRule(
            Action.ADD_INFORMATION_REQUEST, _complaint_table(_C.PREPARE_INFORMATION_REQUESTS)
        ),
        ComplaintCommand.SEND_INFORMATION_REQUESTS: _ComplaintRule(
            Action.SEND_INFORMATION_REQUESTS, _send_all
        ),
        ComplaintCommand.ADD_ALLEGED_VIOLATION: _ComplaintRule(
            Action.ADD_ALLEGED_VIOLATION, _complaint_table(_C.ADD_ALLEGED_VIOLATION)
        ),
        ComplaintCommand.ADD_RESEARCH_NOTE: _ComplaintRule(Action.ADD_RESEARCH_NOTE, _anytime),
        ComplaintCommand.UPDATE_RESEARCH_NOTE: _ComplaintRule(Action.ADD_RESEARCH_NOTE, _has_note),
        ComplaintCommand.POST_INTERACTION: _ComplaintRule(
            Action.POST_INTERACTION, _complaint_table(_C.POST_INTERACTION)
        ),
        ComplaintCommand.REFER_COMPLAINT: _ComplaintRule(
            Action.REFER_COMPLAINT, lambda complaint, _: complaint.check_refer()
        ),
        ComplaintCommand.DECIDE_REFERRAL: _ComplaintRule(
            Action.DECIDE_REFERRAL, _complaint_table(_C.ACCEPT_REFERRAL)
        ),
        ComplaintCommand.CLOSE_COMPLAINT: _ComplaintRule(
            Action.CLOSE_COMPLAINT, _complaint_table(_C.CLOSE)
        ),
        ComplaintCommand.CANCEL_COMPLAINT: _ComplaintRule(
            Action.CANCEL_COMPLAINT, _complaint_table(_C.CANCEL)
        ),
        ComplaintCommand.ASSIGN_COMPANY_POC: _ComplaintRule(
            Action.ASSIGN_COMPANY_POC, _complaint_table(_C.ASSIGN_COMPANY_POC)
        ),
        ComplaintCommand.ADD_CONTRIBUTOR: _ComplaintRule(
            Action.ADD_CONTRIBUTOR, lambda complaint, _: complaint.check_add_contributor()
        ),
    }
)

_R = InformationRequestCommand
REQUEST_RULES: Mapping[InformationRequestCommand, _RequestRule] = MappingProxyType(
    {
        _R.SEND: _RequestRule(Action.SEND_INFORMATION_REQUESTS, _send_one),
        _R.EXTEND_DUE_DATE: _RequestRule(
            Action.EXTEND_DUE_DATE, _request_table(IrAction.EXTEND_DUE_DATE)
        ),
        _R.CANCEL: _RequestRule(Action.CANCEL_INFORMATION_REQUEST, _request_table(IrAction.CANCEL)),
        _R.SEND_REMINDER: _RequestRule(
            Action.SEND_REMINDER, _request_table(IrAction.SEND_REMINDER)
        ),
        _R.MARK_QUICK_LOOK: _RequestRule(
            Action.MARK_QUICK_LOOK, _request_table(IrAction.MARK_QUICK_LOOK)
        ),
        _R.SEND_BACK_RESPONSE: _RequestRule(
            Action.SEND_BACK_RESPONSE, _request_table(IrAction.SEND_BACK)
        ),
        _R.COMPLETE: _RequestRule(
            Action.COMPLETE_INFORMATION_REQUEST, _request_table(IrAction.COMPLETE)
        ),
        _R.SAVE_RESPONSE_DRAFT: _RequestRule(
            Action.SAVE_RESPONSE_DRAFT,
            _request_table(IrAction.SAVE_DRAFT),
            as_draft_restricted=True,
        ),
        _R.SEND_DRAFT_TO_POC: _RequestRule(
            Action.SEND_DRAFT_TO_POC,
            lambda complaint, ir, _: complaint.check_send_draft_to_poc(ir.id),
            as_draft_restricted=True,
        ),
        _R.SUBMIT_RESPONSE: _RequestRule(
            Action.SUBMIT_RESPONSE, lambda _, ir, __: ir.check_submit_response()
        ),
        _R.REQUEST_SEND_BACK: _RequestRule(
            Action.REQUEST_SEND_BACK,
            lambda complaint, ir, _: complaint.check_request_send_back(ir.id),
        ),
    }
)
