"""One search box: the query's shape decides between SES Company ID, NMLS ID and name."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ses_core.accounts import (
    Address,
    Company,
    CompanyKind,
    CompanyProfile,
    CompanyQueryKind,
    CompanySource,
    parse_company_query,
)
from ses_core.errors import ValidationFailed

NOW = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)
ACME = Company.register(
    "SES-000123",
    CompanyProfile(
        nmls_id="4567",
        legal_name="Acme Home Lending, LLC",
        trade_names=("Rocket Loans",),
        address=Address(street="1 Main", city="Albany", state_code="NY", postal_code="12207"),
        kind=CompanyKind.NMLS_REGISTERED,
    ),
    source=CompanySource.IMPORT,
    now=NOW,
)


@pytest.mark.parametrize(
    ("query", "kind", "value"),
    [
        ("", CompanyQueryKind.ALL, ""),
        ("   ", CompanyQueryKind.ALL, ""),
        (" ses-000123 ", CompanyQueryKind.SES_COMPANY_ID, "SES-000123"),
        ("004567", CompanyQueryKind.NMLS_ID, "4567"),
        ("0", CompanyQueryKind.NAME, "0"),
        ("12345678901", CompanyQueryKind.NAME, "12345678901"),
        ("acme   lending", CompanyQueryKind.NAME, "acme lending"),
    ],
)
def test_the_query_shape_decides_what_is_searched(
    query: str, kind: CompanyQueryKind, value: str
) -> None:
    parsed = parse_company_query(query)
    assert (parsed.kind, parsed.value) == (kind, value)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("SES-000123", True),
        ("SES-000124", False),
        ("4567", True),
        ("4568", False),
        ("acme lending", True),
        ("LENDING acme", True),
        ("rocket", True),
        ("acme bank", False),
    ],
)
def test_matches_is_the_reference_search_behaviour(query: str, found: bool) -> None:
    assert parse_company_query(query).matches(ACME) is found


def test_a_search_of_twenty_words_is_accepted_and_of_twenty_one_refused_naming_the_field() -> None:
    assert len(parse_company_query(" ".join(["acme"] * 20)).terms) == 20
    with pytest.raises(ValidationFailed) as refused:
        parse_company_query(" ".join(["acme"] * 21))
    assert refused.value.reason == "search_too_many_terms"
    assert refused.value.field == "query"
    assert "the limit is 20" in refused.value.message


@pytest.mark.parametrize("size", [201, 3 * 1024 * 1024])
def test_a_search_longer_than_two_hundred_characters_is_refused_naming_the_limit(
    size: int,
) -> None:
    assert parse_company_query("a" * 200).terms == ("a" * 200,)
    with pytest.raises(ValidationFailed) as refused:
        parse_company_query("a" * size)
    assert refused.value.reason == "text_too_long"
    assert refused.value.field == "query"
    assert "the limit is 200" in refused.value.message
    assert len(refused.value.message) < 200
