"""The company directory over real gRPC: register, import, search, read."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from enrollment_support import OPERATOR, World, address, company_admin, refused

from ses.common.v1 import common_pb2
from ses.enrollment.v1 import enrollment_pb2 as pb
from ses_core.testing import error_details

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

Code = grpc.StatusCode
HEADER = "nmls_id,legal_name,street,city,state,postal_code,trade_names,kind\n"


async def test_a_manager_registers_a_company_and_it_gets_an_ses_id(world: World) -> None:
    agency = await world.create_agency()
    company = await world.register_company(
        agency.manager(),
        "Acme Lending LLC",
        trade_names=["Acme Loans"],
        nmls_contact_person=common_pb2.ContactPerson(
            full_name="Pat Person", email="p@acme.example"
        ),
    )

    assert company.company_id.startswith("SES-")
    assert company.source == pb.COMPANY_SOURCE_MANUAL
    assert company.enrollment_status == pb.ENROLLMENT_STATUS_NOT_ENROLLED
    assert company.nmls_contact_person.full_name == "Pat Person"
    assert list(company.address.address_lines) == ["1 Test Street"]
    fetched = await world.enrollment.GetCompany(
        pb.GetCompanyRequest(company_id=company.company_id.lower()),
        metadata=world.md(agency.viewer()),
    )
    assert fetched.company == company


async def test_an_nmls_id_is_registered_once(world: World) -> None:
    agency = await world.create_agency()
    company = await world.register_company(agency.manager())
    await refused(
        world.register_company(agency.manager(), nmls_id=company.nmls_id),
        Code.ALREADY_EXISTS,
        "nmls_id_taken",
        says=company.company_id,
    )


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"kind": pb.COMPANY_KIND_UNSPECIFIED}, "kind_required"),
        ({"kind": 99}, "kind_unknown"),
        ({"legal_name": "  "}, "legal_name_required"),
        ({"nmls_id": "12-34"}, "nmls_id_invalid"),
        ({"nmls_id": ""}, "nmls_id_required"),
        (
            {"address": common_pb2.Address(address_lines=["1 St"], city="X", state_code="NY")},
            "postal_code_invalid",
        ),
        (
            {"nmls_contact_person": common_pb2.ContactPerson(full_name="P", email="nope")},
            "email_invalid",
        ),
    ],
)
async def test_registration_needs_valid_details(
    world: World, fields: dict[str, object], reason: str
) -> None:
    agency = await world.create_agency()
    await refused(world.register_company(agency.manager(), **fields), Code.INVALID_ARGUMENT, reason)


async def test_an_unregistered_company_needs_no_address_or_nmls_id(world: World) -> None:
    agency = await world.create_agency()
    company = await world.register_company(
        agency.manager(), nmls_id="", kind=pb.COMPANY_KIND_UNREGISTERED, address=None
    )
    assert company.kind == pb.COMPANY_KIND_UNREGISTERED
    assert not company.HasField("address")


async def test_only_managers_supervisors_and_operators_register_companies(world: World) -> None:
    agency = await world.create_agency()
    for actor, reason in (
        (agency.viewer(), "missing_agency_role"),
        (agency.admin, "missing_agency_role"),
        (company_admin("SES-000001"), "wrong_side"),
    ):
        await refused(
            world.register_company(actor), Code.PERMISSION_DENIED, reason, says="register"
        )
    operator_company = await world.register_company(OPERATOR)
    assert operator_company.company_id


async def test_an_import_adds_good_rows_updates_known_ones_and_reports_bad_lines(
    world: World,
) -> None:
    agency = await world.create_agency()
    known = await world.register_company(agency.manager(), "Known Lender Inc")
    new_nmls = world.nmls_id()
    content = (
        HEADER
        + f"{known.nmls_id},Known Lender Incorporated,1 Test Street,Albany,NY,12207,,\n"
        + f"{new_nmls},Brand New Mortgage,2 Main St,Boston,MA,02134,BNM;Brand,\n"
        + ",No Id Bank,3 Side St,Austin,TX,73301,,depository\n"
        + "123,,4 Nowhere,Albany,NY,12207,,\n"
        + "456,Bad Zip Co,5 Road,Albany,NY,1220,,\n"
    )

    result = await world.enrollment.ImportCompanies(
        pb.ImportCompaniesRequest(csv_content=content.encode()), metadata=world.md(OPERATOR)
    )

    assert (result.imported_count, result.updated_count) == (2, 1)
    assert [(error.line_number, error.reason) for error in result.errors] == [
        (5, "legal_name_required"),
        (6, "postal_code_invalid"),
    ]
    assert all(error.message for error in result.errors)
    renamed = await world.enrollment.GetCompany(
        pb.GetCompanyRequest(company_id=known.company_id), metadata=world.md(agency.manager())
    )
    assert renamed.company.legal_name == "Known Lender Incorporated"
    found = await world.enrollment.SearchCompanies(
        pb.SearchCompaniesRequest(query=new_nmls), metadata=world.md(agency.manager())
    )
    (brand_new,) = found.companies
    assert brand_new.source == pb.COMPANY_SOURCE_IMPORT
    assert list(brand_new.trade_names) == ["BNM", "Brand"]


async def test_reimporting_the_same_file_changes_nothing_and_a_dry_run_writes_nothing(
    world: World,
) -> None:
    nmls = world.nmls_id()
    content = (HEADER + f"{nmls},Steady Servicing,1 A St,Albany,NY,12207,,\n").encode()
    metadata = world.md(OPERATOR)

    dry = await world.enrollment.ImportCompanies(
        pb.ImportCompaniesRequest(csv_content=content, dry_run=True), metadata=metadata
    )
    assert dry.imported_count == 1
    agency = await world.create_agency()
    nothing = await world.enrollment.SearchCompanies(
        pb.SearchCompaniesRequest(query=nmls), metadata=world.md(agency.manager())
    )
    assert not nothing.companies

    first = await world.enrollment.ImportCompanies(
        pb.ImportCompaniesRequest(csv_content=content), metadata=metadata
    )
    again = await world.enrollment.ImportCompanies(
        pb.ImportCompaniesRequest(csv_content=content), metadata=metadata
    )
    assert (first.imported_count, again.imported_count, again.unchanged_count) == (1, 0, 1)


async def test_an_import_with_a_bad_header_imports_nothing(world: World) -> None:
    result = await world.enrollment.ImportCompanies(
        pb.ImportCompaniesRequest(csv_content=b"name,city\nAcme,Albany\n"),
        metadata=world.md(OPERATOR),
    )
    assert result.imported_count == 0
    assert [error.line_number for error in result.errors] == [1]
    assert "nmls_id" in result.errors[0].message


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "csv_required"),
        (HEADER.encode() + b"1,Caf\x92 Loans,1 St,A,NY,12207,,\n", "csv_not_utf8"),
    ],
)
async def test_an_unreadable_import_is_refused(world: World, content: bytes, reason: str) -> None:
    await refused(
        world.enrollment.ImportCompanies(
            pb.ImportCompaniesRequest(csv_content=content), metadata=world.md(OPERATOR)
        ),
        Code.INVALID_ARGUMENT,
        reason,
    )


async def test_only_platform_operators_import(world: World) -> None:
    agency = await world.create_agency()
    await refused(
        world.enrollment.ImportCompanies(
            pb.ImportCompaniesRequest(csv_content=HEADER.encode()),
            metadata=world.md(agency.manager()),
        ),
        Code.PERMISSION_DENIED,
        "wrong_side",
    )


async def test_search_finds_companies_by_nmls_id_ses_id_or_name_words(world: World) -> None:
    agency = await world.create_agency()
    tag = world.unique("Zephyr")
    company = await world.register_company(
        agency.manager(), f"{tag} Home Loans Corp", trade_names=[f"{tag} Direct"]
    )
    metadata = world.md(agency.viewer())

    for query in (company.nmls_id, company.company_id, company.company_id.lower(), f"loans {tag}"):
        found = await world.enrollment.SearchCompanies(
            pb.SearchCompaniesRequest(query=query), metadata=metadata
        )
        assert [c.company_id for c in found.companies] == [company.company_id], query
    by_trade_name = await world.enrollment.SearchCompanies(
        pb.SearchCompaniesRequest(query=f"{tag.upper()} direct"), metadata=metadata
    )
    assert [c.company_id for c in by_trade_name.companies] == [company.company_id]
    none = await world.enrollment.SearchCompanies(
        pb.SearchCompaniesRequest(query=f"{tag} nothing%like_this"), metadata=metadata
    )
    assert not none.companies


async def test_search_filters_by_kind_and_enrollment_status(world: World) -> None:
    agency = await world.create_agency()
    tag = world.unique("Filterby")
    bank = await world.register_company(
        agency.manager(), f"{tag} Bank", kind=pb.COMPANY_KIND_DEPOSITORY
    )
    invited, _ = await world.invited_company(agency)
    await world.register_company(agency.manager(), f"{tag} Lender")
    metadata = world.md(agency.manager())

    banks = await world.enrollment.SearchCompanies(
        pb.SearchCompaniesRequest(query=tag, kind=pb.COMPANY_KIND_DEPOSITORY), metadata=metadata
    )
    assert [c.company_id for c in banks.companies] == [bank.company_id]
    invited_ones = await world.enrollment.SearchCompanies(
        pb.SearchCompaniesRequest(enrollment_status=pb.ENROLLMENT_STATUS_INVITED),
        metadata=metadata,
    )
    assert invited.company_id in [c.company_id for c in invited_ones.companies]
    assert all(c.enrollment_status == pb.ENROLLMENT_STATUS_INVITED for c in invited_ones.companies)
    not_enrolled = await world.enrollment.SearchCompanies(
        pb.SearchCompaniesRequest(query=tag, enrollment_status=pb.ENROLLMENT_STATUS_NOT_ENROLLED),
        metadata=metadata,
    )
    assert len(not_enrolled.companies) == 2


async def test_search_pages_through_the_directory_in_id_order(world: World) -> None:
    agency = await world.create_agency()
    tag = world.unique("Pager")
    registered = [
        (await world.register_company(agency.manager(), f"{tag} Number {n}")).company_id
        for n in range(5)
    ]
    seen: list[str] = []
    token = ""
    while True:
        page = await world.enrollment.SearchCompanies(
            pb.SearchCompaniesRequest(query=tag, page_size=2, page_token=token),
            metadata=world.md(agency.manager()),
        )
        seen.extend(c.company_id for c in page.companies)
        token = page.next_page_token
        if not token:
            break
    assert seen == registered
    first = await world.enrollment.SearchCompanies(
        pb.SearchCompaniesRequest(query=tag, page_size=2),
        metadata=world.md(agency.manager()),
    )
    await refused(
        world.enrollment.SearchCompanies(
            pb.SearchCompaniesRequest(query="other words", page_token=first.next_page_token),
            metadata=world.md(agency.manager()),
        ),
        Code.INVALID_ARGUMENT,
        "page_token_mismatch",
    )
    await refused(
        world.enrollment.SearchCompanies(
            pb.SearchCompaniesRequest(page_token="garbage!"),
            metadata=world.md(agency.manager()),
        ),
        Code.INVALID_ARGUMENT,
        "page_token_invalid",
    )


@pytest.mark.parametrize(
    ("request_fields", "reason", "field"),
    [
        ({"page_token": "garbage!"}, "page_token_invalid", "page_token"),
        ({"page_size": -1}, "page_size_invalid", "page_size"),
    ],
)
async def test_a_paging_mistake_names_the_field_at_fault(
    world: World, request_fields: dict[str, Any], reason: str, field: str
) -> None:
    agency = await world.create_agency()
    for call in (
        world.enrollment.SearchCompanies(
            pb.SearchCompaniesRequest(**request_fields), metadata=world.md(agency.manager())
        ),
        world.enrollment.ListUsers(
            pb.ListUsersRequest(**request_fields), metadata=world.md(agency.admin)
        ),
    ):
        error = await refused(call, Code.INVALID_ARGUMENT, reason)
        assert [v.field for v in error_details(error).field_violations] == [field]


async def test_company_users_and_agency_administrators_cannot_search(world: World) -> None:
    agency = await world.create_agency()
    for actor, reason in (
        (company_admin("SES-000001"), "wrong_side"),
        (agency.admin, "missing_agency_role"),
    ):
        await refused(
            world.enrollment.SearchCompanies(pb.SearchCompaniesRequest(), metadata=world.md(actor)),
            Code.PERMISSION_DENIED,
            reason,
        )


async def test_a_company_user_sees_their_own_company_only(world: World) -> None:
    agency = await world.create_agency()
    own = await world.register_company(agency.manager())
    other = await world.register_company(agency.manager())
    actor = company_admin(own.company_id)

    mine = await world.enrollment.GetCompany(
        pb.GetCompanyRequest(company_id=own.company_id), metadata=world.md(actor)
    )
    assert mine.company.company_id == own.company_id
    hidden = await refused(
        world.enrollment.GetCompany(
            pb.GetCompanyRequest(company_id=other.company_id), metadata=world.md(actor)
        ),
        Code.NOT_FOUND,
    )
    missing = await refused(
        world.enrollment.GetCompany(
            pb.GetCompanyRequest(company_id="SES-999999"), metadata=world.md(agency.manager())
        ),
        Code.NOT_FOUND,
    )
    assert "SES-999999" in missing.details()
    assert other.company_id in hidden.details()


async def test_a_malformed_company_id_is_an_invalid_argument(world: World) -> None:
    agency = await world.create_agency()
    await refused(
        world.enrollment.GetCompany(
            pb.GetCompanyRequest(company_id="acme"), metadata=world.md(agency.manager())
        ),
        Code.INVALID_ARGUMENT,
        "company_id_invalid",
        says="SES-000123",
    )


async def test_a_foreign_address_is_refused(world: World) -> None:
    agency = await world.create_agency()
    foreign = address()
    foreign.country_code = "CA"
    await refused(
        world.register_company(agency.manager(), address=foreign),
        Code.INVALID_ARGUMENT,
        "country_not_us",
    )
