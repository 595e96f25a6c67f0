"""Complaints of the enrolled company in each state of DESIGN §5, made through the
complaints service's RPCs (the shared copies with a file on the response or draft)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from made import Made, date_pb

from ses.complaints.v1 import complaints_pb2 as cpb
from ses.complaints.v1 import complaints_pb2_grpc as cpb_grpc

if TYPE_CHECKING:
    from security_world import World


@dataclass
class ComplaintStates:
    """Builds a complaint of the enrolled company in each state of DESIGN §5."""

    world: World
    with_files: bool

    def md(self, role: str) -> dict[str, Any]:
        return self.world.md(role)

    @property
    def c(self) -> cpb_grpc.ComplaintsServiceStub:
        return self.world.complaints

    async def build(self, state: str) -> Made:
        if state == "pending_review":
            return await self.drafted(preliminary_review=True)
        if state == "open":
            return await self.drafted()
        if state == "referral_pending":
            made = await self.drafted()
            await self.c.ReferComplaint(
                cpb.ReferComplaintRequest(
                    complaint_id=made.complaint_id,
                    to_agency_id=self.world.agencies["nj"],
                    reason="The licensee is supervised in New Jersey.",
                ),
                **self.md("agency_manager"),
            )
            return made
        if state == "company_not_enrolled_ir_sent":
            return await self.sent(company="pending")
        if state in ("ir_sent", "ir_sent_restricted_draft"):
            return await self.sent(restricted=state == "ir_sent_restricted_draft")
        if state in ("response_received", "response_received_restricted"):
            return await self.answered(restricted=state == "response_received_restricted")
        made = await (self.sent() if state in ("ir_canceled", "canceled") else self.answered())
        ids = {"complaint_id": made.complaint_id, "information_request_id": made.ir_id}
        manager = self.md("agency_manager")
        if state == "sent_back":
            await self.c.SendBackResponse(
                cpb.SendBackResponseRequest(
                    **ids,
                    reason="Add the 2024 statements.",
                    new_due_date=date_pb(self.world.business_days_ahead(15)),
                ),
                **manager,
            )
        elif state == "ir_completed":
            await self.c.CompleteInformationRequest(
                cpb.CompleteInformationRequestRequest(**ids), **manager
            )
        elif state == "ir_canceled":
            await self.c.CancelInformationRequest(
                cpb.CancelInformationRequestRequest(**ids, reason="Not needed after all."),
                **manager,
            )
        elif state == "closed":
            await self.c.CloseComplaint(
                cpb.CloseComplaintRequest(
                    complaint_id=made.complaint_id,
                    reason=cpb.CLOSE_REASON_CLOSED_WITH_EXPLANATION,
                ),
                **manager,
            )
        else:
            assert state == "canceled", state
            await self.c.CancelComplaint(
                cpb.CancelComplaintRequest(complaint_id=made.complaint_id, reason="Filed twice."),
                **manager,
            )
        return made

    async def drafted(self, *, preliminary_review: bool = False, company: str = "acme") -> Made:
        world = self.world
        details = cpb.ComplaintDetails(
            complainant=cpb.Complainant(given_name="Jane", family_name="Consumer"),
            received_date=date_pb(world.today() - timedelta(days=3)),
            description="The servicer charged a late fee although the payment was on time.",
        )
        created = await self.c.CreateComplaint(
            cpb.CreateComplaintRequest(
                company_id=world.companies[company],
                details=details,
                preliminary_review=preliminary_review,
                agency_poc_user_id=world.people["agency_poc"].user_id,
            ),
            **self.md("agency_manager"),
        )
        cid = created.complaint.complaint_id
        ir = await self.c.AddInformationRequest(
            cpb.AddInformationRequestRequest(
                complaint_id=cid,
                request_text="Send the payment history for 2025.",
                due_date=date_pb(world.business_days_ahead(10)),
            ),
            **self.md("agency_manager"),
        )
        note = await self.c.AddResearchNote(
            cpb.AddResearchNoteRequest(complaint_id=cid, text="Called the servicer."),
            **self.md("agency_manager"),
        )
        return Made(
            complaint_id=cid,
            ir_id=ir.information_request.information_request_id,
            note_id=note.note.note_id,
            company_id=world.companies[company],
        )

    async def sent(self, *, restricted: bool = False, company: str = "acme") -> Made:
        made = await self.drafted(company=company)
        cid = made.complaint_id
        await self.c.SendInformationRequests(
            cpb.SendInformationRequestsRequest(complaint_id=cid), **self.md("agency_manager")
        )
        if company != "acme":
            return made
        await self.world.settle("the sent IR to reach the company")
        poc = self.world.people["company_poc"].user_id
        await self.c.AssignCompanyPoc(
            cpb.AssignCompanyPocRequest(complaint_id=cid, user_id=poc),
            **self.md("ses_complaints_contact"),
        )
        await self.c.AddContributor(
            cpb.AddContributorRequest(
                complaint_id=cid, user_id=self.world.people["contributor"].user_id
            ),
            **self.md("company_poc"),
        )
        writer = "company_poc" if restricted else "contributor"
        draft = cpb.SaveResponseDraftRequest(
            complaint_id=cid, information_request_id=made.ir_id, text="Refunded on 2 May."
        )
        if restricted:
            draft.restricted = True
        file_id = ""
        if self.with_files:
            attached = await self.world.uploaded_file(writer)
            draft.add_attachments.append(attached)
            file_id = attached.file_id
        await self.c.SaveResponseDraft(draft, **self.md(writer))
        return replace(made, file_id=file_id)

    async def answered(self, *, restricted: bool = False) -> Made:
        made = await self.sent(restricted=restricted)
        request = cpb.SubmitResponseRequest(
            complaint_id=made.complaint_id, information_request_id=made.ir_id
        )
        if restricted:
            request.restricted = True
        await self.c.SubmitResponse(request, **self.md("company_poc"))
        return made
