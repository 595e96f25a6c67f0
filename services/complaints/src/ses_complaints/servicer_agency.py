"""Agency RPCs: the complaint itself and its information requests."""

from __future__ import annotations

from typing_extensions import override

from ses.complaints.v1 import complaints_pb2 as pb
from ses_complaints import handlers as h
from ses_complaints import parsing
from ses_complaints.mappers import ComplaintMapper
from ses_complaints.rpc_base import Context, RpcBase, ids
from ses_core.limits import TextField


class AgencyRpcs(RpcBase):
    # -- agency: complaints ----------------------------------------------------------

    @override
    async def CreateComplaint(
        self, request: pb.CreateComplaintRequest, context: Context
    ) -> pb.CreateComplaintResponse:
        company_id = parsing.required(request.company_id, "company_id")
        parsing.required_message(request, "details")
        details = request.details
        received = parsing.required_date(details, "received_date", path="details.received_date")
        description = parsing.required_text(TextField.COMPLAINT_DESCRIPTION, details.description)
        person, address = parsing.complainant(details.complainant)
        new = h.NewComplaint(
            company_id=company_id,
            complainant=person,
            complainant_address=address,
            received_date=received,
            description=description,
            cfpb_id=details.cfpb_complaint_id,
            products=tuple(details.products),
            internal_categories=tuple(details.categories),
            desired_outcome=details.desired_outcome,
            complainant_restricted=details.complainant_restricted,
            documents=parsing.file_refs(request.document_file_ids, request.attachments),
            preliminary_review=request.preliminary_review,
            agency_poc_id=request.agency_poc_user_id.strip(),
        )
        snapshot = await self._run(h.create_complaint, new)
        return pb.CreateComplaintResponse(complaint=self._complaint(snapshot))

    @override
    async def GetComplaint(
        self, request: pb.GetComplaintRequest, context: Context
    ) -> pb.GetComplaintResponse:
        complaint_id, reference = parsing.complaint_or_reference(request)
        snapshot = await self._run(h.get_complaint, complaint_id, reference_number=reference)
        return pb.GetComplaintResponse(complaint=self._complaint(snapshot))

    @override
    async def UpdateComplaint(
        self, request: pb.UpdateComplaintRequest, context: Context
    ) -> pb.UpdateComplaintResponse:
        complaint_id = parsing.required(request.complaint_id, "complaint_id")
        changes = parsing.detail_changes(request.details, request.update_mask)
        snapshot = await self._run(h.update_complaint, complaint_id, changes)
        return pb.UpdateComplaintResponse(complaint=self._complaint(snapshot))

    @override
    async def ProceedToProcessing(
        self, request: pb.ProceedToProcessingRequest, context: Context
    ) -> pb.ProceedToProcessingResponse:
        complaint_id = parsing.required(request.complaint_id, "complaint_id")
        snapshot = await self._run(h.proceed_to_processing, complaint_id)
        return pb.ProceedToProcessingResponse(complaint=self._complaint(snapshot))

    @override
    async def AssignAgencyPoc(
        self, request: pb.AssignAgencyPocRequest, context: Context
    ) -> pb.AssignAgencyPocResponse:
        complaint_id = parsing.required(request.complaint_id, "complaint_id")
        user_id = parsing.required(request.user_id, "user_id")
        snapshot = await self._run(h.assign_agency_poc, complaint_id, user_id)
        return pb.AssignAgencyPocResponse(complaint=self._complaint(snapshot))

    @override
    async def AddAllegedViolation(
        self, request: pb.AddAllegedViolationRequest, context: Context
    ) -> pb.AddAllegedViolationResponse:
        complaint_id = parsing.required(request.complaint_id, "complaint_id")
        citation = parsing.required_text(TextField.ALLEGED_VIOLATION_CITATION, request.citation)
        snapshot, violation = await self._run(
            h.add_alleged_violation, complaint_id, citation, request.description
        )
        complaint = self._complaint(snapshot)
        found = next(
            v for v in complaint.alleged_violations if v.alleged_violation_id == violation.id
        )
        return pb.AddAllegedViolationResponse(alleged_violation=found)

    @override
    async def AddResearchNote(
        self, request: pb.AddResearchNoteRequest, context: Context
    ) -> pb.AddResearchNoteResponse:
        complaint_id = parsing.required(request.complaint_id, "complaint_id")
        kind = parsing.note_kind(request.kind)
        text = parsing.required_text(TextField.RESEARCH_NOTE, request.text)
        snapshot, note = await self._run(h.add_research_note, complaint_id, kind, text)
        return pb.AddResearchNoteResponse(note=ComplaintMapper(snapshot).note(note.id))

    @override
    async def UpdateResearchNote(
        self, request: pb.UpdateResearchNoteRequest, context: Context
    ) -> pb.UpdateResearchNoteResponse:
        complaint_id = parsing.required(request.complaint_id, "complaint_id")
        note_id = parsing.required(request.note_id, "note_id")
        text = parsing.required_text(TextField.RESEARCH_NOTE, request.text)
        snapshot, note = await self._run(h.update_research_note, complaint_id, note_id, text)
        return pb.UpdateResearchNoteResponse(note=ComplaintMapper(snapshot).note(note.id))

    @override
    async def ReferComplaint(
        self, request: pb.ReferComplaintRequest, context: Context
    ) -> pb.ReferComplaintResponse:
        complaint_id = parsing.required(request.complaint_id, "complaint_id")
        to_agency = parsing.required(request.to_agency_id, "to_agency_id")
        snapshot = await self._run(h.refer_complaint, complaint_id, to_agency, request.reason)
        return pb.ReferComplaintResponse(complaint=self._complaint(snapshot))

    @override
    async def DecideReferral(
        self, request: pb.DecideReferralRequest, context: Context
    ) -> pb.DecideReferralResponse:
        complaint_id = parsing.required(request.complaint_id, "complaint_id")
        accept = parsing.referral_decision(request.decision)
        snapshot = await self._run(
            h.decide_referral,
            complaint_id,
            accept=accept,
            reason=request.reason,
            agency_poc_id=request.agency_poc_user_id.strip(),
        )
        return pb.DecideReferralResponse(complaint=self._complaint(snapshot))

    @override
    async def CloseComplaint(
        self, request: pb.CloseComplaintRequest, context: Context
    ) -> pb.CloseComplaintResponse:
        complaint_id = parsing.required(request.complaint_id, "complaint_id")
        reason = parsing.close_reason(request.reason)
        amount, relief_date = parsing.monetary_relief(request)
        closing = h.Closing(
            reason=reason,
            relief_amount=amount,
            relief_date=relief_date,
            shared_comments=request.shared_comments,
            shared_documents=parsing.file_refs(
                request.shared_document_file_ids, request.shared_document_attachments
            ),
            notes=request.notes,
        )
        snapshot = await self._run(h.close_complaint, complaint_id, closing)
        return pb.CloseComplaintResponse(complaint=self._complaint(snapshot))

    @override
    async def CancelComplaint(
        self, request: pb.CancelComplaintRequest, context: Context
    ) -> pb.CancelComplaintResponse:
        complaint_id = parsing.required(request.complaint_id, "complaint_id")
        reason = parsing.required_text(TextField.CANCEL_REASON, request.reason)
        snapshot = await self._run(h.cancel_complaint, complaint_id, reason)
        return pb.CancelComplaintResponse(complaint=self._complaint(snapshot))

    # -- agency: information requests -------------------------------------------------

    @override
    async def AddInformationRequest(
        self, request: pb.AddInformationRequestRequest, context: Context
    ) -> pb.AddInformationRequestResponse:
        complaint_id = parsing.required(request.complaint_id, "complaint_id")
        request_text = parsing.required_text(
            TextField.INFORMATION_REQUEST_TEXT, request.request_text
        )
        snapshot, ir = await self._run(
            h.add_information_request,
            complaint_id,
            request_text=request_text,
            files=parsing.file_refs(request.file_ids, request.attachments),
            due_date=parsing.calendar_date(request, "due_date"),
        )
        return pb.AddInformationRequestResponse(information_request=self._request(snapshot, ir.id))

    @override
    async def SendInformationRequests(
        self, request: pb.SendInformationRequestsRequest, context: Context
    ) -> pb.SendInformationRequestsResponse:
        complaint_id = parsing.required(request.complaint_id, "complaint_id")
        ir_ids = [
            parsing.required(i, "information_request_ids") for i in request.information_request_ids
        ]
        snapshot = await self._run(h.send_information_requests, complaint_id, ir_ids)
        return pb.SendInformationRequestsResponse(complaint=self._complaint(snapshot))

    @override
    async def ExtendDueDate(
        self, request: pb.ExtendDueDateRequest, context: Context
    ) -> pb.ExtendDueDateResponse:
        complaint_id, ir_id = ids(request)
        new_due = parsing.required_date(request, "new_due_date")
        snapshot, ir = await self._run(
            h.extend_due_date, complaint_id, ir_id, new_due, request.reason
        )
        return pb.ExtendDueDateResponse(information_request=self._request(snapshot, ir.id))

    @override
    async def CancelInformationRequest(
        self, request: pb.CancelInformationRequestRequest, context: Context
    ) -> pb.CancelInformationRequestResponse:
        complaint_id, ir_id = ids(request)
        reason = parsing.required_text(TextField.INFORMATION_REQUEST_CANCEL_REASON, request.reason)
        snapshot, ir = await self._run(h.cancel_information_request, complaint_id, ir_id, reason)
        return pb.CancelInformationRequestResponse(
            information_request=self._request(snapshot, ir.id)
        )

    @override
    async def SendReminder(
        self, request: pb.SendReminderRequest, context: Context
    ) -> pb.SendReminderResponse:
        complaint_id, ir_id = ids(request)
        snapshot, ir = await self._run(h.send_reminder, complaint_id, ir_id, request.message)
        return pb.SendReminderResponse(information_request=self._request(snapshot, ir.id))

    @override
    async def MarkQuickLook(
        self, request: pb.MarkQuickLookRequest, context: Context
    ) -> pb.MarkQuickLookResponse:
        complaint_id, ir_id = ids(request)
        snapshot, ir = await self._run(
            h.mark_quick_look, complaint_id, ir_id, marked=request.marked
        )
        return pb.MarkQuickLookResponse(information_request=self._request(snapshot, ir.id))

    @override
    async def SendBackResponse(
        self, request: pb.SendBackResponseRequest, context: Context
    ) -> pb.SendBackResponseResponse:
        complaint_id, ir_id = ids(request)
        reason = parsing.required_text(TextField.SEND_BACK_REASON, request.reason)
        new_due = parsing.required_date(request, "new_due_date")
        snapshot, ir = await self._run(h.send_back_response, complaint_id, ir_id, reason, new_due)
        return pb.SendBackResponseResponse(information_request=self._request(snapshot, ir.id))

    @override
    async def CompleteInformationRequest(
        self, request: pb.CompleteInformationRequestRequest, context: Context
    ) -> pb.CompleteInformationRequestResponse:
        complaint_id, ir_id = ids(request)
        snapshot, ir = await self._run(h.complete_information_request, complaint_id, ir_id)
        return pb.CompleteInformationRequestResponse(
            information_request=self._request(snapshot, ir.id)
        )
