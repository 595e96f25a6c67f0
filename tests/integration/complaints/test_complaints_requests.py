"""Information requests over real gRPC: add, send, extend, cancel, remind, review, complete."""

from __future__ import annotations

import grpc
import pytest
from complaints_support import (
    CONTACT,
    MANAGER,
    MANAGER_2,
    POC,
    SHELLCO,
    SUPERVISOR,
    VIEWER,
    Harness,
    add_ir,
    create,
    date_pb,
    get,
    reason_of,
    send,
    sent_complaint,
    submitted,
)

from ses.complaints.v1 import complaints_pb2 as pb
from ses_core.lifecycle import DEFAULT_DUE_BUSINESS_DAYS

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

INVALID = grpc.StatusCode.INVALID_ARGUMENT
PRECONDITION = grpc.StatusCode.FAILED_PRECONDITION
DENIED = grpc.StatusCode.PERMISSION_DENIED
NOT_FOUND = grpc.StatusCode.NOT_FOUND


def _ir(complaint: pb.Complaint, ir_id: str) -> pb.InformationRequest:
    return next(ir for ir in complaint.information_requests if ir.information_request_id == ir_id)


async def test_an_ir_sent_without_due_date_gets_the_default_business_day(
    harness: Harness,
) -> None:
    h = harness
    complaint = await create(h)
    ir = await add_ir(h, complaint.complaint_id)
    assert ir.status == pb.INFORMATION_REQUEST_STATUS_DRAFT
    assert not ir.HasField("due_date")

    sent = _ir(await send(h, complaint.complaint_id), ir.information_request_id)

    expected = h.ahead(DEFAULT_DUE_BUSINESS_DAYS)
    assert sent.status == pb.INFORMATION_REQUEST_STATUS_SENT_TO_COMPANY
    assert sent.due_date == date_pb(expected)
    assert sent.original_due_date == date_pb(expected)
    assert sent.sent_at.seconds > 0


async def test_due_dates_must_lie_in_the_future(harness: Harness) -> None:
    h = harness
    complaint = await create(h)
    request = pb.AddInformationRequestRequest(
        complaint_id=complaint.complaint_id, request_text="History", due_date=date_pb(h.today())
    )
    error = await h.fails("AddInformationRequest", request, MANAGER, INVALID)
    assert "must be in the future" in error.details()
    assert reason_of(error) == "due_date_not_in_future"
    blank = pb.AddInformationRequestRequest(complaint_id=complaint.complaint_id, request_text=" ")
    await h.fails("AddInformationRequest", blank, MANAGER, INVALID)


async def test_only_the_agency_poc_or_a_manager_sends(harness: Harness) -> None:
    h = harness
    complaint = await create(h)
    cid = complaint.complaint_id
    await add_ir(h, cid, due=h.ahead(3))
    request = pb.SendInformationRequestsRequest(complaint_id=cid)
    error = await h.fails("SendInformationRequests", request, VIEWER, DENIED)
    assert "Agency POC" in error.details()

    sent = (await h.call("SendInformationRequests", request, MANAGER_2)).complaint

    assert sent.sent_to_company
    nothing = await h.fails("SendInformationRequests", request, MANAGER, PRECONDITION)
    assert reason_of(nothing) == "nothing_to_send"


async def test_ir_cannot_be_sent_to_an_unregistered_company_or_during_review(
    harness: Harness,
) -> None:
    h = harness
    shell = await create(h, company_id=SHELLCO)
    await add_ir(h, shell.complaint_id)
    request = pb.SendInformationRequestsRequest(complaint_id=shell.complaint_id)
    error = await h.fails("SendInformationRequests", request, MANAGER, PRECONDITION)
    assert reason_of(error) == "company_unregistered"

    pending = await create(h, preliminary_review=True)
    await add_ir(h, pending.complaint_id)
    review = pb.SendInformationRequestsRequest(complaint_id=pending.complaint_id)
    error = await h.fails("SendInformationRequests", review, MANAGER, PRECONDITION)
    assert "pending review" in error.details()


async def test_extending_keeps_the_original_due_date_and_the_reason(
    harness: Harness,
) -> None:
    h = harness
    complaint, ir_id = await sent_complaint(h)
    cid = complaint.complaint_id
    original = _ir(complaint, ir_id).due_date
    later = h.ahead(20)
    request = pb.ExtendDueDateRequest(
        complaint_id=cid, information_request_id=ir_id, new_due_date=date_pb(later), reason="Asked"
    )
    extended = (await h.call("ExtendDueDate", request, MANAGER)).information_request

    assert extended.due_date == date_pb(later)
    assert extended.original_due_date == original
    (change,) = extended.due_date_changes
    assert change.kind == pb.DUE_DATE_CHANGE_KIND_EXTENSION
    assert change.previous_due_date == original
    assert change.reason == "Asked"
    company_copy = _ir(await get(h, cid, CONTACT), ir_id)
    assert company_copy.original_due_date == original
    earlier = pb.ExtendDueDateRequest(
        complaint_id=cid, information_request_id=ir_id, new_due_date=original
    )
    error = await h.fails("ExtendDueDate", earlier, MANAGER, INVALID)
    assert "later than the current due date" in error.details()
    await h.fails("ExtendDueDate", request, VIEWER, DENIED)
    unknown = pb.ExtendDueDateRequest(
        complaint_id=cid, information_request_id="nope", new_due_date=date_pb(later)
    )
    await h.fails("ExtendDueDate", unknown, MANAGER, NOT_FOUND)


async def test_reminders_are_kept_and_only_sent_while_the_company_owes_a_response(
    harness: Harness,
) -> None:
    h = harness
    complaint, ir_id = await sent_complaint(h)
    cid = complaint.complaint_id
    remind = pb.SendReminderRequest(complaint_id=cid, information_request_id=ir_id, message="Soon")
    await h.call("SendReminder", remind, MANAGER)
    twice = (await h.call("SendReminder", remind, SUPERVISOR)).information_request
    assert [r.sent_by.user_id for r in twice.reminders] == [MANAGER.user_id, SUPERVISOR.user_id]
    assert _ir(await get(h, cid, CONTACT), ir_id).reminders[0].message == "Soon"

    draft_complaint = await create(h)
    draft = await add_ir(h, draft_complaint.complaint_id)
    early = pb.SendReminderRequest(
        complaint_id=draft_complaint.complaint_id,
        information_request_id=draft.information_request_id,
    )
    error = await h.fails("SendReminder", early, MANAGER, PRECONDITION)
    assert "draft" in error.details()


async def test_canceling_an_ir_needs_a_reason(harness: Harness) -> None:
    h = harness
    complaint, ir_id = await sent_complaint(h)
    cid = complaint.complaint_id
    blank = pb.CancelInformationRequestRequest(complaint_id=cid, information_request_id=ir_id)
    error = await h.fails("CancelInformationRequest", blank, MANAGER, INVALID)
    assert "reason" in error.details()

    cancel = pb.CancelInformationRequestRequest(
        complaint_id=cid, information_request_id=ir_id, reason="Sent in error"
    )
    canceled = (await h.call("CancelInformationRequest", cancel, MANAGER)).information_request

    assert canceled.status == pb.INFORMATION_REQUEST_STATUS_CANCELED
    assert canceled.cancel_reason == "Sent in error"
    again = await h.fails("CancelInformationRequest", cancel, MANAGER, PRECONDITION)
    assert "canceled" in again.details()


async def test_quick_look_is_agency_only_and_needs_a_response(harness: Harness) -> None:
    h = harness
    early_complaint, early_ir = await sent_complaint(h)
    early = pb.MarkQuickLookRequest(
        complaint_id=early_complaint.complaint_id, information_request_id=early_ir, marked=True
    )
    await h.fails("MarkQuickLook", early, MANAGER, PRECONDITION)

    complaint, ir_id = await submitted(h)
    cid = complaint.complaint_id
    mark = pb.MarkQuickLookRequest(complaint_id=cid, information_request_id=ir_id, marked=True)
    marked = (await h.call("MarkQuickLook", mark, MANAGER)).information_request
    assert marked.quick_look_marked
    assert not _ir(await get(h, cid, POC), ir_id).quick_look_marked
    await h.fails("MarkQuickLook", mark, POC, DENIED)
    clear = pb.MarkQuickLookRequest(complaint_id=cid, information_request_id=ir_id, marked=False)
    error = await h.fails("MarkQuickLook", clear, MANAGER, PRECONDITION)
    assert "clears itself" in error.details()


async def test_sending_back_needs_a_reason_and_a_future_due_date(harness: Harness) -> None:
    h = harness
    complaint, ir_id = await submitted(h)
    cid = complaint.complaint_id
    later = date_pb(h.ahead(7))
    no_reason = pb.SendBackResponseRequest(
        complaint_id=cid, information_request_id=ir_id, new_due_date=later
    )
    error = await h.fails("SendBackResponse", no_reason, MANAGER, INVALID)
    assert "reason" in error.details()
    past = pb.SendBackResponseRequest(
        complaint_id=cid,
        information_request_id=ir_id,
        reason="More detail",
        new_due_date=date_pb(h.today()),
    )
    await h.fails("SendBackResponse", past, MANAGER, INVALID)
    no_date = pb.SendBackResponseRequest(
        complaint_id=cid, information_request_id=ir_id, reason="More detail"
    )
    await h.fails("SendBackResponse", no_date, MANAGER, INVALID)

    good = pb.SendBackResponseRequest(
        complaint_id=cid, information_request_id=ir_id, reason="More detail", new_due_date=later
    )
    sent_back = (await h.call("SendBackResponse", good, MANAGER)).information_request

    assert sent_back.status == pb.INFORMATION_REQUEST_STATUS_SENT_BACK
    assert sent_back.due_date == later
    assert sent_back.send_backs[0].reason == "More detail"
    assert sent_back.due_date_changes[-1].kind == pb.DUE_DATE_CHANGE_KIND_SEND_BACK
    company_copy = _ir(await get(h, cid, POC), ir_id)
    assert company_copy.draft.text == "Here."


async def test_completing_accepts_the_response(harness: Harness) -> None:
    h = harness
    complaint, ir_id = await submitted(h)
    complete = pb.CompleteInformationRequestRequest(
        complaint_id=complaint.complaint_id, information_request_id=ir_id
    )
    await h.fails("CompleteInformationRequest", complete, VIEWER, DENIED)
    done = (await h.call("CompleteInformationRequest", complete, MANAGER)).information_request

    assert done.status == pb.INFORMATION_REQUEST_STATUS_COMPLETED
    assert done.completed_at.seconds > 0
    await h.fails("CompleteInformationRequest", complete, MANAGER, PRECONDITION)


async def test_the_original_due_date_is_kept_and_every_due_date_change_is_listed(
    harness: Harness,
) -> None:
    h = harness
    complaint = await create(h)
    cid = complaint.complaint_id
    first, extended, returned, again = (h.ahead(n) for n in (5, 8, 12, 15))
    ir_id = (await add_ir(h, cid, due=first)).information_request_id
    await send(h, cid)
    extend = pb.ExtendDueDateRequest(
        complaint_id=cid,
        information_request_id=ir_id,
        new_due_date=date_pb(extended),
        reason="Holiday backlog",
    )
    await h.call("ExtendDueDate", extend, MANAGER)
    for new_due in (returned, again):
        h.tick()
        await h.call(
            "AssignCompanyPoc",
            pb.AssignCompanyPocRequest(complaint_id=cid, user_id=POC.user_id),
            CONTACT,
        )
        save = pb.SaveResponseDraftRequest(
            complaint_id=cid, information_request_id=ir_id, text="Answer."
        )
        await h.call("SaveResponseDraft", save, POC)
        submit = pb.SubmitResponseRequest(complaint_id=cid, information_request_id=ir_id)
        await h.call("SubmitResponse", submit, POC)
        back = pb.SendBackResponseRequest(
            complaint_id=cid,
            information_request_id=ir_id,
            reason=f"More detail by {new_due}",
            new_due_date=date_pb(new_due),
        )
        await h.call("SendBackResponse", back, MANAGER)

    for reader in (MANAGER, POC):
        ir = _ir(await get(h, cid, reader), ir_id)
        assert (ir.original_due_date, ir.due_date) == (date_pb(first), date_pb(again))
        changes = [
            (change.kind, change.previous_due_date, change.new_due_date, change.reason)
            for change in ir.due_date_changes
        ]
        assert changes == [
            (
                pb.DUE_DATE_CHANGE_KIND_EXTENSION,
                date_pb(first),
                date_pb(extended),
                "Holiday backlog",
            ),
            (
                pb.DUE_DATE_CHANGE_KIND_SEND_BACK,
                date_pb(extended),
                date_pb(returned),
                f"More detail by {returned}",
            ),
            (
                pb.DUE_DATE_CHANGE_KIND_SEND_BACK,
                date_pb(returned),
                date_pb(again),
                f"More detail by {again}",
            ),
        ]
    listed = await h.call(
        "ListInformationRequests", pb.ListInformationRequestsRequest(complaint_id=cid), MANAGER
    )
    (summary,) = listed.information_requests
    assert (summary.original_due_date, summary.due_date) == (date_pb(first), date_pb(again))
