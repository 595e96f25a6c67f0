"""The company directory: profiles, kinds, SES Company IDs and directory events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from ses_core.accounts import (
    Address,
    Company,
    CompanyKind,
    CompanyProfile,
    CompanyRegistered,
    CompanySource,
    CompanyUpdated,
    ContactPerson,
)
from ses_core.errors import ValidationFailed

NOW = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)
ALBANY = Address(street="1 State St", city="Albany", state_code="ny", postal_code="12207")


def profile(**changes: Any) -> CompanyProfile:
    fields: dict[str, Any] = {
        "nmls_id": "123456",
        "legal_name": "Acme Lending, LLC",
        "address": ALBANY,
        "kind": CompanyKind.NMLS_REGISTERED,
    }
    return CompanyProfile(**{**fields, **changes})


def test_a_profile_is_normalised_when_built() -> None:
    built = profile(
        nmls_id=" 0123456 ",
        legal_name="  Acme\nLending,   LLC ",
        trade_names=["Acme Loans", "acme loans", " "],
        business_types=("Mortgage Lender", "Mortgage Servicer", "mortgage lender"),
    )

    assert built.nmls_id == "123456"
    assert built.legal_name == "Acme Lending, LLC"
    assert built.trade_names == ("Acme Loans",)
    assert built.business_types == ("Mortgage Lender", "Mortgage Servicer")
    assert built.address is not None
    assert built.address.state_code == "NY"


def test_a_blank_nmls_id_means_none() -> None:
    assert profile(nmls_id="  ", kind=CompanyKind.DEPOSITORY).nmls_id is None


def test_a_profile_is_frozen() -> None:
    with pytest.raises(ValidationError):
        profile().legal_name = "Other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("changes", "reason", "phrase"),
    [
        ({"nmls_id": "12x"}, "nmls_id_invalid", "is not an NMLS ID"),
        ({"legal_name": "  "}, "legal_name_required", "Give the company's legal name"),
        ({"legal_name": "x" * 201}, "text_too_long", "at most 200"),
        ({"trade_names": ["bad\x07name"]}, "control_characters", "A trade name contains"),
        ({"nmls_id": None}, "nmls_id_required", "needs its NMLS ID"),
        (
            {"kind": CompanyKind.AGENCY_LICENSED_NO_NMLS},
            "nmls_id_unexpected",
            "cannot have an NMLS ID (123456)",
        ),
        ({"address": None}, "address_required", "Give the company's postal address"),
    ],
)
def test_invalid_profiles_are_refused_with_a_reason_and_a_sentence(
    changes: dict[str, Any], reason: str, phrase: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        profile(**changes)

    assert refused.value.reason == reason
    assert phrase in refused.value.message
    assert refused.value.message.endswith(".")


@pytest.mark.parametrize(
    ("kind", "nmls_id", "has_address"),
    [
        (CompanyKind.DEPOSITORY, None, True),
        (CompanyKind.DEPOSITORY, "99", True),
        (CompanyKind.AGENCY_LICENSED_NO_NMLS, None, True),
        (CompanyKind.UNREGISTERED, None, False),
        (CompanyKind.UNREGISTERED, "77", False),
    ],
)
def test_kinds_other_than_nmls_registered_may_lack_an_nmls_id(
    kind: CompanyKind, nmls_id: str | None, has_address: bool
) -> None:
    built = profile(kind=kind, nmls_id=nmls_id, address=ALBANY if has_address else None)
    assert built.kind is kind


@pytest.mark.parametrize(
    ("kind", "can"),
    [
        (CompanyKind.NMLS_REGISTERED, True),
        (CompanyKind.DEPOSITORY, True),
        (CompanyKind.AGENCY_LICENSED_NO_NMLS, True),
        (CompanyKind.UNREGISTERED, False),
    ],
)
def test_only_unregistered_companies_cannot_receive_information_requests_or_enroll(
    kind: CompanyKind, can: bool
) -> None:
    nmls_id = None if kind is CompanyKind.AGENCY_LICENSED_NO_NMLS else "1"
    company = Company.register(
        "SES-000001", profile(kind=kind, nmls_id=nmls_id), source=CompanySource.MANUAL, now=NOW
    )

    assert company.can_receive_information_requests is can
    assert company.can_be_enrolled is can


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"street": " "}, "street_required"),
        ({"city": ""}, "city_required"),
        ({"state_code": "Ontario"}, "state_code_invalid"),
        ({"postal_code": "K1A 0B1"}, "postal_code_invalid"),
        ({"street_2": "x" * 201}, "text_too_long"),
    ],
)
def test_invalid_addresses_are_refused(changes: dict[str, str], reason: str) -> None:
    fields = {"street": "1 Main", "city": "Albany", "state_code": "NY", "postal_code": "12207"}
    with pytest.raises(ValidationFailed) as refused:
        Address(**{**fields, **changes})
    assert refused.value.reason == reason


def test_address_lines_skip_a_blank_second_line() -> None:
    assert ALBANY.lines == ["1 State St"]
    assert ALBANY.model_copy(update={"street_2": "Suite 5"}).lines == ["1 State St", "Suite 5"]


def test_a_contact_needs_a_name_and_a_valid_email_and_phone_when_given() -> None:
    contact = ContactPerson(
        full_name=" Ann  Lee ", title="CCO", email="Ann@Acme.COM", phone="(212) 555-0100"
    )
    assert (contact.full_name, contact.email, contact.phone) == (
        "Ann Lee",
        "Ann@acme.com",
        "(212) 555-0100",
    )
    assert ContactPerson(full_name="Bo", email=" ", phone="").email == ""


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"full_name": ""}, "contact_name_required"),
        ({"email": "ann(at)acme.com"}, "email_invalid"),
        ({"phone": "call me"}, "phone_invalid"),
        ({"title": "a\x00b"}, "control_characters"),
    ],
)
def test_invalid_contacts_are_refused(changes: dict[str, str], reason: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        ContactPerson(**{"full_name": "Ann", **changes})
    assert refused.value.reason == reason


def test_registering_a_company_raises_company_registered() -> None:
    company = Company.register(
        "ses-000007", profile(), source=CompanySource.IMPORT, now=NOW, by="", tenant_id=""
    )

    assert company.company_id == "SES-000007"
    assert (company.nmls_id, company.legal_name, company.kind) == (
        "123456",
        "Acme Lending, LLC",
        CompanyKind.NMLS_REGISTERED,
    )
    [event] = company.pull_events()
    assert isinstance(event, CompanyRegistered)
    assert event.subject() == "ses.enrollment.v1.company_registered"
    assert event.payload() | {"event_id": "-"} == {
        "event_id": "-",
        "occurred_at": "2025-03-03T15:00:00Z",
        "tenant_id": "",
        "company_id": "SES-000007",
        "nmls_id": "123456",
        "legal_name": "Acme Lending, LLC",
        "kind": "nmls_registered",
        "source": "import",
        "registered_by_user_id": "",
    }


def test_a_company_registered_by_hand_records_who_and_which_agency() -> None:
    company = Company.register(
        "SES-000008",
        profile(nmls_id=None, kind=CompanyKind.UNREGISTERED, address=None),
        source=CompanySource.MANUAL,
        now=NOW,
        by="mgr-1",
        tenant_id="NY-DFS",
    )
    [event] = company.events
    assert isinstance(event, CompanyRegistered)
    assert (event.nmls_id, event.registered_by_user_id, event.tenant_id) == ("", "mgr-1", "NY-DFS")


def test_a_company_needs_a_well_formed_ses_company_id() -> None:
    with pytest.raises(ValidationFailed) as refused:
        Company.register("42", profile(), source=CompanySource.MANUAL, now=NOW)
    assert refused.value.reason == "company_id_invalid"


def test_a_naive_registration_time_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Company.register(
            "SES-000001", profile(), source=CompanySource.MANUAL, now=datetime(2025, 1, 1)
        )


def test_updating_a_profile_names_the_changed_fields() -> None:
    company = Company.register("SES-000001", profile(), source=CompanySource.IMPORT, now=NOW)
    company.pull_events()
    later = NOW + timedelta(days=1)

    event = company.update_profile(
        profile(legal_name="Acme Home Lending, LLC", business_types=["Mortgage Lender"]),
        now=later,
        by="ops",
    )

    assert isinstance(event, CompanyUpdated)
    assert event.changed_fields == ["legal_name", "business_types"]
    assert (event.legal_name, event.updated_by_user_id) == ("Acme Home Lending, LLC", "ops")
    assert company.legal_name == "Acme Home Lending, LLC"
    assert (company.registered_at, company.updated_at) == (NOW, later)
    assert company.pull_events() == [event]


def test_updating_with_the_same_profile_changes_nothing() -> None:
    company = Company.register("SES-000001", profile(), source=CompanySource.IMPORT, now=NOW)
    company.pull_events()

    assert company.update_profile(profile(), now=NOW + timedelta(days=1)) is None
    assert company.events == []
    assert company.updated_at == NOW
