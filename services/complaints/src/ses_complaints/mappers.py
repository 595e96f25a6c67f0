"""Domain → protobuf, in the reader's projection (``visibility.Viewer``).

Every field a side must not see is left unset here, field by field, by asking
the viewer; nothing is removed after the fact. The agency view and the company
view are therefore the same code with different answers.

Restricted content a message carries (a restricted response or draft, complainant details
the complainant asked to restrict) is noted for the audit trail as it is mapped
(``note_restricted_read``); the kit files it before the answer leaves.
"""

from __future__ import annotations

from collections.abc import Iterable

from ses.common.v1 import common_pb2 as common
from ses.complaints.v1 import complaints_pb2 as pb
from ses_complaints.handlers import ComplaintSnapshot
from ses_complaints.proto_values import (
    complaint_actions_pb,
    date_pb,
    money_pb,
    request_actions_pb,
    request_status_pb,
    timestamp,
    user_ref,
)
from ses_core.models import InformationRequest as DomainRequest
from ses_core.models import Interaction, NoteKind, Party
from ses_core.models.next_actions import complaint_actions, information_request_actions
from ses_core.permissions import Action
from ses_core.platform.audit import RestrictedRead, note_restricted_read

# The audit trail's name for reading complainant details the complainant restricted.
VIEW_RESTRICTED_COMPLAINANT = "view_restricted_complainant"

_PARTY = {Party.AGENCY: common.PARTY_AGENCY, Party.COMPANY: common.PARTY_COMPANY}
NOTE_KINDS = {
    NoteKind.RESEARCH: pb.NOTE_KIND_RESEARCH,
    NoteKind.COMMUNICATION: pb.NOTE_KIND_COMMUNICATION,
}


class ComplaintMapper:
    """Maps one snapshot for its viewer."""

    def __init__(self, snapshot: ComplaintSnapshot) -> None:
        self.s = snapshot
        self.v = snapshot.viewer
        self.people = snapshot.people

    def _agency(self, user_id: str | None) -> common.UserRef | None:
        return user_ref(self.people, user_id, common.PARTY_AGENCY)

    def _company(self, user_id: str | None) -> common.UserRef | None:
        return user_ref(self.people, user_id, common.PARTY_COMPANY)

    def _note_read(self, action: str, kind: str, resource_id: str) -> None:
        complaint = self.s.complaint
        note_restricted_read(
            RestrictedRead(complaint.tenant_id, action, kind, resource_id, complaint.id)
        )

    def attachments(self, file_ids: Iterable[str]) -> list[pb.Attachment]:
        files = self.s.extras.files
        found = []
        for file_id in file_ids:
            meta = files.get(file_id)
            name, size = (meta.name, meta.size_bytes) if meta else ("", 0)
            found.append(pb.Attachment(file_id=file_id, file_name=name, size_bytes=size))
        return found

    def complaint(self) -> pb.Complaint:
        c, v = self.s.complaint, self.v
        message = pb.Complaint(
            complaint_id=c.id,
            agency_id=c.tenant_id,
            reference_number=c.reference_number,
            company_id=c.company_id,
            company_legal_name=self.s.company.legal_name if self.s.company else "",
            status=pb.ComplaintStatus.Value(f"COMPLAINT_STATUS_{c.status.value}"),
            view=pb.COMPLAINT_VIEW_AGENCY if v.is_agency else pb.COMPLAINT_VIEW_COMPANY,
            details=self.details(),
            documents=self.attachments(c.document_file_ids),
            agency_poc=self._agency(c.agency_poc_id),
            company_poc=self._company(c.company_poc_id),
            contributors=[ref for ref in map(self._company, c.contributor_ids) if ref is not None],
            information_requests=[
                self.information_request(ir) for ir in c.information_requests if v.sees_request(ir)
            ],
            sent_to_company=c.any_information_request_sent,
            created_at=timestamp(c.created_at),
            updated_at=timestamp(self.s.updated_at),
            available_actions=complaint_actions_pb(
                complaint_actions(v.actor, c, self.s.circumstances)
            ),
        )
        if v.sees("alleged_violations"):
            message.alleged_violations.extend(
                pb.AllegedViolation(
                    alleged_violation_id=violation.id,
                    citation=violation.citation,
                    description=violation.description,
                    added_by=self._agency(violation.added_by),
                    added_at=timestamp(violation.added_at),
                )
                for violation in c.alleged_violations
            )
        if v.sees("research_notes"):
            message.notes.extend(self.note(note.id) for note in c.research_notes)
        if v.sees("referrals") and c.referrals:
            message.referral.CopyFrom(self.referral())
        if c.closure is not None:
            message.closure.CopyFrom(self.closure())
        if c.cancellation is not None:
            cancellation = c.cancellation
            message.cancellation.CopyFrom(
                pb.Cancellation(
                    reason=cancellation.reason if v.sees("cancel_reason") else "",
                    canceled_by=self._agency(cancellation.canceled_by),
                    canceled_at=timestamp(cancellation.canceled_at),
                )
            )
        return message

    def details(self) -> pb.ComplaintDetails:
        c, v = self.s.complaint, self.v
        person = c.complainant
        complainant = pb.Complainant(
            given_name=person.first_name if v.sees("complainant_given_name") else "",
            family_name=person.last_name if v.sees("complainant_family_name") else "",
            email=(person.email or "") if v.sees("complainant_email") else "",
            phone=(person.phone or "") if v.sees("complainant_phone") else "",
        )
        address = self.s.extras.complainant_address
        if address is not None and v.sees("complainant_address"):
            complainant.address.CopyFrom(
                common.Address(
                    address_lines=list(address.address_lines),
                    city=address.city,
                    state_code=address.state_code,
                    postal_code=address.postal_code,
                    country_code=address.country_code,
                )
            )
        if c.complainant_restricted and v.sees("complainant_given_name"):
            self._note_read(VIEW_RESTRICTED_COMPLAINANT, "complainant", c.id)
        return pb.ComplaintDetails(
            complainant=complainant,
            received_date=date_pb(c.received_date),
            cfpb_complaint_id=c.cfpb_id or "",
            products=list(c.products),
            categories=list(c.internal_categories) if v.sees("internal_categories") else [],
            desired_outcome=c.desired_outcome if v.sees("desired_outcome") else "",
            description=c.description,
            complainant_restricted=c.complainant_restricted,
        )

    def note(self, note_id: str) -> pb.Note:
        note = next(n for n in self.s.complaint.research_notes if n.id == note_id)
        return pb.Note(
            note_id=note.id,
            kind=NOTE_KINDS[note.kind],
            text=note.text,
            author=self._agency(note.author_id),
            created_at=timestamp(note.created_at),
            updated_at=timestamp(note.updated_at),
        )

    def referral(self) -> pb.Referral:
        referral = self.s.complaint.referrals[-1]
        decision = pb.REFERRAL_DECISION_UNSPECIFIED
        if referral.accepted is not None:
            decision = (
                pb.REFERRAL_DECISION_ACCEPTED
                if referral.accepted
                else pb.REFERRAL_DECISION_REJECTED
            )
        return pb.Referral(
            from_agency_id=referral.from_agency_id,
            to_agency_id=referral.to_agency_id,
            reason=referral.note,
            referred_by=self._agency(referral.referred_by),
            referred_at=timestamp(referral.referred_at),
            decision=decision,
            decision_reason=referral.decision_note,
            decided_by=self._agency(referral.decided_by),
            decided_at=timestamp(referral.decided_at),
        )

    def closure(self) -> pb.Closure:
        closure, v = self.s.complaint.closure, self.v
        assert closure is not None
        message = pb.Closure(
            reason=pb.CloseReason.Value(_close_reason_name(closure.reason.value)),
            closed_by=self._agency(closure.closed_by),
            closed_at=timestamp(closure.closed_at),
            notes=self.s.extras.close_notes if v.sees("close_notes") else "",
        )
        if closure.relief_amount is not None and closure.relief_date is not None:
            message.monetary_relief.CopyFrom(
                pb.MonetaryRelief(
                    amount=money_pb(closure.relief_amount), date=date_pb(closure.relief_date)
                )
            )
        if v.sees_closure_sharing():
            message.shared_comments = closure.comments
            message.shared_documents.extend(self.attachments(closure.document_file_ids))
        return message

    def information_request(self, ir: DomainRequest) -> pb.InformationRequest:
        c, v, now = self.s.complaint, self.v, self.s.now
        number = next(i for i, other in enumerate(c.information_requests, 1) if other.id == ir.id)
        for index, response in enumerate(ir.responses, 1):
            if response.restricted and v.sees_submission(response.restricted):
                response_id = f"{ir.id}:{index}"
                self._note_read(Action.VIEW_RESTRICTED_RESPONSE.value, "response", response_id)
        message = pb.InformationRequest(
            information_request_id=ir.id,
            complaint_id=c.id,
            number=number,
            status=request_status_pb(ir.status, company_view=not v.is_agency),
            request_text=ir.request_text,
            attachments=self.attachments(ir.document_file_ids),
            due_date=date_pb(ir.due_date),
            original_due_date=date_pb(ir.original_due_date),
            overdue=ir.is_overdue(now),
            sent_at=timestamp(ir.sent_at),
            completed_at=timestamp(ir.completed_at),
            due_date_changes=self.due_date_changes(ir),
            reminders=[
                pb.Reminder(
                    message=reminder.note,
                    sent_by=self._agency(reminder.sent_by),
                    sent_at=timestamp(reminder.sent_at),
                )
                for reminder in ir.reminders
            ],
            submitted_responses=[
                pb.CompanyResponse(
                    response_id=f"{ir.id}:{index}",
                    text=response.content.text,
                    attachments=self.attachments(response.content.file_ids),
                    file_sharing_links=list(response.content.links),
                    restricted=response.restricted,
                    submitted_by=self._company(response.submitted_by),
                    submitted_at=timestamp(response.submitted_at),
                )
                for index, response in enumerate(ir.responses, 1)
                if v.sees_submission(response.restricted)
            ],
            send_backs=[
                pb.SendBack(
                    reason=send_back.reason,
                    new_due_date=date_pb(send_back.due_date),
                    sent_back_by=self._agency(send_back.sent_back_by),
                    sent_back_at=timestamp(send_back.sent_back_at),
                )
                for send_back in ir.send_backs
            ],
            quick_look_marked=ir.quick_look is not None and v.sees("quick_look_marks"),
            cancel_reason=ir.cancel_reason,
            canceled_at=timestamp(ir.canceled_at),
            available_actions=request_actions_pb(
                information_request_actions(v.actor, c, ir, self.s.circumstances)
            ),
        )
        if v.sees_draft(ir) and ir.draft is not None:
            message.draft.CopyFrom(self.draft(ir))
        pending = ir.pending_send_back_request
        if pending is not None:
            message.pending_send_back_request.CopyFrom(
                pb.SendBackRequestDetails(
                    reason=pending.reason,
                    requested_by=self._company(pending.requested_by),
                    requested_at=timestamp(pending.requested_at),
                )
            )
        return message

    def draft(self, ir: DomainRequest) -> pb.CompanyResponse:
        draft = ir.draft
        assert draft is not None
        if draft.restricted:
            self._note_read(Action.VIEW_RESPONSE_DRAFT.value, "response_draft", f"{ir.id}:draft")
        comment = self.s.extras.internal_comments.get(ir.id)
        return pb.CompanyResponse(
            response_id=f"{ir.id}:draft",
            text=draft.content.text,
            attachments=self.attachments(draft.content.file_ids),
            file_sharing_links=list(draft.content.links),
            restricted=draft.restricted,
            internal_comment=(
                comment.text if comment and self.v.sees("company_internal_comments") else ""
            ),
            last_edited_by=self._company(draft.saved_by),
            updated_at=timestamp(draft.saved_at),
            sent_to_poc_at=timestamp(draft.sent_to_poc_at),
        )

    def due_date_changes(self, ir: DomainRequest) -> list[pb.DueDateChange]:
        reasons = self.s.extras.extension_reasons.get(ir.id, [])
        changes = [
            (
                extension.extended_at,
                pb.DueDateChange(
                    kind=pb.DUE_DATE_CHANGE_KIND_EXTENSION,
                    previous_due_date=date_pb(extension.previous_due_date),
                    new_due_date=date_pb(extension.due_date),
                    reason=reasons[index] if index < len(reasons) else "",
                    changed_by=self._agency(extension.extended_by),
                    changed_at=timestamp(extension.extended_at),
                ),
            )
            for index, extension in enumerate(ir.extensions)
        ]
        changes += [
            (
                send_back.sent_back_at,
                pb.DueDateChange(
                    kind=pb.DUE_DATE_CHANGE_KIND_SEND_BACK,
                    previous_due_date=date_pb(send_back.previous_due_date),
                    new_due_date=date_pb(send_back.due_date),
                    reason=send_back.reason,
                    changed_by=self._agency(send_back.sent_back_by),
                    changed_at=timestamp(send_back.sent_back_at),
                ),
            )
            for send_back in ir.send_backs
        ]
        return [change for _, change in sorted(changes, key=lambda pair: pair[0])]

    def interaction(self, interaction: Interaction) -> pb.Interaction:
        return pb.Interaction(
            interaction_id=interaction.id,
            author=user_ref(self.people, interaction.author_id, _PARTY[interaction.party]),
            text=interaction.text,
            attachments=self.attachments(interaction.file_ids),
            posted_at=timestamp(interaction.posted_at),
        )


def _close_reason_name(value: str) -> str:
    # The proto spells two reasons differently from the domain.
    renamed = {
        "CANCELLED_BY_COMPLAINANT": "CANCELED_BY_COMPLAINANT",
        "REFERRED_FOR_INVESTIGATION": "REFERRED_TO_INVESTIGATION",
    }
    return f"CLOSE_REASON_{renamed.get(value, value)}"
