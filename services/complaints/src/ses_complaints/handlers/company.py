"""Company commands: the Company POC, contributors, drafts, submissions, send-back requests.

Who may be Company POC or contributor is checked against this service's
projection of the company's users (``directory``): an active user of the same
company with Manage Complaints permission. A user created or changed moments ago
may not be known yet; the message says so.

Choices where the spec is silent:

- A restricted draft (marked by the POC, or a restricted response sent back for
  updates) stays restricted when saved or submitted without saying otherwise, so
  contributors cannot reach it; only the POC sets or lifts the mark
  (``Action.RESTRICT_RESPONSE``).
- The company-internal comment belongs to the draft: saving replaces it, a
  contributor's note to the POC (SendDraftToPoc) becomes it, submitting clears it.
- Files join and leave a draft only as a save names them (``DraftEdit``); the
  batch limit and the rules for removing are the domain's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from ses_complaints import directory
from ses_complaints.attachments import FileRef
from ses_complaints.extras import InternalComment
from ses_complaints.handlers._base import ComplaintSnapshot, Deps, Work, open_complaint
from ses_complaints.handlers.requests import IrResult, request_of
from ses_core.errors import NotFound, PreconditionFailed, quote
from ses_core.identity import Actor
from ses_core.limits import TextField, checked_text
from ses_core.models import DraftEdit, InformationRequest
from ses_core.permissions import Action
from ses_core.uploads import AttachmentKind


def assign_company_poc(
    deps: Deps, actor: Actor, complaint_id: str, user_id: str
) -> ComplaintSnapshot:
    with open_complaint(deps, actor, complaint_id) as work:
        work.require(Action.ASSIGN_COMPANY_POC)
        check_company_manager(work.session, work.complaint.company_id, user_id, "Company POC")
        work.complaint.assign_company_poc(user_id, work.now, by=actor.user_id)
        return work.commit()


def add_contributor(deps: Deps, actor: Actor, complaint_id: str, user_id: str) -> ComplaintSnapshot:
    with open_complaint(deps, actor, complaint_id) as work:
        work.require(Action.ADD_CONTRIBUTOR)
        check_company_manager(work.session, work.complaint.company_id, user_id, "a contributor")
        work.complaint.add_contributor(user_id, work.now, by=actor.user_id)
        return work.commit()


@dataclass(frozen=True)
class Draft:
    """One SaveResponseDraft: ``None`` keeps what is saved (text, comment, restriction);
    files and links change only as named."""

    text: str | None = None
    add_files: list[FileRef] = field(default_factory=list)
    remove_file_ids: tuple[str, ...] = ()
    add_links: tuple[str, ...] = ()
    remove_links: tuple[str, ...] = ()
    internal_comment: str | None = None
    restricted: bool | None = None


def save_response_draft(
    deps: Deps, actor: Actor, complaint_id: str, ir_id: str, draft: Draft
) -> IrResult:
    with open_complaint(deps, actor, complaint_id) as work:
        ir = request_of(work, ir_id)
        restricted = _draft_restricted(ir)
        work.require(Action.SAVE_RESPONSE_DRAFT, restricted=restricted)
        if draft.restricted is not None and draft.restricted != restricted:
            work.require(Action.RESTRICT_RESPONSE)
        added = work.files(draft.add_files, AttachmentKind.RESPONSE)
        edit = DraftEdit(
            text=draft.text,
            add_file_ids=tuple(added),
            remove_file_ids=draft.remove_file_ids,
            add_links=draft.add_links,
            remove_links=draft.remove_links,
        )
        ir.save_draft(
            edit, work.now, by=actor.user_id, restricted=draft.restricted, policy=deps.policy
        )
        if draft.internal_comment is not None:
            comment = checked_text(TextField.INTERNAL_COMMENT, draft.internal_comment)
            work.extras.set_internal_comment(
                ir_id,
                InternalComment(text=comment, by=actor.user_id, at=work.now) if comment else None,
            )
        return work.commit(), ir


def send_draft_to_poc(
    deps: Deps, actor: Actor, complaint_id: str, ir_id: str, message: str
) -> IrResult:
    with open_complaint(deps, actor, complaint_id) as work:
        ir = request_of(work, ir_id)
        work.require(Action.SEND_DRAFT_TO_POC, restricted=_draft_restricted(ir))
        work.complaint.send_draft_to_poc(ir_id, work.now, by=actor.user_id)
        message = checked_text(TextField.DRAFT_NOTE_TO_POC, message)
        if message:
            note = InternalComment(text=message, by=actor.user_id, at=work.now)
            work.extras.set_internal_comment(ir_id, note)
        return work.commit(), ir


def submit_response(
    deps: Deps, actor: Actor, complaint_id: str, ir_id: str, *, restricted: bool | None
) -> IrResult:
    """Submit the draft; ``restricted=None`` keeps the draft's setting."""
    with open_complaint(deps, actor, complaint_id) as work:
        work.require(Action.SUBMIT_RESPONSE)
        ir = request_of(work, ir_id)
        ir.submit_response(work.now, by=actor.user_id, restricted=restricted, policy=deps.policy)
        work.extras.set_internal_comment(ir_id, None)
        return work.commit(), ir


def request_send_back(
    deps: Deps, actor: Actor, complaint_id: str, ir_id: str, reason: str
) -> IrResult:
    with open_complaint(deps, actor, complaint_id) as work:
        work.require(Action.REQUEST_SEND_BACK)
        ir = request_of(work, ir_id)
        work.complaint.request_send_back(ir_id, reason, work.now, by=actor.user_id)
        return work.commit(), ir


def check_company_manager(session: Session, company_id: str, user_id: str, role: str) -> None:
    """The user must be an active user of the company with Manage Complaints permission."""
    person = directory.person(session, user_id)
    if person is None or person.company_id != company_id:
        raise NotFound(
            f"There is no user {quote(user_id)} in this company; check the user id (a user created "
            "moments ago may take a few seconds to appear).",
            reason="user_not_found",
        )
    if not person.active:
        raise PreconditionFailed(
            f"{person.display_name} is deactivated and cannot be {role}; choose an active user.",
            reason="user_inactive",
        )
    if not person.can_manage_complaints:
        raise PreconditionFailed(
            f"{person.display_name} does not have Manage Complaints permission, so cannot be "
            f"{role}; choose a user who has it, or ask an Account Administrator to grant it.",
            reason="manage_permission_required",
        )


def _draft_restricted(ir: InformationRequest) -> bool:
    return ir.draft is not None and ir.draft.restricted


__all__ = [
    "Draft",
    "Work",
    "add_contributor",
    "assign_company_poc",
    "check_company_manager",
    "request_send_back",
    "save_response_draft",
    "send_draft_to_poc",
    "submit_response",
]
