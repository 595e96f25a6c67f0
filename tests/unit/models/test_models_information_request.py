"""Information requests: sending, due dates, reminders, responses, send-backs, completion."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from model_test_support import (  # type: ignore[import-not-found]
    DUE,
    MANAGER,
    NOW,
    POC,
)

from ses_core.errors import (
    InvalidTransition,
    NotFound,
    PreconditionFailed,
    UploadRejected,
    ValidationFailed,
)
from ses_core.lifecycle import CloseReason, InformationRequestStatus
from ses_core.models import Complaint, DraftEdit, InformationRequest, ResponseContent
from ses_core.models import complaint_events as ev
from ses_core.uploads import UploadPolicy

Status = InformationRequestStatus
LATER = date(2025, 5, 30)


def _event_types(complaint: Complaint) -> list[type]:
    return [type(e) for e in complaint.pull_events()]


# -- preparing and sending ---------------------------------------------------------------


def test_a_new_request_is_an_unsent_draft(complaint: Complaint) -> None:
    ir = complaint.add_information_request(
        " Send the escrow analysis. ", NOW, by=MANAGER, document_file_ids=["q-1"]
    )
    assert (ir.status, ir.request_text, ir.due_date) == (
        Status.DRAFT,
        "Send the escrow analysis.",
        None,
    )
    assert not ir.was_sent
    assert not ir.is_overdue(NOW)
    [added] = complaint.pull_events()
    assert isinstance(added, ev.InformationRequestAdded)
    assert (added.complaint_id, added.information_request_id) == (complaint.id, ir.id)


@pytest.mark.parametrize(
    ("text", "due", "reason"),
    [
        ("  ", None, "request_text_required"),
        ("Question.", date(2025, 5, 1), "due_date_not_in_future"),
    ],
)
def test_a_request_needs_text_and_any_due_date_in_the_future(
    complaint: Complaint, text: str, due: date | None, reason: str
) -> None:
    with pytest.raises(ValidationFailed) as err:
        complaint.add_information_request(text, NOW, by=MANAGER, due_date=due)
    assert err.value.reason == reason
    assert complaint.information_requests == []


def test_requests_may_be_prepared_during_the_preliminary_review_but_not_sent(
    new_complaint: Callable[..., Complaint],
) -> None:
    complaint = new_complaint(preliminary_review=True)
    complaint.add_information_request("Question.", NOW, by=MANAGER, due_date=DUE)
    with pytest.raises(InvalidTransition, match="pending review"):
        complaint.send_information_requests(NOW, by=MANAGER)


def test_editing_a_draft_reports_what_changed(complaint: Complaint) -> None:
    ir = complaint.add_information_request("Question.", NOW, by=MANAGER)
    complaint.pull_events()
    complaint.edit_information_request(
        ir.id, NOW, by=MANAGER, request_text="Question.", due_date=DUE, document_file_ids=["d"]
    )
    [updated] = complaint.pull_events()
    assert isinstance(updated, ev.InformationRequestUpdated)
    assert updated.changed_fields == ("due_date", "document_file_ids")
    complaint.edit_information_request(ir.id, NOW, by=MANAGER, request_text="Question.")
    assert complaint.pull_events() == []


def test_a_sent_request_cannot_be_edited(
    complaint: Complaint, sent_request: InformationRequest
) -> None:
    with pytest.raises(InvalidTransition, match="edit an information request that is sent"):
        complaint.edit_information_request(sent_request.id, NOW, by=MANAGER, request_text="New")


def test_sending_uses_the_default_due_date_only_where_none_was_set(complaint: Complaint) -> None:
    dated = complaint.add_information_request("A.", NOW, by=MANAGER, due_date=LATER)
    undated = complaint.add_information_request("B.", NOW, by=MANAGER)
    complaint.pull_events()
    sent = complaint.send_information_requests(NOW, by=MANAGER, default_due_date=DUE)
    assert sent == [dated, undated]
    assert [(ir.status, ir.due_date, ir.original_due_date) for ir in sent] == [
        (Status.SENT_TO_COMPANY, LATER, LATER),
        (Status.SENT_TO_COMPANY, DUE, DUE),
    ]
    assert (undated.sent_by, undated.sent_at) == (MANAGER, NOW)
    events = complaint.pull_events()
    assert [(type(e), getattr(e, "due_date", None)) for e in events] == [
        (ev.InformationRequestSent, LATER),
        (ev.InformationRequestSent, DUE),
    ]


def test_sending_is_all_or_nothing(complaint: Complaint) -> None:
    good = complaint.add_information_request("A.", NOW, by=MANAGER, due_date=DUE)
    undated = complaint.add_information_request("B.", NOW, by=MANAGER)
    complaint.pull_events()
    with pytest.raises(ValidationFailed, match="Set a due date"):
        complaint.send_information_requests(NOW, by=MANAGER)
    assert [good.status, undated.status] == [Status.DRAFT, Status.DRAFT]
    assert complaint.pull_events() == []


def test_a_due_date_that_became_today_is_refused_at_sending(complaint: Complaint) -> None:
    complaint.add_information_request("A.", NOW, by=MANAGER, due_date=date(2025, 5, 2))
    next_day = datetime(2025, 5, 2, 14, 0, tzinfo=UTC)
    with pytest.raises(ValidationFailed, match="must be in the future"):
        complaint.send_information_requests(next_day, by=MANAGER)


def test_sending_named_requests_leaves_the_others_unsent(complaint: Complaint) -> None:
    first = complaint.add_information_request("A.", NOW, by=MANAGER, due_date=DUE)
    second = complaint.add_information_request("B.", NOW, by=MANAGER, due_date=DUE)
    complaint.send_information_requests(NOW, by=MANAGER, ir_ids=[second.id, second.id])
    assert [first.status, second.status] == [Status.DRAFT, Status.SENT_TO_COMPANY]


def test_sending_with_nothing_unsent_or_an_unknown_id_is_refused(
    complaint: Complaint, sent_request: InformationRequest
) -> None:
    with pytest.raises(PreconditionFailed, match="no unsent information request"):
        complaint.send_information_requests(NOW, by=MANAGER)
    with pytest.raises(NotFound):
        complaint.send_information_requests(NOW, by=MANAGER, ir_ids=["ir-unknown"])
    with pytest.raises(InvalidTransition, match="send an information request that is sent"):
        complaint.send_information_requests(NOW, by=MANAGER, ir_ids=[sent_request.id])


# -- due dates, reminders, cancel --------------------------------------------------------


def test_extending_keeps_the_original_due_date(
    complaint: Complaint, sent_request: InformationRequest
) -> None:
    sent_request.extend_due_date(date(2025, 5, 20), NOW, by=MANAGER)
    sent_request.extend_due_date(LATER, NOW, by=MANAGER)
    assert (sent_request.due_date, sent_request.original_due_date) == (LATER, DUE)
    assert [(x.previous_due_date, x.due_date) for x in sent_request.extensions] == [
        (DUE, date(2025, 5, 20)),
        (date(2025, 5, 20), LATER),
    ]
    last = complaint.pull_events()[-1]
    assert isinstance(last, ev.DueDateExtended)
    assert (last.previous_due_date, last.due_date, last.original_due_date) == (
        date(2025, 5, 20),
        LATER,
        DUE,
    )


def test_an_extension_must_move_the_due_date_later(sent_request: InformationRequest) -> None:
    with pytest.raises(ValidationFailed, match="later than the current due date"):
        sent_request.extend_due_date(date(2025, 5, 10), NOW, by=MANAGER)
    assert sent_request.due_date == DUE


def test_overdue_is_derived_from_the_due_date_in_new_york(
    sent_request: InformationRequest,
) -> None:
    # Midnight UTC after the due date is still the due date in New York.
    assert not sent_request.is_overdue(datetime(2025, 5, 16, 3, 59, tzinfo=UTC))
    assert sent_request.is_overdue(datetime(2025, 5, 16, 4, 0, tzinfo=UTC))


def test_reminders_are_kept_while_the_company_owes_a_response(
    complaint: Complaint, answered_request: InformationRequest
) -> None:
    with pytest.raises(InvalidTransition, match="send reminder"):
        answered_request.send_reminder(NOW, by=MANAGER)
    answered_request.send_back(LATER, "Add the ledger.", NOW, by=MANAGER)
    answered_request.send_reminder(NOW, by=MANAGER, note=" Due soon. ")
    assert [(r.sent_by, r.note) for r in answered_request.reminders] == [(MANAGER, "Due soon.")]
    reminded = complaint.pull_events()[-1]
    assert isinstance(reminded, ev.ReminderSent)
    assert (reminded.due_date, reminded.note) == (LATER, "Due soon.")


def test_a_sent_request_can_be_canceled_but_a_draft_cannot(
    complaint: Complaint, sent_request: InformationRequest
) -> None:
    sent_request.cancel(NOW, by=MANAGER, reason=" Asked by mistake. ")
    assert (sent_request.status, sent_request.cancel_reason) == (
        Status.CANCELED,
        "Asked by mistake.",
    )
    assert _event_types(complaint) == [ev.InformationRequestCanceled]
    draft = complaint.add_information_request("Draft.", NOW, by=MANAGER)
    with pytest.raises(InvalidTransition, match="cancel an information request that is draft"):
        draft.cancel(NOW, by=MANAGER)


# -- the company's response --------------------------------------------------------------


def test_drafts_are_saved_with_text_counted_as_the_spec_says(
    complaint: Complaint, sent_request: InformationRequest
) -> None:
    edit = DraftEdit(
        text="Line one\r\nLine two",
        add_file_ids=("f1", "f1", "f2"),
        add_links=("https://x.example/a",),
    )
    sent_request.save_draft(edit, NOW, by="writer-1", restricted=True)
    draft = sent_request.draft
    assert draft is not None
    assert draft.content == ResponseContent(
        text="Line one\nLine two", file_ids=("f1", "f2"), links=("https://x.example/a",)
    )
    assert (draft.saved_by, draft.restricted) == ("writer-1", True)
    [drafted] = complaint.pull_events()
    assert isinstance(drafted, ev.ResponseDrafted)
    assert drafted.restricted
    assert drafted.reference_number == complaint.reference_number


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (DraftEdit(text="x" * 4001), "text_too_long"),
        (DraftEdit(add_links=("http://x.example/a",)), "link_not_https"),
        (DraftEdit(add_file_ids=(" ",)), "id_required"),
        (DraftEdit(remove_file_ids=("never-added",)), "file_not_on_draft"),
    ],
)
def test_drafts_respect_the_limits(
    sent_request: InformationRequest, edit: DraftEdit, reason: str
) -> None:
    with pytest.raises(ValidationFailed) as err:
        sent_request.save_draft(edit, NOW, by=POC)
    assert err.value.reason == reason
    assert sent_request.draft is None


def test_text_of_exactly_the_limit_is_accepted_and_limits_are_configurable(
    sent_request: InformationRequest,
) -> None:
    sent_request.save_draft(DraftEdit(text="😀" * 4000), NOW, by=POC)
    with pytest.raises(ValidationFailed, match="the limit is 10"):
        sent_request.save_draft(
            DraftEdit(text="x" * 11),
            NOW,
            by=POC,
            policy=UploadPolicy(max_response_text_chars=10),
        )


def _batch(first: int, count: int) -> tuple[str, ...]:
    return tuple(f"file-{number:02d}" for number in range(first, first + count))


def test_files_join_a_draft_batch_by_batch_and_earlier_batches_stay(
    sent_request: InformationRequest,
) -> None:
    for first, count in ((1, 25), (26, 25), (51, 10)):
        sent_request.save_draft(
            DraftEdit(text="History attached.", add_file_ids=_batch(first, count)), NOW, by=POC
        )
    assert sent_request.draft is not None
    assert sent_request.draft.content.file_ids == _batch(1, 60)
    submitted = sent_request.submit_response(NOW, by=POC)
    assert submitted.content.file_ids == _batch(1, 60)


def test_files_leave_a_draft_only_when_named(sent_request: InformationRequest) -> None:
    sent_request.save_draft(DraftEdit(add_file_ids=("a", "b", "c")), NOW, by=POC)
    sent_request.save_draft(DraftEdit(add_file_ids=("d", "a"), remove_file_ids=("b",)), NOW, by=POC)
    assert sent_request.draft is not None
    assert sent_request.draft.content.file_ids == ("a", "c", "d")


def test_a_save_that_only_adds_files_keeps_the_text_links_and_files_saved_before(
    sent_request: InformationRequest,
) -> None:
    link = "https://share.example/big.zip"
    sent_request.save_draft(
        DraftEdit(text="Our answer.", add_file_ids=("a",), add_links=(link,)), NOW, by=POC
    )
    sent_request.save_draft(DraftEdit(add_file_ids=("b",)), NOW, by=POC)
    assert sent_request.draft is not None
    assert sent_request.draft.content == ResponseContent(
        text="Our answer.", file_ids=("a", "b"), links=(link,)
    )
    sent_request.save_draft(DraftEdit(text=""), NOW, by=POC)
    assert sent_request.draft.content.text == ""


def test_links_leave_a_draft_only_when_named_and_must_be_on_it(
    sent_request: InformationRequest,
) -> None:
    first, second = "https://share.example/1.zip", "https://share.example/2.zip"
    sent_request.save_draft(DraftEdit(add_links=(first, second, first)), NOW, by=POC)
    sent_request.save_draft(DraftEdit(remove_links=(first,)), NOW, by=POC)
    assert sent_request.draft is not None
    assert sent_request.draft.content.links == (second,)
    with pytest.raises(ValidationFailed) as absent:
        sent_request.save_draft(DraftEdit(remove_links=(first,)), NOW, by=POC)
    with pytest.raises(ValidationFailed) as both:
        sent_request.save_draft(DraftEdit(add_links=(first,), remove_links=(first,)), NOW, by=POC)
    assert (absent.value.reason, absent.value.field) == (
        "link_not_on_draft",
        "remove_file_sharing_links",
    )
    assert both.value.reason == "link_added_and_removed"
    assert sent_request.draft.content.links == (second,)


def test_one_save_adds_at_most_one_upload_batch(sent_request: InformationRequest) -> None:
    with pytest.raises(UploadRejected, match="26 files added in one save; the limit is 25") as err:
        sent_request.save_draft(DraftEdit(add_file_ids=_batch(1, 26)), NOW, by=POC)
    assert err.value.reason == "too_many_files"
    assert err.value.metadata == {"limit": "25"}  # for clients that split into batches
    assert sent_request.draft is None
    with pytest.raises(UploadRejected, match="the limit is 2"):
        sent_request.save_draft(
            DraftEdit(add_file_ids=_batch(1, 3)),
            NOW,
            by=POC,
            policy=UploadPolicy(max_files_per_batch=2),
        )


def test_a_file_cannot_be_added_and_removed_in_one_save(sent_request: InformationRequest) -> None:
    sent_request.save_draft(DraftEdit(add_file_ids=("a",)), NOW, by=POC)
    with pytest.raises(ValidationFailed, match="both added and removed") as err:
        sent_request.save_draft(DraftEdit(add_file_ids=("a",), remove_file_ids=("a",)), NOW, by=POC)
    assert err.value.reason == "file_added_and_removed"


def test_a_save_that_does_not_say_keeps_the_drafts_restriction(
    sent_request: InformationRequest,
) -> None:
    sent_request.save_draft(DraftEdit(text="First."), NOW, by=POC)
    assert sent_request.draft is not None
    assert not sent_request.draft.restricted
    sent_request.save_draft(DraftEdit(text="Second."), NOW, by=POC, restricted=True)
    sent_request.save_draft(DraftEdit(text="Third."), NOW, by=POC)
    assert sent_request.draft.restricted
    sent_request.save_draft(DraftEdit(text="Fourth."), NOW, by=POC, restricted=False)
    assert not sent_request.draft.restricted


def test_a_draft_reaches_the_poc_only_once_there_is_a_poc_and_a_draft(
    complaint: Complaint, sent_request: InformationRequest
) -> None:
    with pytest.raises(PreconditionFailed, match="save the draft first"):
        complaint.send_draft_to_poc(sent_request.id, NOW, by="writer-1")
    sent_request.save_draft(DraftEdit(text="Draft."), NOW, by="writer-1")
    complaint.send_draft_to_poc(sent_request.id, NOW, by="writer-1")
    assert sent_request.draft is not None
    assert sent_request.draft.sent_to_poc_at == NOW
    handed = complaint.pull_events()[-1]
    assert isinstance(handed, ev.DraftSentToPoc)
    assert handed.company_poc_id == POC


def test_a_draft_cannot_be_sent_to_a_poc_nobody_assigned(complaint: Complaint) -> None:
    ir = complaint.add_information_request("A.", NOW, by=MANAGER, due_date=DUE)
    complaint.send_information_requests(NOW, by=MANAGER)
    with pytest.raises(PreconditionFailed, match="no Company POC yet"):
        complaint.send_draft_to_poc(ir.id, NOW, by="writer-1")


def test_submitting_sends_the_saved_draft_with_its_restricted_flag(
    complaint: Complaint, sent_request: InformationRequest
) -> None:
    sent_request.save_draft(DraftEdit(text="Refunded."), NOW, by="writer-1", restricted=True)
    complaint.pull_events()
    submitted = sent_request.submit_response(NOW, by=POC)
    assert sent_request.status is Status.RESPONSE_RECEIVED
    assert (submitted.content.text, submitted.restricted, submitted.submitted_by) == (
        "Refunded.",
        True,
        POC,
    )
    assert sent_request.response == submitted
    assert sent_request.draft is None
    [event] = complaint.pull_events()
    assert isinstance(event, ev.ResponseSubmitted)
    assert (event.restricted, event.submission_number) == (True, 1)


def test_the_poc_may_override_the_restricted_flag_and_the_content(
    sent_request: InformationRequest,
) -> None:
    sent_request.save_draft(DraftEdit(text="Old."), NOW, by=POC, restricted=True)
    submitted = sent_request.submit_response(
        NOW, by=POC, content=ResponseContent(links=("https://share.example/x",)), restricted=False
    )
    assert (submitted.content.links, submitted.restricted) == (("https://share.example/x",), False)


@pytest.mark.parametrize("content", [None, ResponseContent(text="  ")])
def test_an_empty_response_is_refused(
    sent_request: InformationRequest, content: ResponseContent | None
) -> None:
    with pytest.raises(ValidationFailed, match="The response is empty") as err:
        sent_request.submit_response(NOW, by=POC, content=content)
    assert err.value.reason == "response_empty"
    assert sent_request.status is Status.SENT_TO_COMPANY


def test_a_submitted_response_cannot_be_edited_unless_sent_back(
    answered_request: InformationRequest,
) -> None:
    with pytest.raises(InvalidTransition, match="save draft an information request"):
        answered_request.save_draft(DraftEdit(text="Edit."), NOW, by=POC)
    with pytest.raises(InvalidTransition, match="submit response"):
        answered_request.submit_response(NOW, by=POC, content=ResponseContent(text="Again."))


# -- agency review -----------------------------------------------------------------------


def test_quick_look_is_marked_once_and_only_on_a_response(
    complaint: Complaint, sent_request: InformationRequest
) -> None:
    with pytest.raises(InvalidTransition, match="mark quick look"):
        sent_request.mark_quick_look(NOW, by=MANAGER)
    sent_request.submit_response(NOW, by=POC, content=ResponseContent(text="Done."))
    complaint.pull_events()
    sent_request.mark_quick_look(NOW, by=MANAGER)
    sent_request.mark_quick_look(NOW, by="manager-2")
    assert sent_request.quick_look is not None
    assert sent_request.quick_look.marked_by == MANAGER
    assert _event_types(complaint) == [ev.QuickLookMarked]


def test_sending_back_returns_the_response_as_the_new_draft(
    complaint: Complaint, answered_request: InformationRequest
) -> None:
    answered_request.mark_quick_look(NOW, by=MANAGER)
    answered_request.send_back(LATER, " Add the ledger. ", NOW, by=MANAGER)
    path = [answered_request.status]
    assert (answered_request.due_date, answered_request.original_due_date) == (LATER, DUE)
    assert answered_request.quick_look is None
    assert answered_request.draft is not None
    assert answered_request.draft.content.text == "Refunded on 2 May."
    assert [(s.reason, s.previous_due_date, s.due_date) for s in answered_request.send_backs] == [
        ("Add the ledger.", DUE, LATER)
    ]
    sent_back = complaint.pull_events()[-1]
    assert isinstance(sent_back, ev.ResponseSentBack)
    assert (sent_back.reason, sent_back.previous_due_date, sent_back.due_date) == (
        "Add the ledger.",
        DUE,
        LATER,
    )
    answered_request.submit_response(NOW, by=POC)
    path.append(answered_request.status)
    assert path == [Status.SENT_BACK, Status.RESPONSE_RECEIVED]
    assert len(answered_request.responses) == 2
    resubmitted = complaint.pull_events()[-1]
    assert isinstance(resubmitted, ev.ResponseSubmitted)
    assert resubmitted.submission_number == 2


def test_the_original_due_date_survives_extensions_and_send_backs(
    complaint: Complaint, sent_request: InformationRequest
) -> None:
    extended, resent = date(2025, 5, 20), date(2025, 6, 2)
    sent_request.extend_due_date(extended, NOW, by=MANAGER)
    sent_request.submit_response(NOW, by=POC, content=ResponseContent(text="Done."))
    sent_request.send_back(LATER, "Add the ledger.", NOW, by=MANAGER)
    sent_request.submit_response(NOW, by=POC)
    sent_request.send_back(resent, "And the escrow analysis.", NOW, by=MANAGER)
    assert (sent_request.original_due_date, sent_request.due_date) == (DUE, resent)
    changes = [(x.previous_due_date, x.due_date) for x in sent_request.extensions] + [
        (s.previous_due_date, s.due_date) for s in sent_request.send_backs
    ]
    assert changes == [(DUE, extended), (extended, LATER), (LATER, resent)]


def test_a_restricted_response_sent_back_is_resubmitted_restricted_unless_lifted(
    complaint: Complaint, sent_request: InformationRequest
) -> None:
    sent_request.submit_response(
        NOW, by=POC, content=ResponseContent(text="Private."), restricted=True
    )
    sent_request.send_back(LATER, "More detail.", NOW, by=MANAGER)
    assert sent_request.draft is not None
    assert sent_request.draft.restricted
    sent_request.save_draft(DraftEdit(text="Private, with detail."), NOW, by=POC)
    assert sent_request.submit_response(NOW, by=POC).restricted
    sent_request.send_back(date(2025, 6, 2), "Once more.", NOW, by=MANAGER)
    assert not sent_request.submit_response(NOW, by=POC, restricted=False).restricted


@pytest.mark.parametrize(
    ("due", "reason", "error_reason"),
    [
        (LATER, " ", "reason_required"),
        (date(2025, 5, 1), "Add the ledger.", "due_date_not_in_future"),
    ],
)
def test_sending_back_needs_a_future_due_date_and_a_reason(
    answered_request: InformationRequest, due: date, reason: str, error_reason: str
) -> None:
    with pytest.raises(ValidationFailed) as err:
        answered_request.send_back(due, reason, NOW, by=MANAGER)
    assert err.value.reason == error_reason
    assert answered_request.status is Status.RESPONSE_RECEIVED


def test_send_back_is_only_for_a_response_that_awaits_the_agency(
    sent_request: InformationRequest,
) -> None:
    with pytest.raises(InvalidTransition, match="from sent to company you can"):
        sent_request.send_back(LATER, "Why.", NOW, by=MANAGER)


def test_completing_accepts_the_response(
    complaint: Complaint, answered_request: InformationRequest
) -> None:
    answered_request.complete(NOW, by=MANAGER)
    assert (answered_request.status, answered_request.completed_at) == (Status.COMPLETED, NOW)
    assert _event_types(complaint) == [ev.InformationRequestCompleted]
    with pytest.raises(InvalidTransition, match="completed is final"):
        answered_request.send_back(LATER, "Why.", NOW, by=MANAGER)


# -- the POC asks for a send-back ---------------------------------------------------------


def test_the_poc_may_ask_once_per_response_for_a_send_back(
    complaint: Complaint, answered_request: InformationRequest
) -> None:
    complaint.request_send_back(answered_request.id, " Wrong file attached. ", NOW, by=POC)
    assert [r.reason for r in answered_request.send_back_requests] == ["Wrong file attached."]
    requested = complaint.pull_events()[-1]
    assert isinstance(requested, ev.SendBackRequested)
    assert requested.reason == "Wrong file attached."
    with pytest.raises(PreconditionFailed, match="already requested on 2025-05-01"):
        complaint.request_send_back(answered_request.id, "Please.", NOW, by=POC)
    answered_request.send_back(LATER, "As asked.", NOW, by=MANAGER)
    later = datetime(2025, 5, 3, 14, 0, tzinfo=UTC)
    answered_request.submit_response(later, by=POC)
    complaint.request_send_back(answered_request.id, "Another fix.", later, by=POC)
    assert len(answered_request.send_back_requests) == 2


def test_a_send_back_request_needs_a_reason_and_a_waiting_response(
    complaint: Complaint, sent_request: InformationRequest
) -> None:
    with pytest.raises(InvalidTransition, match="request send back"):
        complaint.request_send_back(sent_request.id, "Why.", NOW, by=POC)
    sent_request.submit_response(NOW, by=POC, content=ResponseContent(text="Done."))
    with pytest.raises(ValidationFailed, match="ask the agency to send the response back"):
        complaint.request_send_back(sent_request.id, "", NOW, by=POC)


def test_a_send_back_request_needs_an_open_complaint(
    complaint: Complaint, answered_request: InformationRequest
) -> None:
    complaint.close(CloseReason.CLOSED_WITH_EXPLANATION, NOW, by=MANAGER)
    with pytest.raises(InvalidTransition, match="complaint that is closed"):
        complaint.request_send_back(answered_request.id, "Why.", NOW, by=POC)


# -- standalone use ----------------------------------------------------------------------


def test_a_request_built_alone_keeps_its_own_events_until_a_complaint_adopts_it() -> None:
    ir = InformationRequest.new(
        complaint_id="c-1",
        tenant_id="agency-ny",
        company_id="company-42",
        request_text="Question.",
        now=NOW,
        by=MANAGER,
        ir_id="ir-1",
    )
    assert ir.id == "ir-1"
    assert [type(e) for e in ir.pull_events()] == [ev.InformationRequestAdded]
    assert ir.response is None
