"""Available next actions: the matrix and the machines asked the handlers' questions.

These cover the rules one by one on aggregates in memory; the integration suite
(``tests/integration/complaints/test_complaints_next_actions.py``) calls every listed
and unlisted action through gRPC for every role and state of the job aid's flow.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from model_test_support import (  # type: ignore[import-not-found]
    AGENCY,
    COMPANY,
    DUE,
    MANAGER,
    NOW,
    POC,
)

from ses_core.identity import Actor, AgencyRole, ComplaintsPermission
from ses_core.lifecycle import CloseReason
from ses_core.models import Complaint, DraftEdit, InformationRequest
from ses_core.models.next_actions import (
    COMPLAINT_RULES,
    REQUEST_RULES,
    Circumstances,
    ComplaintCommand,
    InformationRequestCommand,
    complaint_actions,
    information_request_actions,
)

C = ComplaintCommand
R = InformationRequestCommand
AROUND = Circumstances(now=NOW, default_due_date=DUE)

AGENCY_MANAGER = Actor.agency_user(MANAGER, AGENCY, AgencyRole.COMPLAINT_MANAGER)
AGENCY_VIEWER = Actor.agency_user("viewer-1", AGENCY, AgencyRole.COMPLAINT_VIEWER)
OTHER_AGENCY = Actor.agency_user("nj-1", "agency-nj", AgencyRole.COMPLAINT_MANAGER)
COMPANY_POC = Actor.company_user(POC, COMPANY, ComplaintsPermission.MANAGE)
CONTRIBUTOR = Actor.company_user("contributor-1", COMPANY, ComplaintsPermission.MANAGE)
CONTACT = Actor.company_user(
    "contact-1", COMPANY, ComplaintsPermission.MANAGE, complaints_contact=True
)


def test_every_command_has_exactly_one_rule() -> None:
    assert set(COMPLAINT_RULES) == set(ComplaintCommand)
    assert set(REQUEST_RULES) == set(InformationRequestCommand)


def test_a_manager_on_an_open_complaint_with_a_draft_request(complaint: Complaint) -> None:
    ir = complaint.add_information_request("Send the payment history.", NOW, by=MANAGER)

    assert complaint_actions(AGENCY_MANAGER, complaint, AROUND) == {
        C.UPDATE_COMPLAINT,
        C.ASSIGN_AGENCY_POC,
        C.ADD_INFORMATION_REQUEST,
        C.SEND_INFORMATION_REQUESTS,
        C.ADD_ALLEGED_VIOLATION,
        C.ADD_RESEARCH_NOTE,
        C.POST_INTERACTION,
        C.REFER_COMPLAINT,
        C.CLOSE_COMPLAINT,
        C.CANCEL_COMPLAINT,
    }
    assert information_request_actions(AGENCY_MANAGER, complaint, ir, AROUND) == {R.SEND}


def test_readers_without_rights_are_offered_nothing(
    complaint: Complaint, sent_request: InformationRequest
) -> None:
    assert complaint_actions(AGENCY_VIEWER, complaint, AROUND) == frozenset()
    assert information_request_actions(AGENCY_VIEWER, complaint, sent_request, AROUND) == (
        frozenset()
    )
    assert complaint_actions(OTHER_AGENCY, complaint, AROUND) == frozenset()
    assert information_request_actions(OTHER_AGENCY, complaint, sent_request, AROUND) == (
        frozenset()
    )


def test_referral_is_offered_only_before_any_request_was_sent(
    complaint: Complaint, sent_request: InformationRequest
) -> None:
    assert C.REFER_COMPLAINT not in complaint_actions(AGENCY_MANAGER, complaint, AROUND)


def test_the_receiving_agency_is_offered_the_decision_only(complaint: Complaint) -> None:
    complaint.refer("agency-nj", NOW, by=MANAGER)

    assert complaint_actions(OTHER_AGENCY, complaint, AROUND) == {C.DECIDE_REFERRAL}
    assert complaint_actions(AGENCY_MANAGER, complaint, AROUND) == {
        C.ADD_RESEARCH_NOTE,
        C.CANCEL_COMPLAINT,
    }


def test_a_draft_due_today_or_earlier_cannot_be_sent(
    new_complaint: Callable[..., Complaint],
) -> None:
    complaint = new_complaint()
    stale = complaint.add_information_request("Explain.", NOW, by=MANAGER, due_date=DUE)
    fresh = complaint.add_information_request("And this.", NOW, by=MANAGER)
    later = Circumstances(now=NOW + timedelta(days=30), default_due_date=date(2025, 6, 20))

    assert information_request_actions(AGENCY_MANAGER, complaint, stale, later) == frozenset()
    assert information_request_actions(AGENCY_MANAGER, complaint, fresh, later) == {R.SEND}
    # Sending every unsent request at once would fail on the stale one.
    assert C.SEND_INFORMATION_REQUESTS not in complaint_actions(AGENCY_MANAGER, complaint, later)


def test_nothing_is_sent_to_an_unregistered_company(complaint: Complaint) -> None:
    ir = complaint.add_information_request("Send the payment history.", NOW, by=MANAGER)
    unregistered = Circumstances(now=NOW, default_due_date=DUE, company_receives_requests=False)

    assert C.SEND_INFORMATION_REQUESTS not in complaint_actions(
        AGENCY_MANAGER, complaint, unregistered
    )
    assert information_request_actions(AGENCY_MANAGER, complaint, ir, unregistered) == set()


def test_the_company_knows_nothing_of_unsent_requests(complaint: Complaint) -> None:
    ir = complaint.add_information_request("Send the payment history.", NOW, by=MANAGER)
    complaint.assign_company_poc(POC, NOW, by=CONTACT.user_id)

    assert information_request_actions(COMPANY_POC, complaint, ir, AROUND) == frozenset()


def test_the_poc_submits_only_a_draft_with_content(
    complaint: Complaint, sent_request: InformationRequest
) -> None:
    complaint.add_contributor(CONTRIBUTOR.user_id, NOW, by=POC)
    assert information_request_actions(COMPANY_POC, complaint, sent_request, AROUND) == {
        R.SAVE_RESPONSE_DRAFT
    }
    assert complaint_actions(COMPANY_POC, complaint, AROUND) == {
        C.ADD_CONTRIBUTOR,
        C.POST_INTERACTION,
    }
    assert complaint_actions(CONTACT, complaint, AROUND) == {C.ASSIGN_COMPANY_POC}

    sent_request.save_draft(DraftEdit(text="Refunded."), NOW, by=CONTRIBUTOR.user_id)

    assert information_request_actions(COMPANY_POC, complaint, sent_request, AROUND) == {
        R.SAVE_RESPONSE_DRAFT,
        R.SEND_DRAFT_TO_POC,
        R.SUBMIT_RESPONSE,
    }
    assert information_request_actions(CONTRIBUTOR, complaint, sent_request, AROUND) == {
        R.SAVE_RESPONSE_DRAFT,
        R.SEND_DRAFT_TO_POC,
    }


def test_a_restricted_draft_is_out_of_the_contributors_reach(
    complaint: Complaint, sent_request: InformationRequest
) -> None:
    complaint.add_contributor(CONTRIBUTOR.user_id, NOW, by=POC)
    sent_request.save_draft(DraftEdit(text="Private."), NOW, by=POC, restricted=True)

    assert information_request_actions(CONTRIBUTOR, complaint, sent_request, AROUND) == (
        frozenset()
    )
    assert R.SEND_DRAFT_TO_POC in information_request_actions(
        COMPANY_POC, complaint, sent_request, AROUND
    )


def test_one_send_back_request_at_a_time(
    complaint: Complaint, answered_request: InformationRequest
) -> None:
    agency = {R.MARK_QUICK_LOOK, R.SEND_BACK_RESPONSE, R.COMPLETE}
    assert information_request_actions(AGENCY_MANAGER, complaint, answered_request, AROUND) == (
        agency
    )
    assert information_request_actions(COMPANY_POC, complaint, answered_request, AROUND) == {
        R.REQUEST_SEND_BACK
    }

    complaint.request_send_back(answered_request.id, "Wrong file.", NOW, by=POC)

    assert information_request_actions(COMPANY_POC, complaint, answered_request, AROUND) == (
        frozenset()
    )


def test_notes_stay_open_after_closure(
    complaint: Complaint, answered_request: InformationRequest
) -> None:
    complaint.close(CloseReason.DUPLICATE, NOW, by=MANAGER)
    assert complaint_actions(AGENCY_MANAGER, complaint, AROUND) == {C.ADD_RESEARCH_NOTE}

    complaint.add_research_note("Duplicate of NY-2025-000041.", NOW, by=MANAGER)

    assert complaint_actions(AGENCY_MANAGER, complaint, AROUND) == {
        C.ADD_RESEARCH_NOTE,
        C.UPDATE_RESEARCH_NOTE,
    }
    assert (
        information_request_actions(AGENCY_MANAGER, complaint, answered_request, AROUND)
        == frozenset()
    )
