"""The company view never shows agency-only fields (DESIGN §4), and vice versa."""

from __future__ import annotations

from ses_core.identity import Actor, AgencyRole, ComplaintsPermission
from ses_core.permissions import (
    AGENCY_ONLY_FIELDS,
    COMPANY_ONLY_FIELDS,
    agency_only_fields,
    visible_fields,
)

COMPLAINT_FIELDS = {
    "id",
    "status",
    "description",
    "complainant_name",
    "complainant_address",
    "complainant_phone",
    "complainant_email",
    "desired_outcome",
    "close_reason",
    "close_notes",
    "internal_categories",
    "quick_look_marks",
    "alleged_violations",
    "research_notes",
    "referrals",
    "cancel_reason",
    "company_internal_comments",
}
VIEWER = Actor.agency_user("a-vwr", "T1", AgencyRole.COMPLAINT_VIEWER)
COMPANY_USER = Actor.company_user("c-poc", "C1", ComplaintsPermission.MANAGE)


def test_agency_only_fields_are_the_design_list_plus_the_agency_working_material() -> None:
    design_list = {
        "complainant_phone",
        "complainant_email",
        "desired_outcome",
        "close_notes",
        "internal_categories",
        "quick_look_marks",
    }
    working_material = {"alleged_violations", "research_notes", "referrals", "cancel_reason"}
    assert agency_only_fields == AGENCY_ONLY_FIELDS == design_list | working_material


def test_company_sees_everything_but_agency_only_fields() -> None:
    visible = visible_fields(COMPANY_USER, COMPLAINT_FIELDS)

    assert visible == {
        "id",
        "status",
        "description",
        "complainant_name",
        "complainant_address",
        "close_reason",
        "company_internal_comments",
    }


def test_restricted_complainant_details_hide_every_complainant_field_from_the_company() -> None:
    visible = visible_fields(COMPANY_USER, COMPLAINT_FIELDS, complainant_restricted=True)

    assert not any(name.startswith("complainant_") for name in visible)
    assert "description" in visible


def test_agency_sees_everything_but_company_internal_comments() -> None:
    visible = visible_fields(VIEWER, COMPLAINT_FIELDS, complainant_restricted=True)

    assert visible == COMPLAINT_FIELDS - COMPANY_ONLY_FIELDS
    assert visible >= AGENCY_ONLY_FIELDS


def test_platform_operator_sees_no_complaint_fields() -> None:
    assert visible_fields(Actor.platform_operator("p"), COMPLAINT_FIELDS) == frozenset()


def test_projection_accepts_any_iterable_and_returns_a_frozenset() -> None:
    visible = visible_fields(COMPANY_USER, iter(["id", "close_notes"]))

    assert visible == frozenset({"id"})
    assert isinstance(visible, frozenset)


def test_a_complaint_reaches_its_company_only_once_an_ir_was_sent_and_it_is_enrolled() -> None:
    from ses_core.permissions import complaint_reaches_company

    outcomes = {
        (sent, enrolled): complaint_reaches_company(
            information_request_sent=sent, company_enrolled=enrolled
        )
        for sent in (False, True)
        for enrolled in (False, True)
    }
    assert outcomes == {
        (False, False): False,
        (False, True): False,
        (True, False): False,
        (True, True): True,
    }
