"""What a notification may say to whom: agency-only fields and restricted responses."""

from __future__ import annotations

from ses_core.identity import Side
from ses_core.notifications import RESTRICTED_RESPONSE_FIELDS, Reader, visible_facts
from ses_core.permissions import AGENCY_ONLY_FIELDS, COMPANY_ONLY_FIELDS

FACTS = {
    "complaint_id": "c-1",
    "close_reason": "CLOSED_WITH_EXPLANATION",
    "close_notes": "internal: complainant is a repeat filer",
    "desired_outcome": "refund",
    "complainant_email": "jane@example.org",
    "complainant_name": "Jane",
    "company_internal_comments": "escalate to legal",
    "send_back_reason": "the settlement amount is wrong",
    "file_count": 2,
}


def test_company_readers_never_get_agency_only_fields() -> None:
    for reader in (Reader(Side.COMPANY), Reader(Side.COMPANY, is_company_poc=True)):
        visible = visible_facts(reader, FACTS)
        assert not set(visible) & AGENCY_ONLY_FIELDS
        assert visible["company_internal_comments"] == "escalate to legal"


def test_agency_readers_never_get_company_only_fields_but_see_restricted_content() -> None:
    visible = visible_facts(Reader(Side.AGENCY), FACTS, restricted_response=True)
    assert not set(visible) & COMPANY_ONLY_FIELDS
    assert visible["send_back_reason"] == "the settlement amount is wrong"
    assert visible["close_notes"].startswith("internal")


def test_restricted_response_content_reaches_only_the_poc_on_the_company_side() -> None:
    poc = visible_facts(Reader(Side.COMPANY, is_company_poc=True), FACTS, restricted_response=True)
    other = visible_facts(Reader(Side.COMPANY), FACTS, restricted_response=True)
    assert poc["send_back_reason"] == "the settlement amount is wrong"
    assert not set(other) & RESTRICTED_RESPONSE_FIELDS
    assert other["complaint_id"] == "c-1"
    unrestricted = visible_facts(Reader(Side.COMPANY), FACTS)
    assert unrestricted["send_back_reason"] == "the settlement amount is wrong"


def test_restricted_complainant_details_are_hidden_from_the_company() -> None:
    visible = visible_facts(Reader(Side.COMPANY), FACTS, complainant_restricted=True)
    assert not [name for name in visible if name.startswith("complainant_")]
    assert (
        visible_facts(Reader(Side.AGENCY), FACTS, complainant_restricted=True)["complainant_name"]
        == "Jane"
    )


def test_platform_readers_get_neither_sides_fields() -> None:
    visible = visible_facts(Reader(Side.PLATFORM), FACTS, restricted_response=True)
    assert not set(visible) & (
        AGENCY_ONLY_FIELDS | COMPANY_ONLY_FIELDS | RESTRICTED_RESPONSE_FIELDS
    )
