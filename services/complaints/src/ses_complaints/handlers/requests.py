"""Agency commands on information requests: add, send, extend, cancel, remind, review."""

from __future__ import annotations

from datetime import date

from ses_complaints.attachments import FileRef
from ses_complaints.handlers._base import ComplaintSnapshot, Deps, Work, open_complaint
from ses_core.errors import NotFound, PreconditionFailed, quote
from ses_core.identity import Actor
from ses_core.limits import TextField, checked_text
from ses_core.models import InformationRequest
from ses_core.models.complaint_access import knows_information_request
from ses_core.models.next_actions import check_company_receives_requests
from ses_core.permissions import Action
from ses_core.uploads import AttachmentKind

IrResult = tuple[ComplaintSnapshot, InformationRequest]


def request_of(work: Work, ir_id: str) -> InformationRequest:
    """The IR, as far as the actor may know it: a company never learns of an unsent one."""
    ir = work.complaint.information_request(ir_id)
    if not knows_information_request(work.actor, ir):
        raise NotFound(
            f"This complaint has no information request {quote(ir_id)}; check the request id.",
            reason="information_request_not_found",
        )
    return ir


def add_information_request(
    deps: Deps,
    actor: Actor,
    complaint_id: str,
    *,
    request_text: str,
    files: list[FileRef],
    due_date: date | None,
) -> IrResult:
    with open_complaint(deps, actor, complaint_id) as work:
        work.require(Action.ADD_INFORMATION_REQUEST)
        documents = work.files(files, AttachmentKind.INFORMATION_REQUEST)
        ir = work.complaint.add_information_request(
            request_text,
            work.now,
            by=actor.user_id,
            due_date=due_date,
            document_file_ids=list(documents),
        )
        return work.commit(), ir


def send_information_requests(
    deps: Deps, actor: Actor, complaint_id: str, ir_ids: list[str]
) -> ComplaintSnapshot:
    """Send the named DRAFT IRs (all of them when none is named), all or none.

    An IR without a due date gets the default: ``deps.default_due_business_days``
    business days after today (see ``ses_core.lifecycle.DEFAULT_DUE_BUSINESS_DAYS``).
    """
    with open_complaint(deps, actor, complaint_id) as work:
        work.require(Action.SEND_INFORMATION_REQUESTS)
        company = work.company
        if company is not None:
            check_company_receives_requests(
                company.legal_name, receives=company.can_receive_information_requests
            )
        work.complaint.send_information_requests(
            work.now,
            by=actor.user_id,
            ir_ids=ir_ids or None,
            default_due_date=deps.default_due_date(),
        )
        return work.commit()


def extend_due_date(
    deps: Deps, actor: Actor, complaint_id: str, ir_id: str, new_due_date: date, reason: str
) -> IrResult:
    with open_complaint(deps, actor, complaint_id) as work:
        work.require(Action.EXTEND_DUE_DATE)
        ir = request_of(work, ir_id)
        ir.extend_due_date(new_due_date, work.now, by=actor.user_id)
        work.extras.add_extension_reason(
            ir_id, checked_text(TextField.DUE_DATE_CHANGE_REASON, reason)
        )
        return work.commit(), ir


def cancel_information_request(
    deps: Deps, actor: Actor, complaint_id: str, ir_id: str, reason: str
) -> IrResult:
    with open_complaint(deps, actor, complaint_id) as work:
        work.require(Action.CANCEL_INFORMATION_REQUEST)
        ir = request_of(work, ir_id)
        ir.cancel(work.now, by=actor.user_id, reason=reason)
        return work.commit(), ir


def send_reminder(
    deps: Deps, actor: Actor, complaint_id: str, ir_id: str, message: str
) -> IrResult:
    with open_complaint(deps, actor, complaint_id) as work:
        work.require(Action.SEND_REMINDER)
        ir = request_of(work, ir_id)
        ir.send_reminder(work.now, by=actor.user_id, note=message)
        return work.commit(), ir


def mark_quick_look(
    deps: Deps, actor: Actor, complaint_id: str, ir_id: str, *, marked: bool
) -> IrResult:
    """Set the agency-only "reviewed" mark.

    Clearing it on request is not supported: the domain has no such command nor an
    event for it. The mark clears itself when the response is sent back or the
    company submits again.
    """
    with open_complaint(deps, actor, complaint_id) as work:
        work.require(Action.MARK_QUICK_LOOK)
        ir = request_of(work, ir_id)
        if not marked:
            raise PreconditionFailed(
                "A quick-look mark cannot be cleared by hand; it clears itself when the "
                "response is sent back or submitted again. Send marked=true to set it.",
                reason="quick_look_clear_unsupported",
            )
        ir.mark_quick_look(work.now, by=actor.user_id)
        return work.commit(), ir


def send_back_response(
    deps: Deps, actor: Actor, complaint_id: str, ir_id: str, reason: str, new_due_date: date
) -> IrResult:
    with open_complaint(deps, actor, complaint_id) as work:
        work.require(Action.SEND_BACK_RESPONSE)
        ir = request_of(work, ir_id)
        ir.send_back(new_due_date, reason, work.now, by=actor.user_id)
        return work.commit(), ir


def complete_information_request(
    deps: Deps, actor: Actor, complaint_id: str, ir_id: str
) -> IrResult:
    """Accept the response (Managers and Supervisors of the owning agency, like send-back)."""
    with open_complaint(deps, actor, complaint_id) as work:
        work.require(Action.COMPLETE_INFORMATION_REQUEST)
        ir = request_of(work, ir_id)
        ir.complete(work.now, by=actor.user_id)
        return work.commit(), ir
