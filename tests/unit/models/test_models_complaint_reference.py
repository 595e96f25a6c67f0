"""Reference numbers: <agency code>-<year in US Eastern>-<zero-padded sequence>."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ses_core.models.complaint_reference import (
    format_reference_number,
    legacy_reference_number,
    reference_year,
)


@pytest.mark.parametrize(
    ("prefix", "year", "sequence", "expected"),
    [
        ("NY-DFS", 2026, 1, "NY-DFS-2026-000001"),
        ("PA", 2026, 123456, "PA-2026-123456"),
        ("PA", 2026, 1234567, "PA-2026-1234567"),
    ],
)
def test_references_name_the_agency_the_year_and_the_sequence(
    prefix: str, year: int, sequence: int, expected: str
) -> None:
    assert format_reference_number(prefix, year, sequence) == expected


@pytest.mark.parametrize(("prefix", "sequence"), [("", 1), ("NY", 0)])
def test_a_reference_needs_a_prefix_and_a_positive_sequence(prefix: str, sequence: int) -> None:
    with pytest.raises(ValueError, match=r"start at 1|needs a prefix"):
        format_reference_number(prefix, 2026, sequence)


def test_the_year_is_the_year_in_new_york() -> None:
    # 23:30 on New Year's Eve in New York is already 2027 in UTC.
    assert reference_year(datetime(2027, 1, 1, 4, 30, tzinfo=UTC)) == 2026
    assert reference_year(datetime(2027, 1, 1, 5, 0, tzinfo=UTC)) == 2027


def test_a_legacy_reference_is_ses_and_ten_hex_digits_of_the_id() -> None:
    reference = legacy_reference_number("abcdef01-2345-4678-9abc-def012345678")
    assert reference == "SES-ABCDEF0123"
