"""The two projections of one complaint: what the agency and each company user see.

Pure tests over the domain aggregate: ``Viewer`` (fields, requests, drafts,
restricted responses, files) and ``history.describe`` (which events each side
reads and how they are worded).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from ses_complaints.history import describe
from ses_complaints.visibility import Viewer, visible_to_company
from ses_core.identity import Actor, AgencyRole, ComplaintsPermission
from ses_core.lifecycle import CloseReason
from ses_core.models import Complainant, Complaint, DraftEdit

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # Tuesday 10:00 in New York
DUE = date(2026, 12, 4)
AGENCY = Actor.agency_user("m", "agency-ny", AgencyRole.COMPLAINT_MANAGER)
OTHER_AGENCY = Actor.agency_user("x", "agency-nj", AgencyRole.COMPLAINT_MANAGER)
POC = Actor.company_user("poc", "co", ComplaintsPermission.MANAGE)
HELPER = Actor.company_user("helper", "co", ComplaintsPermission.MANAGE)
READER = Actor.company_user("reader", "co", ComplaintsPermission.VIEW)


def _complaint(*, restricted_complainant: bool = False) -> Complaint:
    complaint = Complaint.create(
        reference_number="NY-2026-000001",
        tenant_id="agency-ny",
        company_id="co",
        complainant=Complainant(first_name="Jane", last_name="Doe", email="j@example.com"),
        received_date=date(2026, 11, 20),
        description="Late fee",
        now=NOW,
        by="m",
        document_file_ids=["doc-1"],
        complainant_restricted=restricted_complainant,
    )
    complaint.add_information_request("History", NOW, by="m", due_date=DUE, ir_id="ir-1")
    complaint.add_information_request("Unsent", NOW, by="m", ir_id="ir-2")
    complaint.send_information_requests(NOW, by="m", ir_ids=["ir-1"])
    complaint.assign_company_poc("poc", NOW, by="contact")
    complaint.add_contributor("helper", NOW, by="poc")
    return complaint


def _submit(complaint: Complaint, *, restricted: bool) -> None:
    ir = complaint.information_request("ir-1")
    ir.save_draft(DraftEdit(text="Answer", add_file_ids=("resp-1",)), NOW, by="helper")
    ir.submit_response(NOW, by="poc", restricted=restricted)


def test_the_company_sees_nothing_before_an_ir_is_sent_and_it_is_enrolled() -> None:
    fresh = Complaint.create(
        reference_number="NY-2026-000001",
        tenant_id="agency-ny",
        company_id="co",
        complainant=Complainant(first_name="Jane"),
        received_date=date(2026, 11, 20),
        description="x",
        now=NOW,
        by="m",
    )
    assert not visible_to_company(fresh, company_enrolled=True)
    assert not visible_to_company(_complaint(), company_enrolled=False)
    assert visible_to_company(_complaint(), company_enrolled=True)


@pytest.mark.parametrize(
    ("field", "agency", "company"),
    [
        ("complainant_given_name", True, True),
        ("complainant_email", True, False),
        ("desired_outcome", True, False),
        ("internal_categories", True, False),
        ("quick_look_marks", True, False),
        ("close_notes", True, False),
        ("research_notes", True, False),
        ("alleged_violations", True, False),
        ("referrals", True, False),
        ("cancel_reason", True, False),
        ("company_internal_comments", False, True),
    ],
)
def test_fields_follow_the_two_views(field: str, agency: bool, company: bool) -> None:
    complaint = _complaint()
    assert Viewer(AGENCY, complaint).sees(field) is agency
    assert Viewer(READER, complaint).sees(field) is company


def test_a_restricted_complainant_is_hidden_from_the_company_only() -> None:
    complaint = _complaint(restricted_complainant=True)
    assert not Viewer(POC, complaint).sees("complainant_given_name")
    assert Viewer(AGENCY, complaint).sees("complainant_given_name")


def test_unsent_requests_and_drafts_stay_on_their_own_side() -> None:
    complaint = _complaint()
    ir = complaint.information_request("ir-1")
    ir.save_draft(DraftEdit(text="Draft"), NOW, by="helper")
    unsent = complaint.information_request("ir-2")

    assert Viewer(AGENCY, complaint).sees_request(unsent)
    assert not Viewer(POC, complaint).sees_request(unsent)
    assert Viewer(READER, complaint).sees_draft(ir)
    assert not Viewer(AGENCY, complaint).sees_draft(ir)


def test_restricted_responses_and_their_files_reach_only_the_poc_and_the_agency() -> None:
    complaint = _complaint()
    _submit(complaint, restricted=True)

    for actor in (AGENCY, POC):
        assert Viewer(actor, complaint).sees_submission(True)
        assert "resp-1" in Viewer(actor, complaint).visible_file_ids()
    for actor in (HELPER, READER):
        assert not Viewer(actor, complaint).sees_submission(True)
        assert "resp-1" not in Viewer(actor, complaint).visible_file_ids()
        assert "doc-1" in Viewer(actor, complaint).visible_file_ids()


def test_a_restricted_draft_and_its_files_are_for_the_company_poc_alone() -> None:
    complaint = _complaint()
    ir = complaint.information_request("ir-1")
    ir.save_draft(DraftEdit(text="Draft", add_file_ids=("draft-1",)), NOW, by="helper")
    ir.save_draft(DraftEdit(text="Draft"), NOW, by="poc", restricted=True)

    assert Viewer(POC, complaint).sees_draft(ir)
    assert "draft-1" in Viewer(POC, complaint).visible_file_ids()
    for actor in (HELPER, READER, AGENCY):
        assert not Viewer(actor, complaint).sees_draft(ir)
        assert "draft-1" not in Viewer(actor, complaint).visible_file_ids()


def test_closure_documents_reach_the_company_only_when_shared() -> None:
    kept, shared = _complaint(), _complaint()
    kept.close(CloseReason.DUPLICATE, NOW, by="m", document_file_ids=["close-1"])
    shared.close(
        CloseReason.DUPLICATE, NOW, by="m", document_file_ids=["close-2"], share_with_company=True
    )
    assert "close-1" not in Viewer(POC, kept).visible_file_ids()
    assert "close-1" in Viewer(AGENCY, kept).visible_file_ids()
    assert "close-2" in Viewer(POC, shared).visible_file_ids()


def _entries(viewer: Viewer) -> dict[str, str]:
    """Action → summary of the entries the viewer reads (the last one of each action)."""
    found = {}
    for event in viewer.complaint.pull_events():
        payload: dict[str, Any] = event.model_dump(mode="json")
        entry = describe(
            viewer,
            event_id=event.event_id,
            occurred_at=event.occurred_at,
            action=event.event_name(),
            actor_id=payload.get("actor_id", ""),
            information_request_id=payload.get("information_request_id"),
            payload=payload,
            names={"poc": "Pat Poc"},
        )
        if entry is not None:
            found[entry.action] = entry.summary
            found[f"{entry.action}:{entry.information_request_id}"] = entry.summary
    return found


def test_history_entries_each_side_reads() -> None:
    agency_view, company_view = _complaint(), _complaint()
    for complaint in (agency_view, company_view):
        _submit(complaint, restricted=True)
        complaint.add_research_note("Secret", NOW, by="m")
        complaint.cancel("Internal reason", NOW, by="m")
    agency = _entries(Viewer(AGENCY, agency_view))
    company = _entries(Viewer(POC, company_view))

    assert "research_note_added" in agency
    assert "research_note_added" not in company
    assert "information_request_added" in agency
    assert "information_request_added" not in company
    assert "response_drafted" in company
    assert "response_drafted" not in agency
    assert "Internal reason" in agency["complaint_canceled"]
    assert "Internal reason" not in company["complaint_canceled"]
    assert company["company_poc_assigned"] == "Company POC is now Pat Poc."
    assert "Restricted response" in company["response_submitted"]
    # The unsent IR ended with the complaint; the company never knew it existed.
    assert "information_request_canceled:ir-1" in company
    assert "information_request_canceled:ir-2" not in company
    assert "information_request_canceled:ir-2" in agency


def test_other_agencies_and_platform_readers_see_no_agency_only_parts() -> None:
    complaint = _complaint()
    assert not Viewer(OTHER_AGENCY, complaint).sees("research_notes")
    operator = Actor.platform_operator("ops")
    assert not Viewer(operator, complaint).sees("complainant_given_name")
