"""Agency commands on the complaint itself: record, review, update, POC, notes, referral, end."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from ses_complaints import directory
from ses_complaints.attachments import FileRef
from ses_complaints.extras import ComplaintExtras, PostalAddress
from ses_complaints.handlers._base import (
    ComplaintSnapshot,
    Deps,
    Work,
    open_complaint,
    resolve_files,
    view_complaint,
)
from ses_complaints.references import draw_reference_number
from ses_core.errors import NotFound, PreconditionFailed, quote
from ses_core.identity import Actor
from ses_core.lifecycle import CloseReason
from ses_core.limits import TextField, checked_text
from ses_core.models import AllegedViolation, Complainant, Complaint, NoteKind, ResearchNote
from ses_core.permissions import (
    Action,
    Resource,
    ResourceKind,
    require,
    require_capable,
)
from ses_core.uploads import AttachmentKind

UNCHANGED: Any = object()
"""Marks a ``DetailChanges`` field the update does not name."""


@dataclass(frozen=True)
class NewComplaint:
    company_id: str
    complainant: Complainant
    complainant_address: PostalAddress | None
    received_date: date
    description: str
    cfpb_id: str = ""
    products: tuple[str, ...] = ()
    internal_categories: tuple[str, ...] = ()
    desired_outcome: str = ""
    complainant_restricted: bool = False
    documents: list[FileRef] = field(default_factory=list)
    preliminary_review: bool = False
    agency_poc_id: str = ""


def create_complaint(deps: Deps, actor: Actor, new: NewComplaint) -> ComplaintSnapshot:
    resource = Resource(kind=ResourceKind.COMPLAINT, tenant_id=actor.tenant_id)
    require(actor, Action.CREATE_COMPLAINT, resource)
    assert actor.tenant_id is not None  # CREATE_COMPLAINT is for agency users only
    with deps.unit_of_work(actor.tenant_id) as uow:
        company = directory.company(uow.session, new.company_id)
        if company is None:
            raise NotFound(
                f"There is no company {quote(new.company_id)} in the SES directory; find it with "
                "SearchCompanies (by NMLS ID, SES Company ID or name), or register it first.",
                reason="company_not_found",
            )
        poc = new.agency_poc_id or actor.user_id
        if poc != actor.user_id:
            check_agency_poc(uow.session, actor.tenant_id, poc)
        extras = ComplaintExtras(complainant_address=new.complainant_address)
        documents = resolve_files(
            deps, uow.session, actor, new.documents, AttachmentKind.COMPLAINT_DOCUMENT, known={}
        )
        now = deps.now()
        complaint = Complaint.create(
            reference_number=draw_reference_number(uow.session, actor.tenant_id, now),
            tenant_id=actor.tenant_id,
            company_id=new.company_id,
            complainant=_with_address(new.complainant, new.complainant_address),
            received_date=new.received_date,
            description=new.description,
            now=now,
            by=actor.user_id,
            preliminary_review=new.preliminary_review,
            agency_poc_id=poc,
            cfpb_id=new.cfpb_id,
            products=new.products,
            internal_categories=new.internal_categories,
            desired_outcome=new.desired_outcome,
            document_file_ids=list(documents),
            complainant_restricted=new.complainant_restricted,
        )
        extras.remember_files(documents)
        uow.complaints.add_new(complaint, extras)
        return Work(deps, actor, uow, complaint, new=True, company=company).commit()


def get_complaint(
    deps: Deps, actor: Actor, complaint_id: str = "", *, reference_number: str = ""
) -> ComplaintSnapshot:
    """The complaint named by its id, or else by its reference number.

    A reference the caller may not read is answered as one never used, naming the
    reference only: the id behind it is not the caller's to learn.
    """
    return view_complaint(deps, actor, complaint_id=complaint_id, reference_number=reference_number)


@dataclass(frozen=True)
class DetailChanges:
    """The fields an update names; ``complainant_parts`` holds changed complainant fields."""

    complainant_parts: dict[str, Any] = field(default_factory=dict)
    complainant_address: Any = UNCHANGED
    values: dict[str, Any] = field(default_factory=dict)


def update_complaint(
    deps: Deps, actor: Actor, complaint_id: str, changes: DetailChanges
) -> ComplaintSnapshot:
    with open_complaint(deps, actor, complaint_id) as work:
        work.require(Action.UPDATE_COMPLAINT)
        complaint, extras = work.complaint, work.extras
        values = dict(changes.values)
        address = extras.complainant_address
        if changes.complainant_address is not UNCHANGED:
            address = changes.complainant_address
        if changes.complainant_parts or changes.complainant_address is not UNCHANGED:
            person = complaint.complainant.model_copy(update=changes.complainant_parts)
            values["complainant"] = _with_address(person, address)
        complaint.update_details(work.now, by=actor.user_id, **values)
        extras.complainant_address = address
        return work.commit()


def proceed_to_processing(deps: Deps, actor: Actor, complaint_id: str) -> ComplaintSnapshot:
    with open_complaint(deps, actor, complaint_id) as work:
        work.require(Action.PROCEED_TO_PROCESSING)
        work.complaint.proceed_to_processing(work.now, by=actor.user_id)
        return work.commit()


def assign_agency_poc(
    deps: Deps, actor: Actor, complaint_id: str, user_id: str
) -> ComplaintSnapshot:
    with open_complaint(deps, actor, complaint_id) as work:
        work.require(Action.ASSIGN_AGENCY_POC)
        check_agency_poc(work.session, work.complaint.tenant_id, user_id)
        work.complaint.assign_agency_poc(user_id, work.now, by=actor.user_id)
        return work.commit()


def add_alleged_violation(
    deps: Deps, actor: Actor, complaint_id: str, citation: str, description: str
) -> tuple[ComplaintSnapshot, AllegedViolation]:
    with open_complaint(deps, actor, complaint_id) as work:
        work.require(Action.ADD_ALLEGED_VIOLATION)
        violation = work.complaint.add_alleged_violation(
            citation, work.now, by=actor.user_id, description=description
        )
        return work.commit(), violation


def add_research_note(
    deps: Deps, actor: Actor, complaint_id: str, kind: NoteKind, text: str
) -> tuple[ComplaintSnapshot, ResearchNote]:
    with open_complaint(deps, actor, complaint_id) as work:
        work.require(Action.ADD_RESEARCH_NOTE)
        note = work.complaint.add_research_note(text, work.now, by=actor.user_id, kind=kind)
        return work.commit(), note


def update_research_note(
    deps: Deps, actor: Actor, complaint_id: str, note_id: str, text: str
) -> tuple[ComplaintSnapshot, ResearchNote]:
    with open_complaint(deps, actor, complaint_id) as work:
        work.require(Action.ADD_RESEARCH_NOTE)
        work.complaint.edit_research_note(note_id, text, work.now, by=actor.user_id)
        note = next(n for n in work.complaint.research_notes if n.id == note_id)
        return work.commit(), note


def refer_complaint(
    deps: Deps, actor: Actor, complaint_id: str, to_agency_id: str, reason: str
) -> ComplaintSnapshot:
    with open_complaint(deps, actor, complaint_id) as work:
        work.require(Action.REFER_COMPLAINT)
        if to_agency_id != work.complaint.tenant_id and (
            directory.agency_name(work.session, to_agency_id) is None
        ):
            raise NotFound(
                f"There is no agency {quote(to_agency_id)}; check the id of the agency to "
                "refer to.",
                reason="agency_not_found",
            )
        work.complaint.refer(to_agency_id, work.now, by=actor.user_id, note=reason)
        return work.commit()


def decide_referral(
    deps: Deps,
    actor: Actor,
    complaint_id: str,
    *,
    accept: bool,
    reason: str,
    agency_poc_id: str = "",
) -> ComplaintSnapshot:
    """Accepting commits as the receiving agency: the complaint becomes its own."""
    as_tenant = actor.tenant_id if accept else None
    with open_complaint(deps, actor, complaint_id, as_tenant=as_tenant) as work:
        complaint = work.complaint
        if complaint.pending_referral is None:
            # Let the state machine explain that nothing awaits a decision, to those who
            # could decide a referral: anyone else is told they never may.
            require_capable(actor, Action.DECIDE_REFERRAL)
            complaint.decide_referral(accept, work.now, by=actor.user_id)
        work.require(Action.DECIDE_REFERRAL)
        poc = agency_poc_id or actor.user_id
        if accept and poc != actor.user_id:
            assert actor.tenant_id is not None
            check_agency_poc(work.session, actor.tenant_id, poc)
        complaint.decide_referral(
            accept, work.now, by=actor.user_id, agency_poc_id=poc if accept else None, note=reason
        )
        return work.commit()


@dataclass(frozen=True)
class Closing:
    reason: CloseReason | None
    relief_amount: Decimal | None = None
    relief_date: date | None = None
    shared_comments: str = ""
    shared_documents: list[FileRef] = field(default_factory=list)
    notes: str = ""


def close_complaint(
    deps: Deps, actor: Actor, complaint_id: str, closing: Closing
) -> ComplaintSnapshot:
    with open_complaint(deps, actor, complaint_id) as work:
        work.require(Action.CLOSE_COMPLAINT)
        documents = work.files(closing.shared_documents, AttachmentKind.COMPLAINT_DOCUMENT)
        shared = bool(closing.shared_comments.strip() or documents)
        work.complaint.close(
            closing.reason,
            work.now,
            by=actor.user_id,
            relief_amount=closing.relief_amount,
            relief_date=closing.relief_date,
            comments=closing.shared_comments,
            share_with_company=shared,
            document_file_ids=list(documents),
        )
        work.extras.close_notes = checked_text(TextField.CLOSE_NOTES, closing.notes)
        return work.commit()


def cancel_complaint(deps: Deps, actor: Actor, complaint_id: str, reason: str) -> ComplaintSnapshot:
    with open_complaint(deps, actor, complaint_id) as work:
        work.require(Action.CANCEL_COMPLAINT)
        work.complaint.cancel(reason, work.now, by=actor.user_id)
        return work.commit()


def check_agency_poc(session: Session, tenant_id: str, user_id: str) -> None:
    """The user must belong to the agency, be active and work complaints (Manager/Supervisor)."""
    person = directory.person(session, user_id)
    if person is None or person.agency_id != tenant_id:
        raise NotFound(
            f"There is no user {quote(user_id)} in this agency; check the user id (a user created "
            "moments ago may take a few seconds to appear).",
            reason="user_not_found",
        )
    if not person.active:
        raise PreconditionFailed(
            f"{person.display_name} is deactivated and cannot be the Agency POC; choose an "
            "active user.",
            reason="user_inactive",
        )
    if not person.works_complaints:
        raise PreconditionFailed(
            f"{person.display_name} is not a Complaint Manager or Supervisor, so cannot be the "
            "Agency POC; choose one, or ask your Agency Account Administrator to change their "
            "role.",
            reason="agency_poc_role",
        )


def _with_address(person: Complainant, address: PostalAddress | None) -> Complainant:
    line = address.one_line() if address is not None else ""
    return person.model_copy(update={"address": line or None})
