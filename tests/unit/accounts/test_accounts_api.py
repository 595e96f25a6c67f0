"""The public surface of ses_core.accounts is pinned, and the package stays pure."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from pydantic import ValidationError

import ses_core.accounts as accounts

EXPECTED = {
    "CSV_COLUMNS", "MAX_ACCOUNT_ADMINS", "MAX_NOTIFICATION_ADDRESSES", "USPS_STATE_CODES",
    "AccountsEvent", "ActivationLinkIssued", "Address", "Agency", "AgencyCreated", "AgencyUser",
    "Company", "LinkPurpose",
    "CompanyAccount", "CompanyContactAssigned", "CompanyContactType", "CompanyKind",
    "CompanyProfile", "CompanyQuery", "CompanyQueryKind", "CompanyRegistered", "CompanySource",
    "CompanyUpdated", "CompanyUser", "ContactPerson", "CsvColumn", "CsvImportResult",
    "ImportedRow", "NotificationAddressesChanged", "OutstandingTask", "OutstandingTaskKind",
    "RowError", "UserAuthority", "UserAuthorityChanged", "UserCreated", "UserDeactivated",
    "UserRecord", "UserRolesChanged", "UserStatus", "UserUnlocked",
    "check_agency_code", "check_company_id", "check_email_address", "check_nmls_id",
    "check_postal_code", "check_state_code", "decode_csv", "email_key", "email_problem",
    "format_company_id", "is_company_id", "is_email_address", "parse_company_csv",
    "parse_company_kind", "parse_company_query",
}  # fmt: skip


def test_the_exported_names_are_exactly_the_pinned_ones() -> None:
    assert set(accounts.__all__) == EXPECTED
    assert all(hasattr(accounts, name) for name in EXPECTED)


def test_the_package_imports_only_the_standard_library_pydantic_and_pure_ses_core() -> None:
    allowed_roots = {"__future__", "collections", "csv", "dataclasses", "datetime", "enum", "io",
                     "re", "typing", "unicodedata", "pydantic", "ses_core"}  # fmt: skip
    forbidden = ("ses_core.platform", "ses_sdk")
    package = Path(accounts.__file__).parent
    for module in package.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for name in names:
                assert name.split(".")[0] in allowed_roots, f"{module.name} imports {name}"
                assert not name.startswith(forbidden), f"{module.name} imports {name}"


def test_events_are_published_on_the_enrollment_context() -> None:
    for name in ("AgencyCreated", "UserCreated", "UserRolesChanged", "CompanyContactAssigned",
                 "UserDeactivated", "UserUnlocked", "CompanyRegistered"):  # fmt: skip
        event_type = getattr(accounts, name)
        assert event_type.subject().startswith("ses.enrollment.v1.")


def test_a_user_event_names_exactly_one_organization() -> None:
    fields = {"user_id": "u1", "email": "a@b.example", "given_name": "A", "family_name": "B"}
    for organization in ({}, {"agency_id": "a1", "company_id": "SES-000001"}):
        with pytest.raises(ValidationError, match="exactly one of agency_id and company_id"):
            accounts.UserCreated(**fields, **organization)
