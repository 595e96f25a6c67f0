"""Company RPCs, the RPCs of both sides (interactions, history, file grants) and the lists."""

from __future__ import annotations

from typing_extensions import override

from ses.complaints.v1 import complaints_pb2 as pb
from ses_complaints import handlers as h
from ses_complaints import parsing
from ses_complaints.list_mappers import complaint_summaries, history_entry, request_summaries
from ses_complaints.mappers import ComplaintMapper
from ses_complaints.proto_values import timestamp
from ses_complaints.rpc_base import Context, RpcBase, ids
from ses_core.limits import TextField


class CompanyRpcs(RpcBase):
    # -- company ------------------------------------------------------------------------

    @override
    async def AssignCompanyPoc(
        self, request: pb.AssignCompanyPocRequest, context: Context
    ) -> pb.AssignCompanyPocResponse:
        complaint_id = parsing.required(request.complaint_id, "complaint_id")
        user_id = parsing.required(request.user_id, "user_id")
        snapshot = await self._run(h.assign_company_poc, complaint_id, user_id)
        return pb.AssignCompanyPocResponse(complaint=self._complaint(snapshot))

    @override
    async def AddContributor(
        self, request: pb.AddContributorRequest, context: Context
    ) -> pb.AddContributorResponse:
        complaint_id = parsing.required(request.complaint_id, "complaint_id")
        user_id = parsing.required(request.user_id, "user_id")
        snapshot = await self._run(h.add_contributor, complaint_id, user_id)
        return pb.AddContributorResponse(complaint=self._complaint(snapshot))

    @override
    async def SaveResponseDraft(
        self, request: pb.SaveResponseDraftRequest, context: Context
    ) -> pb.SaveResponseDraftResponse:
        complaint_id, ir_id = ids(request)
        draft = h.Draft(
            text=request.text if request.HasField("text") else None,
            add_files=parsing.file_refs(
                request.add_file_ids, request.add_attachments, "add_attachments"
            ),
            remove_file_ids=tuple(file_id.strip() for file_id in request.remove_file_ids),
            add_links=tuple(request.add_file_sharing_links),
            remove_links=tuple(request.remove_file_sharing_links),
            internal_comment=(
                request.internal_comment if request.HasField("internal_comment") else None
            ),
            restricted=request.restricted if request.HasField("restricted") else None,
        )
        snapshot, ir = await self._run(h.save_response_draft, complaint_id, ir_id, draft)
        return pb.SaveResponseDraftResponse(draft=ComplaintMapper(snapshot).draft(ir))

    @override
    async def SendDraftToPoc(
        self, request: pb.SendDraftToPocRequest, context: Context
    ) -> pb.SendDraftToPocResponse:
        complaint_id, ir_id = ids(request)
        snapshot, ir = await self._run(h.send_draft_to_poc, complaint_id, ir_id, request.message)
        return pb.SendDraftToPocResponse(draft=ComplaintMapper(snapshot).draft(ir))

    @override
    async def SubmitResponse(
        self, request: pb.SubmitResponseRequest, context: Context
    ) -> pb.SubmitResponseResponse:
        complaint_id, ir_id = ids(request)
        restricted = request.restricted if request.HasField("restricted") else None
        snapshot, ir = await self._run(
            h.submit_response, complaint_id, ir_id, restricted=restricted
        )
        return pb.SubmitResponseResponse(information_request=self._request(snapshot, ir.id))

    @override
    async def RequestSendBack(
        self, request: pb.RequestSendBackRequest, context: Context
    ) -> pb.RequestSendBackResponse:
        complaint_id, ir_id = ids(request)
        reason = parsing.required_text(TextField.SEND_BACK_REQUEST_REASON, request.reason)
        snapshot, ir = await self._run(h.request_send_back, complaint_id, ir_id, reason)
        return pb.RequestSendBackResponse(information_request=self._request(snapshot, ir.id))

    # -- both sides ---------------------------------------------------------------------

    @override
    async def PostInteraction(
        self, request: pb.PostInteractionRequest, context: Context
    ) -> pb.PostInteractionResponse:
        complaint_id = parsing.required(request.complaint_id, "complaint_id")
        snapshot, interaction = await self._run(
            h.post_interaction,
            complaint_id,
            text=request.text,
            files=parsing.file_refs(request.file_ids, request.attachments),
        )
        return pb.PostInteractionResponse(
            interaction=ComplaintMapper(snapshot).interaction(interaction)
        )

    @override
    async def ListInteractions(
        self, request: pb.ListInteractionsRequest, context: Context
    ) -> pb.ListInteractionsResponse:
        complaint_id = parsing.required(request.complaint_id, "complaint_id")
        page = await self._run(
            h.list_interactions,
            complaint_id,
            page_size=request.page_size,
            page_token=request.page_token,
        )
        mapper = ComplaintMapper(page.snapshot)
        return pb.ListInteractionsResponse(
            interactions=[mapper.interaction(i) for i in page.interactions],
            next_page_token=page.next_token,
        )

    @override
    async def ListHistory(
        self, request: pb.ListHistoryRequest, context: Context
    ) -> pb.ListHistoryResponse:
        complaint_id = parsing.required(request.complaint_id, "complaint_id")
        page = await self._run(
            h.list_history,
            complaint_id,
            page_size=request.page_size,
            page_token=request.page_token,
        )
        return pb.ListHistoryResponse(
            entries=[history_entry(entry, page.names) for entry in page.entries],
            next_page_token=page.next_token,
        )

    @override
    async def IssueFileGrant(
        self, request: pb.IssueFileGrantRequest, context: Context
    ) -> pb.IssueFileGrantResponse:
        complaint_id = parsing.required(request.complaint_id, "complaint_id")
        file_id = parsing.required(request.file_id, "file_id")
        parsing.grant_action(request.action)
        issued = await self._run(h.issue_file_grant, complaint_id, file_id)
        return pb.IssueFileGrantResponse(
            grant_token=issued.token, expires_at=timestamp(issued.expires_at)
        )

    # -- lists ---------------------------------------------------------------------------

    @override
    async def ListComplaints(
        self, request: pb.ListComplaintsRequest, context: Context
    ) -> pb.ListComplaintsResponse:
        filters = parsing.list_filters(
            request,
            parsing.complaint_statuses(request.statuses),
            self.deps.calendar,
            self.deps.today(),
        )
        page = await self._run(
            h.list_complaints,
            filters,
            referred_to_me=request.referred_to_my_agency,
            page_size=request.page_size,
            page_token=request.page_token,
        )
        return pb.ListComplaintsResponse(
            complaints=complaint_summaries(page), next_page_token=page.next_token
        )

    @override
    async def ListInformationRequests(
        self, request: pb.ListInformationRequestsRequest, context: Context
    ) -> pb.ListInformationRequestsResponse:
        filters = parsing.list_filters(
            request,
            parsing.request_statuses(request.statuses),
            self.deps.calendar,
            self.deps.today(),
        )
        page = await self._run(
            h.list_information_requests,
            filters,
            page_size=request.page_size,
            page_token=request.page_token,
        )
        return pb.ListInformationRequestsResponse(
            information_requests=request_summaries(page), next_page_token=page.next_token
        )
