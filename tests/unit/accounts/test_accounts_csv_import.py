"""NMLS-style CSV import: good rows come back, bad rows are reported by physical line."""

from __future__ import annotations

import pytest

from ses_core.accounts import (
    CSV_COLUMNS,
    Address,
    CompanyKind,
    ContactPerson,
    RowError,
    decode_csv,
    parse_company_csv,
    parse_company_kind,
)
from ses_core.errors import ValidationFailed

HEADER = "nmls_id,legal_name,street,city,state,postal_code"
GOOD = "123456,Acme Lending LLC,1 State St,Albany,NY,12207"


def csv_text(*lines: str, header: str = HEADER, newline: str = "\n") -> str:
    return newline.join([header, *lines]) + newline


def reasons(errors: list[RowError]) -> list[tuple[int, str]]:
    return [(error.line, error.reason) for error in errors]


# -- good files --------------------------------------------------------------------------


def test_a_row_with_every_column_is_read_into_a_profile() -> None:
    header = ",".join(column.name for column in CSV_COLUMNS)
    row = (
        '0123456,"Acme Lending, LLC",1 State St,Suite 5,Albany,ny,12207-1234,'
        '"Acme Loans; Acme Home",Mortgage Lender;Mortgage Servicer,NMLS Registered,'
        "Lee Chan,CEO,lee@acme.example,212-555-0100,"
        "Kim Park,Complaints Officer,complaints@acme.example,+1 (212) 555-0101"
    )

    result = parse_company_csv(csv_text(row, header=header))

    assert result.errors == []
    [imported] = result.rows
    company = imported.company
    assert imported.line == 2
    assert result.companies == [company]
    assert (company.nmls_id, company.legal_name, company.kind) == (
        "123456",
        "Acme Lending, LLC",
        CompanyKind.NMLS_REGISTERED,
    )
    assert company.trade_names == ("Acme Loans", "Acme Home")
    assert company.business_types == ("Mortgage Lender", "Mortgage Servicer")
    assert company.address == Address(
        street="1 State St",
        street_2="Suite 5",
        city="Albany",
        state_code="NY",
        postal_code="12207-1234",
    )
    assert company.nmls_contact_person == ContactPerson(
        full_name="Lee Chan", title="CEO", email="lee@acme.example", phone="212-555-0100"
    )
    assert company.nmls_complaints_contact == ContactPerson(
        full_name="Kim Park",
        title="Complaints Officer",
        email="complaints@acme.example",
        phone="+1 (212) 555-0101",
    )


def test_a_byte_order_mark_and_crlf_line_ends_are_handled() -> None:
    result = parse_company_csv(
        "\ufeff" + csv_text(GOOD, "99,Bank Co,2 Elm,Troy,NY,12180", newline="\r\n")
    )

    assert result.errors == []
    assert [(row.line, row.company.nmls_id) for row in result.rows] == [(2, "123456"), (3, "99")]


def test_old_mac_cr_line_ends_are_handled() -> None:
    result = parse_company_csv(csv_text(GOOD, "bad,B,2 Elm,Troy,NY,12180", newline="\r"))
    assert [row.line for row in result.rows] == [2]
    assert reasons(result.errors) == [(3, "nmls_id_invalid")]


def test_header_names_ignore_case_blanks_spaces_hyphens_and_order() -> None:
    header = " Legal Name ,NMLS-ID,Postal Code,STATE,City,Street"
    result = parse_company_csv(csv_text("Acme,42,12207,NY,Albany,1 State St", header=header))

    assert result.errors == []
    assert (result.companies[0].nmls_id, result.companies[0].legal_name) == ("42", "Acme")


def test_quoted_fields_keep_commas_and_quotes_and_fold_line_breaks() -> None:
    row = '42,"Acme ""Best"" Lending,\nLLC","1 State St,\r\nFloor 2",Albany,NY,12207'

    result = parse_company_csv(csv_text(row))

    [company] = result.companies
    assert company.legal_name == 'Acme "Best" Lending, LLC'
    assert company.address is not None
    assert company.address.street == "1 State St, Floor 2"


def test_line_numbers_are_physical_lines_even_after_quoted_line_breaks() -> None:
    text = csv_text(
        '1,"Acme\nLending\nLLC",1 Main,Albany,NY,12207',  # lines 2-4
        "x2,Bad Id,1 Main,Albany,NY,12207",  # line 5
        '3,"Multi\nline but bad zip",1 Main,Albany,NY,1220',  # lines 6-7
        "",  # line 8, blank
        "4,Fine,1 Main,Albany,NY,12207",  # line 9
    )

    result = parse_company_csv(text)

    assert [row.line for row in result.rows] == [2, 9]
    assert reasons(result.errors) == [(5, "nmls_id_invalid"), (6, "postal_code_invalid")]


def test_blank_rows_and_rows_of_empty_values_are_skipped() -> None:
    result = parse_company_csv(csv_text("", GOOD, ",,,,,", "   ", ""))
    assert result.errors == []
    assert [row.line for row in result.rows] == [3]


def test_leading_blank_lines_before_the_header_are_skipped_but_counted() -> None:
    result = parse_company_csv("\n\n" + csv_text("x,Acme,1 Main,Albany,NY,12207"))
    assert reasons(result.errors) == [(4, "nmls_id_invalid")]


def test_optional_columns_may_be_left_out_or_blank() -> None:
    header = HEADER + ",kind,contact_name,contact_email"
    result = parse_company_csv(csv_text(GOOD + ",,,", header=header))
    [company] = result.companies
    assert company.kind is CompanyKind.NMLS_REGISTERED
    assert company.nmls_contact_person is None


# -- bad rows ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("12a,Acme,1 Main,Albany,NY,12207", "nmls_id", "nmls_id_invalid"),
        ("1,  ,1 Main,Albany,NY,12207", "legal_name", "legal_name_required"),
        ("1,Acme, ,Albany,NY,12207", "street", "street_required"),
        ("1,Acme,1 Main,,NY,12207", "city", "city_required"),
        ("1,Acme,1 Main,Albany,New York,12207", "state", "state_code_invalid"),
        ("1,Acme,1 Main,Albany,NY,2207", "postal_code", "postal_code_invalid"),
        ("1,Ac\x00me,1 Main,Albany,NY,12207", "legal_name", "control_characters"),
    ],
)
def test_a_bad_value_is_reported_with_its_line_column_reason_and_a_sentence(
    row: str, column: str, reason: str
) -> None:
    result = parse_company_csv(csv_text(GOOD, row))

    assert [r.line for r in result.rows] == [2]
    [error] = result.errors
    assert (error.line, error.column, error.reason) == (3, column, reason)
    assert error.message.startswith(f"Column {column}: ")
    assert error.message.endswith(".")


def test_every_problem_of_a_row_is_reported_at_once() -> None:
    result = parse_company_csv(csv_text("abc,,1 Main,Albany,XX,1"))

    assert result.rows == []
    assert [(e.line, e.column, e.reason) for e in result.errors] == [
        (2, "nmls_id", "nmls_id_invalid"),
        (2, "legal_name", "legal_name_required"),
        (2, "state", "state_code_invalid"),
        (2, "postal_code", "postal_code_invalid"),
    ]


@pytest.mark.parametrize(
    ("values", "reason", "column"),
    [
        (",,", "kind_required", "kind"),
        (",credit union,", "kind_invalid", "kind"),
        ("7,agency licensed no nmls,", "nmls_id_unexpected", ""),
    ],
)
def test_kind_rules_are_reported_per_row(values: str, reason: str, column: str) -> None:
    nmls_id, kind, _ = values.split(",")
    header = "nmls_id,kind,legal_name,street,city,state,postal_code"
    row = f"{nmls_id},{kind},Acme,1 Main,Albany,NY,12207"

    result = parse_company_csv(csv_text(row, header=header))

    assert [(e.line, e.reason, e.column) for e in result.errors] == [(2, reason, column)]


def test_a_company_without_nmls_id_is_read_when_its_kind_is_given() -> None:
    header = "nmls_id,kind,legal_name,street,city,state,postal_code"
    result = parse_company_csv(
        csv_text(",Depository,First Bank,1 Main,Albany,NY,12207", header=header)
    )
    [company] = result.companies
    assert (company.nmls_id, company.kind) == (None, CompanyKind.DEPOSITORY)


@pytest.mark.parametrize(
    ("contact", "column", "reason"),
    [
        (",,lee@acme.example,", "contact_name", "contact_name_required"),
        ("Lee,,lee-at-acme,", "contact_email", "email_invalid"),
        ("Lee,,,555", "contact_phone", "phone_invalid"),
        ("Lee,C\x07EO,,", "contact_title", "control_characters"),
    ],
)
def test_bad_nmls_contacts_are_reported(contact: str, column: str, reason: str) -> None:
    header = HEADER + ",contact_name,contact_title,contact_email,contact_phone"
    result = parse_company_csv(csv_text(f"{GOOD},{contact}", header=header))
    assert [(e.line, e.column, e.reason) for e in result.errors] == [(2, column, reason)]


def test_a_complaints_contact_with_only_an_email_needs_a_name() -> None:
    header = HEADER + ",complaints_contact_email"
    result = parse_company_csv(csv_text(f"{GOOD},c@acme.example", header=header))
    [error] = result.errors
    assert (error.column, error.reason) == ("complaints_contact_name", "contact_name_required")
    assert error.message == (
        "Column complaints_contact_name: Give the complaints_contact_name; it cannot be blank."
    )


def test_a_row_with_too_few_or_too_many_values_is_reported() -> None:
    result = parse_company_csv(
        csv_text("1,Acme,1 Main,Albany,NY", GOOD, "2,Acme, Inc,1 Main,Albany,NY,12207")
    )

    assert [row.line for row in result.rows] == [3]
    assert reasons(result.errors) == [(2, "wrong_field_count"), (4, "wrong_field_count")]
    assert "has 5 values but the header names 6 columns" in result.errors[0].message
    assert "not in double quotes" in result.errors[1].message


def test_a_row_that_is_not_valid_csv_is_reported_and_reading_goes_on() -> None:
    result = parse_company_csv(csv_text('1,"Acme" Lending,1 Main,Albany,NY,12207', GOOD))

    assert [row.line for row in result.rows] == [3]
    [error] = result.errors
    assert (error.line, error.reason) == (2, "malformed_row")
    assert (
        "enclose values that hold commas, quotes or line breaks in double quotes" in error.message
    )


def test_an_unterminated_quote_is_reported_on_the_line_it_starts() -> None:
    result = parse_company_csv(
        csv_text(GOOD, '2,"Acme,1 Main,Albany,NY,12207', GOOD.replace("123456", "3"))
    )
    assert [row.line for row in result.rows] == [2]
    assert reasons(result.errors) == [(3, "malformed_row")]


# -- duplicate NMLS IDs --------------------------------------------------------------------


def test_a_repeated_nmls_id_is_an_error_on_every_later_line() -> None:
    text = csv_text(
        "123456,Acme,1 Main,Albany,NY,12207",
        "777,Other,1 Main,Albany,NY,12207",
        "0123456,Acme Again,1 Main,Albany,NY,12207",
        "123456,Acme Thrice,1 Main,Albany,NY,12207",
    )

    result = parse_company_csv(text)

    assert [row.line for row in result.rows] == [2, 3]
    assert reasons(result.errors) == [(4, "duplicate_nmls_id"), (5, "duplicate_nmls_id")]
    assert result.errors[0].message == (
        "Column nmls_id: NMLS ID 123456 already appears on line 2; keep one row per company."
    )


def test_a_repeat_of_a_bad_rows_nmls_id_is_still_a_duplicate() -> None:
    result = parse_company_csv(
        csv_text("5,Acme,1 Main,Albany,NY,1", "5,Acme,1 Main,Albany,NY,12207")
    )
    assert result.rows == []
    assert reasons(result.errors) == [(2, "postal_code_invalid"), (3, "duplicate_nmls_id")]


# -- the header ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "reason", "phrase"),
    [
        (
            "nmls_id,legal_name,street,city,state",
            "missing_columns",
            "missing required columns: postal_code",
        ),
        (HEADER + ",fax", "unknown_columns", "unknown columns: fax"),
        (HEADER + ",", "unknown_columns", "unknown columns: (blank)"),
        (HEADER + ",City", "repeated_columns", "repeated columns: city"),
        (
            "nmls_id,name,street,city,state,postal_code",
            "invalid_header",
            "missing required columns: legal_name; unknown columns: name",
        ),
    ],
)
def test_a_bad_header_is_one_error_for_the_whole_file(
    header: str, reason: str, phrase: str
) -> None:
    result = parse_company_csv(csv_text(GOOD, GOOD, header=header))

    assert result.rows == []
    [error] = result.errors
    assert (error.line, error.reason) == (1, reason)
    assert phrase in error.message
    assert "the columns are: nmls_id, legal_name, street" in error.message


@pytest.mark.parametrize("text", ["", "\ufeff", "\n\r\n  \n"])
def test_an_empty_file_is_one_error(text: str) -> None:
    result = parse_company_csv(text)
    assert result.rows == []
    assert reasons(result.errors) == [(1, "empty_file")]


def test_an_unreadable_header_is_one_error() -> None:
    result = parse_company_csv('\nnmls_id,"legal"_name\n' + GOOD)
    assert reasons(result.errors) == [(2, "malformed_header")]
    assert result.errors[0].message.startswith("The header line could not be read")


# -- kinds ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("nmls_registered", CompanyKind.NMLS_REGISTERED),
        ("NMLS Registered", CompanyKind.NMLS_REGISTERED),
        (" depository ", CompanyKind.DEPOSITORY),
        ("Agency-Licensed No NMLS", CompanyKind.AGENCY_LICENSED_NO_NMLS),
        ("COMPANY_KIND_UNREGISTERED", CompanyKind.UNREGISTERED),
    ],
)
def test_kinds_are_read_in_any_spelling(text: str, kind: CompanyKind) -> None:
    assert parse_company_kind(text) is kind


def test_an_unknown_kind_names_the_allowed_ones() -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_company_kind("bank")
    assert refused.value.reason == "kind_invalid"
    assert refused.value.message == (
        "'bank' is not a company kind; use one of nmls_registered, depository, "
        "agency_licensed_no_nmls, unregistered."
    )


# -- bytes -----------------------------------------------------------------------------------


def test_utf8_bytes_are_decoded_keeping_the_byte_order_mark_for_the_parser() -> None:
    data = ("\ufeff" + csv_text("42,Caf\u00e9 Lending,1 Main,Albany,NY,12207")).encode()
    assert parse_company_csv(decode_csv(data)).companies[0].legal_name == "Caf\u00e9 Lending"


def test_a_file_in_a_windows_code_page_is_refused_with_the_line() -> None:
    data = csv_text(GOOD, "43,O\u2019Brien Loans,1 Main,Albany,NY,12207").encode("cp1252")

    with pytest.raises(ValidationFailed) as refused:
        decode_csv(data)

    assert refused.value.reason == "csv_not_utf8"
    assert refused.value.message == (
        'The file is not UTF-8 text (byte 0x92 on line 3); save it as "CSV UTF-8" and upload '
        "it again."
    )
