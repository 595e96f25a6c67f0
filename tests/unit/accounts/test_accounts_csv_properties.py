"""Property: any good row written by a CSV writer is read back with the same fields and line."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from ses_core.accounts import USPS_STATE_CODES, CompanyKind, parse_company_csv

COLUMNS = [
    "nmls_id",
    "legal_name",
    "street",
    "city",
    "state",
    "postal_code",
    "business_types",
    "kind",
    "contact_name",
    "contact_email",
]

# Text with what stresses CSV quoting (commas, quotes, line breaks) and Unicode separators.
_CHARS = st.characters(
    codec="utf-8", exclude_categories=("Cc", "Cs"), exclude_characters=";"
) | st.sampled_from([",", '"', "\n", " ", "'"])
TEXT = st.text(_CHARS, min_size=1, max_size=40).filter(lambda s: s.split())


def folded(value: str) -> str:
    return " ".join(value.split())


@dataclass(frozen=True)
class Row:
    nmls_id: str
    legal_name: str
    street: str
    city: str
    state: str
    postal_code: str
    business_types: list[str]
    kind: CompanyKind
    contact_name: str
    contact_email: str

    def values(self) -> list[str]:
        return [
            self.nmls_id,
            self.legal_name,
            self.street,
            self.city,
            self.state,
            self.postal_code,
            ";".join(self.business_types),
            self.kind.value.replace("_", " ").title(),
            self.contact_name,
            self.contact_email,
        ]


ROWS = st.builds(
    Row,
    nmls_id=st.integers(1, 9_999_999_999).map(str),
    legal_name=TEXT,
    street=TEXT,
    city=TEXT,
    state=st.sampled_from(sorted(USPS_STATE_CODES)),
    postal_code=st.from_regex(r"[0-9]{5}(-[0-9]{4})?", fullmatch=True),
    business_types=st.lists(TEXT, max_size=3),
    kind=st.sampled_from([CompanyKind.NMLS_REGISTERED, CompanyKind.DEPOSITORY]),
    contact_name=TEXT,
    contact_email=st.from_regex(
        r"[a-z0-9._%+-]{1,10}@[a-z0-9]{1,10}\.[a-z]{2,4}", fullmatch=True
    ).filter(lambda e: ".." not in e and not e.startswith(".") and ".@" not in e),
)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(ROWS, min_size=1, max_size=4, unique_by=lambda row: row.nmls_id),
    line_end=st.sampled_from(["\n", "\r\n"]),
    bom=st.booleans(),
)
def test_every_good_row_round_trips(rows: list[Row], line_end: str, bom: bool) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=line_end)
    writer.writerow(COLUMNS)
    start_lines = []
    for row in rows:
        start_lines.append(out.getvalue().count("\n") + 1)
        writer.writerow(row.values())

    result = parse_company_csv(("\ufeff" if bom else "") + out.getvalue())

    assert result.errors == []
    assert [imported.line for imported in result.rows] == start_lines
    for row, company in zip(rows, result.companies, strict=True):
        assert company.nmls_id == row.nmls_id
        assert company.legal_name == folded(row.legal_name)
        assert company.address is not None
        assert (company.address.street, company.address.city) == (
            folded(row.street),
            folded(row.city),
        )
        assert (company.address.state_code, company.address.postal_code) == (
            row.state,
            row.postal_code,
        )
        expected_types = list(dict.fromkeys(folded(t) for t in row.business_types))
        assert [t.casefold() for t in company.business_types] == list(
            dict.fromkeys(t.casefold() for t in expected_types)
        )
        assert company.kind is row.kind
        assert company.nmls_contact_person is not None
        assert company.nmls_contact_person.full_name == folded(row.contact_name)
        assert company.nmls_contact_person.email == row.contact_email
