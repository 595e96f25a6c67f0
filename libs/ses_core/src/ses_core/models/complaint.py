"""The complaint aggregate: a consumer's complaint against a company, owned by an agency.

Every command checks the complaint's state through ``COMPLAINT_MACHINE`` and its
data rules, changes the complaint and raises one past-tense event per change
(``complaint_events``). Who may run a command is decided elsewhere
(``ses_core.permissions``); the model trusts the ``by`` it is given.

Choices where the spec is silent:

- The received date may not be after today (US Eastern).
- A complainant needs a first or last name; e-mail and phone are optional and
  checked for shape only.
- Accepting a referral moves the complaint, with its unsent requests, to the
  receiving agency; its Agency POC becomes the one the receiving agency names
  (default: whoever decided). Rejecting leaves everything with the referring
  agency. A complaint cannot be referred to the agency that holds it.
- Interactions may be posted only while the complaint is ``OPEN``; each needs
  text or a file.
- Assigning the same Company POC again, or adding a contributor twice, changes
  nothing and raises no event. The Company POC cannot also be a contributor.
- Closing completes every request in progress and cancels unsent ones; canceling
  cancels every request that is not final. Their events come before the
  complaint's own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ses_core.errors import NotFound, ValidationFailed, quote
from ses_core.lifecycle._time import eastern_today
from ses_core.lifecycle.complaint import (
    COMPLAINT_MACHINE,
    CloseReason,
    ComplaintAction,
    ComplaintContext,
    ComplaintStatus,
)
from ses_core.lifecycle.information_request import INFORMATION_REQUEST_MACHINE
from ses_core.limits import TextField, checked_text
from ses_core.models import complaint_events as ev
from ses_core.models._checks import (
    check_email,
    check_phone,
    distinct_ids,
    new_id,
    required_id,
    required_text,
)
from ses_core.models._complaint_collaboration import ComplaintCollaboration
from ses_core.models.complaint_parts import (
    AllegedViolation,
    Cancellation,
    Closure,
    Complainant,
    NoteKind,
    Referral,
    ResearchNote,
)

_Status = ComplaintStatus
_Action = ComplaintAction


class Complaint(ComplaintCollaboration):
    """The complaint aggregate; see the module docstring for its rules."""

    @classmethod
    def create(
        cls,
        *,
        reference_number: str,
        tenant_id: str,
        company_id: str,
        complainant: Complainant,
        received_date: date,
        description: str,
        now: datetime,
        by: str,
        preliminary_review: bool = False,
        agency_poc_id: str | None = None,
        cfpb_id: str | None = None,
        products: Sequence[str] = (),
        internal_categories: Sequence[str] = (),
        desired_outcome: str = "",
        document_file_ids: Sequence[str] = (),
        complainant_restricted: bool = False,
        complaint_id: str | None = None,
    ) -> Complaint:
        """Record a new complaint; it starts in preliminary review if asked, else open.

        ``reference_number`` is the one the service drew for it (``complaint_reference``).
        """
        complaint = cls(
            id=complaint_id or new_id(),
            reference_number=required_text(
                reference_number,
                "the complaint's reference number",
                reason="reference_number_required",
            ),
            tenant_id=required_id(tenant_id, "the agency"),
            company_id=required_id(company_id, "the company"),
            status=_Status.PENDING_REVIEW if preliminary_review else _Status.OPEN,
            complainant=_checked_complainant(complainant),
            complainant_restricted=complainant_restricted,
            received_date=_checked_received_date(received_date, now),
            cfpb_id=_text(TextField.CFPB_COMPLAINT_ID, cfpb_id or "") or None,
            products=_labels(products, TextField.PRODUCT),
            internal_categories=_labels(internal_categories, TextField.CATEGORY),
            desired_outcome=_text(TextField.DESIRED_OUTCOME, desired_outcome),
            description=_description(description),
            document_file_ids=distinct_ids(document_file_ids, "a document id"),
            agency_poc_id=required_id(agency_poc_id or by, "the Agency POC"),
            created_by=by,
            created_at=now,
        )
        complaint._emit(
            ev.ComplaintCreated,
            now,
            by,
            status=complaint.status,
            received_date=complaint.received_date,
            agency_poc_id=complaint.agency_poc_id,
            cfpb_id=complaint.cfpb_id,
        )
        return complaint

    # -- agency: the complaint itself -----------------------------------------------

    def proceed_to_processing(self, now: datetime, *, by: str) -> None:
        """End the preliminary review."""
        with self._transition(COMPLAINT_MACHINE, _Action.PROCEED_TO_PROCESSING):
            self._emit(ev.ComplaintOpened, now, by)

    def update_details(
        self,
        now: datetime,
        *,
        by: str,
        complainant: Complainant | None = None,
        complainant_restricted: bool | None = None,
        received_date: date | None = None,
        cfpb_id: str | None = None,
        products: Sequence[str] | None = None,
        internal_categories: Sequence[str] | None = None,
        desired_outcome: str | None = None,
        description: str | None = None,
        document_file_ids: Sequence[str] | None = None,
    ) -> None:
        """Change the details given (None leaves one as it is; ``cfpb_id=""`` clears it)."""
        with self._transition(COMPLAINT_MACHINE, _Action.UPDATE):
            cleaned: dict[str, Any] = {}
            if complainant is not None:
                cleaned["complainant"] = _checked_complainant(complainant)
            if complainant_restricted is not None:
                cleaned["complainant_restricted"] = complainant_restricted
            if received_date is not None:
                cleaned["received_date"] = _checked_received_date(received_date, now)
            if cfpb_id is not None:
                cleaned["cfpb_id"] = _text(TextField.CFPB_COMPLAINT_ID, cfpb_id) or None
            if products is not None:
                cleaned["products"] = _labels(products, TextField.PRODUCT)
            if internal_categories is not None:
                cleaned["internal_categories"] = _labels(internal_categories, TextField.CATEGORY)
            if desired_outcome is not None:
                cleaned["desired_outcome"] = _text(TextField.DESIRED_OUTCOME, desired_outcome)
            if description is not None:
                cleaned["description"] = _description(description)
            if document_file_ids is not None:
                cleaned["document_file_ids"] = distinct_ids(document_file_ids, "a document id")
            changed = tuple(name for name, value in cleaned.items() if getattr(self, name) != value)
            for name in changed:
                setattr(self, name, cleaned[name])
            if changed:
                self._emit(ev.ComplaintUpdated, now, by, changed_fields=changed)

    def assign_agency_poc(self, user_id: str, now: datetime, *, by: str) -> None:
        with self._transition(COMPLAINT_MACHINE, _Action.ASSIGN_AGENCY_POC):
            previous, self.agency_poc_id = (
                self.agency_poc_id,
                required_id(user_id, "the Agency POC"),
            )
            if previous != self.agency_poc_id:
                self._emit(
                    ev.AgencyPocAssigned,
                    now,
                    by,
                    agency_poc_id=self.agency_poc_id,
                    previous_agency_poc_id=previous,
                )

    def add_alleged_violation(
        self, citation: str, now: datetime, *, by: str, description: str = ""
    ) -> AllegedViolation:
        with self._transition(COMPLAINT_MACHINE, _Action.ADD_ALLEGED_VIOLATION):
            violation = AllegedViolation(
                id=new_id(),
                citation=_text(
                    TextField.ALLEGED_VIOLATION_CITATION, citation, required="citation_required"
                ),
                description=_text(TextField.ALLEGED_VIOLATION_DESCRIPTION, description),
                added_by=by,
                added_at=now,
            )
            self.alleged_violations.append(violation)
            self._emit(
                ev.AllegedViolationAdded,
                now,
                by,
                violation_id=violation.id,
                citation=violation.citation,
            )
            return violation

    def add_research_note(
        self, text: str, now: datetime, *, by: str, kind: NoteKind = NoteKind.RESEARCH
    ) -> ResearchNote:
        """Allowed in every state, closed and canceled included."""
        note = ResearchNote(
            id=new_id(),
            kind=kind,
            text=_note_text(text),
            author_id=by,
            created_at=now,
            updated_at=now,
            updated_by=by,
        )
        self.research_notes.append(note)
        self._emit(ev.ResearchNoteAdded, now, by, note_id=note.id, kind=kind)
        return note

    def edit_research_note(self, note_id: str, text: str, now: datetime, *, by: str) -> None:
        """Allowed in every state, closed and canceled included."""
        for index, note in enumerate(self.research_notes):
            if note.id == note_id:
                self.research_notes[index] = note.model_copy(
                    update={
                        "text": _note_text(text),
                        "updated_at": now,
                        "updated_by": by,
                    }
                )
                self._emit(ev.ResearchNoteEdited, now, by, note_id=note_id)
                return
        raise NotFound(
            f"This complaint has no note {quote(note_id)}; check the note id.",
            reason="note_not_found",
        )

    # -- referral ----------------------------------------------------------------------

    def check_refer(self) -> None:
        """Raise what ``refer`` would for the complaint's state: not ``OPEN``, or an
        information request already sent. Changes nothing."""
        COMPLAINT_MACHINE.next_state(self.status, _Action.REFER, self._referral_context())

    def refer(self, to_agency_id: str, now: datetime, *, by: str, note: str = "") -> None:
        """Offer the complaint to another agency; only before any request was sent."""
        with self._transition(COMPLAINT_MACHINE, _Action.REFER, self._referral_context()):
            target = required_id(to_agency_id, "the agency to refer to")
            if target == self.tenant_id:
                raise ValidationFailed(
                    "A complaint cannot be referred to the agency that already holds it; "
                    "choose another agency.",
                    reason="referral_to_self",
                )
            self.referrals.append(
                Referral(
                    from_agency_id=self.tenant_id,
                    to_agency_id=target,
                    note=_text(TextField.REFERRAL_REASON, note),
                    referred_by=by,
                    referred_at=now,
                )
            )
            self._emit(
                ev.ComplaintReferred, now, by, from_agency_id=self.tenant_id, to_agency_id=target
            )

    def _referral_context(self) -> ComplaintContext:
        return ComplaintContext(any_information_request_sent=self.any_information_request_sent)

    def decide_referral(
        self,
        accept: bool,
        now: datetime,
        *,
        by: str,
        agency_poc_id: str | None = None,
        note: str = "",
    ) -> None:
        """The receiving agency accepts (takes the complaint over) or rejects the referral."""
        with self._transition(
            COMPLAINT_MACHINE, _Action.ACCEPT_REFERRAL if accept else _Action.REJECT_REFERRAL
        ):
            referral = self.referrals[-1]
            new_poc = required_id(agency_poc_id or by, "the Agency POC")
            self.referrals[-1] = referral.model_copy(
                update={
                    "accepted": accept,
                    "decided_by": by,
                    "decided_at": now,
                    "decision_note": _text(TextField.REFERRAL_DECISION_REASON, note),
                }
            )
            if accept:
                self.tenant_id = referral.to_agency_id
                self.agency_poc_id = new_poc
                for ir in self.information_requests:
                    ir.tenant_id = referral.to_agency_id
            self._emit(
                ev.ReferralDecided,
                now,
                by,
                from_agency_id=referral.from_agency_id,
                to_agency_id=referral.to_agency_id,
                accepted=accept,
                agency_poc_id=self.agency_poc_id,
            )

    # -- ending ------------------------------------------------------------------------

    def close(
        self,
        reason: CloseReason | None,
        now: datetime,
        *,
        by: str,
        relief_amount: Decimal | None = None,
        relief_date: date | None = None,
        comments: str = "",
        share_with_company: bool = False,
        document_file_ids: Sequence[str] = (),
    ) -> None:
        """Close for good; requests in progress complete, unsent ones are canceled."""
        context = ComplaintContext(
            close_reason=reason, relief_amount=relief_amount, relief_date=relief_date
        )
        with self._transition(COMPLAINT_MACHINE, _Action.CLOSE, context):
            assert reason is not None  # the guard refuses a missing reason
            closure = Closure(
                reason=reason,
                relief_amount=relief_amount,
                relief_date=relief_date,
                comments=_text(TextField.CLOSE_SHARED_COMMENTS, comments),
                shared_with_company=share_with_company,
                document_file_ids=tuple(distinct_ids(document_file_ids, "a document id")),
                closed_by=by,
                closed_at=now,
            )
            self._end_requests(closed=True, now=now, by=by)
            self.closure = closure
            self._emit(
                ev.ComplaintClosed,
                now,
                by,
                close_reason=reason,
                relief_amount=relief_amount,
                relief_date=relief_date,
                shared_with_company=share_with_company,
                comments_for_company=closure.comments if share_with_company else "",
                documents_for_company=closure.document_file_ids if share_with_company else (),
            )

    def cancel(self, reason: str, now: datetime, *, by: str) -> None:
        """Cancel for good, with a reason; every request not yet final is canceled."""
        reason = _text(TextField.CANCEL_REASON, reason)
        context = ComplaintContext(cancel_reason=reason)
        with self._transition(COMPLAINT_MACHINE, _Action.CANCEL, context):
            self._end_requests(closed=False, now=now, by=by)
            self.cancellation = Cancellation(reason=reason, canceled_by=by, canceled_at=now)
            self._emit(ev.ComplaintCanceled, now, by, reason=reason)

    def _end_requests(self, *, closed: bool, now: datetime, by: str) -> None:
        for ir in self.information_requests:
            if not INFORMATION_REQUEST_MACHINE.is_final(ir.status):
                ir.end_with_complaint(closed=closed, now=now, by=by)


def _text(field: TextField, value: str, *, required: str | None = None) -> str:
    """``value`` within its limit (``ses_core.limits``), trimmed; blank refused with
    ``required`` when given."""
    return checked_text(field, value, required_reason=required)


def _note_text(text: str) -> str:
    return _text(TextField.RESEARCH_NOTE, text, required="note_text_required")


def _labels(values: Iterable[str], field: TextField) -> list[str]:
    """Non-blank labels, each on one line within its limit, in first-seen order without
    repeats."""
    labels = (checked_text(field, value) for value in values)
    return list(dict.fromkeys(label for label in labels if label))


def _checked_complainant(complainant: Complainant) -> Complainant:
    if not (complainant.first_name.strip() or complainant.last_name.strip()):
        raise ValidationFailed(
            "Give the complainant's first or last name.", reason="complainant_name_required"
        )
    return complainant.model_copy(
        update={
            "first_name": _text(TextField.COMPLAINANT_GIVEN_NAME, complainant.first_name),
            "last_name": _text(TextField.COMPLAINANT_FAMILY_NAME, complainant.last_name),
            "email": check_email(complainant.email) if complainant.email else None,
            "phone": check_phone(complainant.phone) if complainant.phone else None,
        }
    )


def _checked_received_date(received: date, now: datetime) -> date:
    today = eastern_today(now)
    if received > today:
        raise ValidationFailed(
            f"The received date {received.isoformat()} is in the future; today in US Eastern "
            f"time is {today.isoformat()}.",
            reason="received_date_in_future",
        )
    return received


def _description(text: str) -> str:
    return _text(TextField.COMPLAINT_DESCRIPTION, text, required="description_required")
