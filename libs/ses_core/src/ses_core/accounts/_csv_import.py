"""NMLS-style CSV import of the company directory: parse and check, never write.

``decode_csv(data)`` turns the uploaded bytes into text (UTF-8 only) and
``parse_company_csv(text)`` returns the good rows as ``CompanyProfile``s with
their line numbers, and one ``RowError`` per problem found. The enrollment
service writes the good rows in one transaction (a row with a known NMLS ID
updates that company; the others get a new SES Company ID), so an import is
never half-written.

File format
-----------
UTF-8 text, comma-separated, fields with commas, double quotes or line breaks
enclosed in double quotes (a quote inside is doubled: ``"Acme ""Best"" Loans"``).
A leading byte-order mark is ignored; lines may end in LF, CRLF or CR. The
first non-blank line is the header. Header names are matched ignoring case and
surrounding blanks, and a space or hyphen counts as an underscore
(``Legal Name`` = ``legal_name``). Columns may come in any order.

==========================  ========  ============================================
column                      required  value
==========================  ========  ============================================
nmls_id                     yes       NMLS ID, digits only; blank for companies
                                      without one (then ``kind`` must say which)
legal_name                  yes       the company's legal name; not blank
street                      yes       first street line; not blank
street_2                    no        second street line
city                        yes       not blank
state                       yes       two-letter USPS code, e.g. NY
postal_code                 yes       ZIP (12345) or ZIP+4 (12345-6789); keep the
                                      leading zero, e.g. 02134
trade_names                 no        other names, separated by semicolons
business_types              no        e.g. ``Mortgage Lender; Mortgage Servicer``
kind                        no        nmls_registered, depository,
                                      agency_licensed_no_nmls or unregistered
                                      (any case, spaces allowed); blank means
                                      nmls_registered when nmls_id is given
contact_name                no        NMLS Contact Person: name (needed if any
contact_title               no        other contact_* value is given), title,
contact_email               no        e-mail and phone
contact_phone               no
complaints_contact_name     no        NMLS Complaints Contact: same rules as
complaints_contact_title    no        contact_*
complaints_contact_email    no
complaints_contact_phone    no
==========================  ========  ============================================

Text values are trimmed and whitespace runs inside them (including line breaks
in quoted values) become single spaces. A header column that is missing,
unknown or repeated is one error for the whole file, reported on line 1, and
no row is read. Rows are numbered by the physical line they start on, the
header being line 1, so a quoted value spanning lines does not shift the
numbers. A bad row gives one error per problem (all of them at once, so the
file can be fixed in one pass) and is left out; blank rows (including rows of
empty values) are skipped. When an NMLS ID appears on several rows, the first
stays and every later row is an error, even if the first row itself has other
problems: the file holds two records for one company either way.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from ses_core.accounts._company import CompanyProfile
from ses_core.accounts._csv_rows import RowChecker, RowError
from ses_core.errors import ValidationFailed


@dataclass(frozen=True, slots=True)
class CsvColumn:
    name: str
    required: bool


CSV_COLUMNS: tuple[CsvColumn, ...] = tuple(
    CsvColumn(name, required)
    for name, required in (
        ("nmls_id", True),
        ("legal_name", True),
        ("street", True),
        ("street_2", False),
        ("city", True),
        ("state", True),
        ("postal_code", True),
        ("trade_names", False),
        ("business_types", False),
        ("kind", False),
        ("contact_name", False),
        ("contact_title", False),
        ("contact_email", False),
        ("contact_phone", False),
        ("complaints_contact_name", False),
        ("complaints_contact_title", False),
        ("complaints_contact_email", False),
        ("complaints_contact_phone", False),
    )
)
_KNOWN = {column.name for column in CSV_COLUMNS}
_REQUIRED = [column.name for column in CSV_COLUMNS if column.required]


class ImportedRow(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    line: int
    company: CompanyProfile


class CsvImportResult(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    rows: list[ImportedRow]
    errors: list[RowError]

    @property
    def companies(self) -> list[CompanyProfile]:
        return [row.company for row in self.rows]


def decode_csv(data: bytes) -> str:
    """The uploaded file's text; ``ValidationFailed`` naming the line if it is not UTF-8.

    Spreadsheet programs often save "CSV" in a Windows code page, where a curly
    apostrophe is byte 0x92; guessing the code page could silently garble
    names, so the person is asked to save the file as UTF-8 instead.
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ValidationFailed(
            f"The file is not UTF-8 text (byte 0x{data[error.start]:02X} on line {line}); "
            'save it as "CSV UTF-8" and upload it again.',
            reason="csv_not_utf8",
        ) from None


def parse_company_csv(text: str) -> CsvImportResult:
    """Check every row of an NMLS-style CSV file; see the module docstring for the format."""
    records = _records(text.removeprefix("\ufeff"))
    header = next(records, None)
    if header is None:
        return _file_error("empty_file", "The file is empty; the first line must name the columns.")
    header_line, header_values, header_problem = header
    if header_problem is not None:
        message = f"The header line could not be read: {header_problem}."
        return _file_error("malformed_header", message, line=header_line)
    names = [_column_name(value) for value in header_values]
    problem = _header_problem(names)
    if problem is not None:
        return _file_error(*problem, line=header_line)
    rows: list[ImportedRow] = []
    errors: list[RowError] = []
    first_line_of: dict[str, int] = {}
    for line, values, read_problem in records:
        if read_problem is not None:
            errors.append(_malformed(line, read_problem))
        elif len(values) != len(names):
            errors.append(_wrong_count(line, len(values), len(names)))
        else:
            row = RowChecker(line, dict(zip(names, values, strict=True)), first_line_of)
            company = row.check()
            errors.extend(row.errors)
            if company is not None:
                rows.append(ImportedRow(line=line, company=company))
    return CsvImportResult(rows=rows, errors=errors)


# -- reading ---------------------------------------------------------------------------

_Record = tuple[int, list[str], str | None]


def _records(text: str) -> Iterator[_Record]:
    """Non-blank records with the physical line each starts on, or the reading problem."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    ended_on = 0
    while True:
        starts_on = ended_on + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            ended_on = reader.line_num
            yield starts_on, [], str(error)
            continue
        ended_on = reader.line_num
        if any(value.strip() for value in values):
            yield starts_on, values, None


def _column_name(value: str) -> str:
    return value.strip().lower().replace(" ", "_").replace("-", "_")


def _header_problem(names: list[str]) -> tuple[str, str] | None:
    missing = [name for name in _REQUIRED if name not in names]
    unknown = [name or "(blank)" for name in names if name not in _KNOWN]
    repeated = sorted({name for name in names if names.count(name) > 1 and name in _KNOWN})
    parts = [
        (reason, f"{label}: {', '.join(found)}")
        for reason, label, found in (
            ("missing_columns", "missing required columns", missing),
            ("unknown_columns", "unknown columns", unknown),
            ("repeated_columns", "repeated columns", repeated),
        )
        if found
    ]
    if not parts:
        return None
    reason = parts[0][0] if len(parts) == 1 else "invalid_header"
    details = "; ".join(text for _, text in parts)
    known = ", ".join(column.name for column in CSV_COLUMNS)
    return reason, f"The header row is not usable ({details}); the columns are: {known}."


def _file_error(reason: str, message: str, *, line: int = 1) -> CsvImportResult:
    return CsvImportResult(rows=[], errors=[RowError(line=line, reason=reason, message=message)])


def _malformed(line: int, problem: str) -> RowError:
    return RowError(
        line=line,
        reason="malformed_row",
        message=(
            f"The row could not be read as CSV ({problem}); enclose values that hold commas, "
            "quotes or line breaks in double quotes, and double any quote inside them."
        ),
    )


def _wrong_count(line: int, found: int, expected: int) -> RowError:
    return RowError(
        line=line,
        reason="wrong_field_count",
        message=(
            f"The row has {found} values but the header names {expected} columns; look for "
            "a missing or extra comma, or a value with a comma that is not in double quotes."
        ),
    )
