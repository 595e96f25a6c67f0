"""Identifiers and single-line text: SES Company ID, NMLS ID, agency code, state, ZIP."""

from __future__ import annotations

import pytest

from ses_core.accounts import (
    USPS_STATE_CODES,
    check_agency_code,
    check_company_id,
    check_nmls_id,
    check_postal_code,
    check_state_code,
    format_company_id,
    is_company_id,
)
from ses_core.accounts._text import distinct_lines, required_line, single_line
from ses_core.errors import ValidationFailed


def test_company_ids_are_formatted_from_the_sequence_with_six_digits_at_least() -> None:
    assert format_company_id(1) == "SES-000001"
    assert format_company_id(123) == "SES-000123"
    assert format_company_id(1_234_567) == "SES-1234567"


def test_company_id_numbers_start_at_one() -> None:
    with pytest.raises(ValueError, match="start at 1"):
        format_company_id(0)


@pytest.mark.parametrize(
    ("given", "expected"),
    [("SES-000123", "SES-000123"), (" ses-000123 ", "SES-000123"), ("SES-1234567", "SES-1234567")],
)
def test_company_ids_are_accepted_in_any_case(given: str, expected: str) -> None:
    assert check_company_id(given) == expected
    assert is_company_id(given)


@pytest.mark.parametrize("given", ["", "SES-123", "SES-000000", "SES000123", "ACME-000123", "123"])
def test_malformed_company_ids_are_refused(given: str) -> None:
    assert not is_company_id(given)
    with pytest.raises(ValidationFailed) as refused:
        check_company_id(given)
    assert refused.value.reason == "company_id_invalid"
    assert "SES-000123" in refused.value.message


@pytest.mark.parametrize(
    ("given", "expected"), [("123456", "123456"), (" 42 ", "42"), ("0012345", "12345")]
)
def test_nmls_ids_are_kept_as_digits_without_leading_zeros(given: str, expected: str) -> None:
    assert check_nmls_id(given) == expected


@pytest.mark.parametrize(
    "given", ["", "0", "000", "12a45", "123456.0", "12 345", "-5", "12345678901"]
)
def test_nmls_ids_that_are_not_positive_whole_numbers_are_refused(given: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_nmls_id(given)
    assert refused.value.reason == "nmls_id_invalid"
    assert "whole number of up to 10 digits" in refused.value.message


@pytest.mark.parametrize(("given", "expected"), [("ny-dfs", "NY-DFS"), (" CA1 ", "CA1")])
def test_agency_codes_are_upper_cased(given: str, expected: str) -> None:
    assert check_agency_code(given) == expected


@pytest.mark.parametrize("given", ["", "N", "1NY", "NY DFS", "NY_DFS", "A" * 17])
def test_malformed_agency_codes_are_refused(given: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_agency_code(given)
    assert refused.value.reason == "agency_code_invalid"
    assert "such as NY-DFS" in refused.value.message


def test_states_are_usps_codes_of_states_dc_territories_and_military_mail() -> None:
    assert len(USPS_STATE_CODES) == 63
    assert check_state_code(" ny") == "NY"
    assert check_state_code("pr") == "PR"
    assert check_state_code("AE") == "AE"


@pytest.mark.parametrize("given", ["", "New York", "N", "XX", "ZZ"])
def test_unknown_states_are_refused(given: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_state_code(given)
    assert refused.value.reason == "state_code_invalid"
    assert "two-letter USPS code" in refused.value.message


@pytest.mark.parametrize(
    ("given", "expected"),
    [("02134", "02134"), ("02134-1234", "02134-1234"), ("021341234", "02134-1234")],
)
def test_zip_codes_are_five_digits_or_zip_plus_four(given: str, expected: str) -> None:
    assert check_postal_code(given) == expected


@pytest.mark.parametrize(
    ("given", "hint"),
    [("2134", True), ("213", True), ("21341234", True), ("ABCDE", False), ("02134-12", False)],
)
def test_malformed_zip_codes_are_refused_with_a_hint_about_lost_zeros(
    given: str, hint: bool
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_postal_code(given)
    assert refused.value.reason == "postal_code_invalid"
    assert ("drop leading zeros" in refused.value.message) is hint


def test_single_line_text_collapses_whitespace_including_line_breaks() -> None:
    assert single_line("  Acme\r\n  Lending\tLLC ", "the name") == "Acme Lending LLC"


def test_control_characters_are_refused() -> None:
    with pytest.raises(ValidationFailed) as refused:
        single_line("Acme\x00Lending", "the legal name")
    assert refused.value.reason == "control_characters"
    assert refused.value.message.startswith("The legal name contains control characters")


def test_overlong_text_is_refused_with_its_length() -> None:
    with pytest.raises(ValidationFailed) as refused:
        single_line("x" * 201, "the city")
    assert refused.value.reason == "text_too_long"
    assert "201 characters" in refused.value.message


def test_required_text_refuses_blank_with_the_given_reason() -> None:
    with pytest.raises(ValidationFailed) as refused:
        required_line(" \n ", "the city", reason="city_required")
    assert (refused.value.reason, refused.value.message) == (
        "city_required",
        "Give the city; it cannot be blank.",
    )


def test_distinct_lines_drop_blanks_and_repeats_ignoring_case() -> None:
    assert distinct_lines(["Lender", " ", "lender", "Servicer"], "a type") == ["Lender", "Servicer"]
