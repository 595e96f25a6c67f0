"""Identifiers and codes: SES Company ID, NMLS ID, agency code, USPS state, ZIP code.

Choices where the spec is silent:

- **SES Company ID** is ``SES-`` followed by a zero-padded sequence number of at
  least six digits (``SES-000123``). The enrollment service draws the number
  from a database sequence and formats it with ``format_company_id``; numbers
  are never reused, and past 999999 the number simply grows (``SES-1000000``).
  Input is accepted in any case and with surrounding blanks.
- **NMLS ID** is a positive whole number of at most 10 digits, kept as its
  digits without leading zeros, so ``"012345"`` and ``"12345"`` name the same
  company.
- **Agency code** is 2 to 16 capital letters, digits and hyphens, starting with
  a letter (``NY-DFS``); input is upper-cased.
- **State** is a two-letter USPS code of a state, DC, a territory or a
  military "state" (AA, AE, AP); input is upper-cased.
- **ZIP code** is US only: ``12345`` or ``12345-6789`` (nine digits without the
  hyphen are accepted and hyphenated).
"""

from __future__ import annotations

import re

from ses_core.errors import ValidationFailed, quote

COMPANY_ID_PREFIX = "SES-"
_COMPANY_ID = re.compile(r"SES-([0-9]{6,})")
_NMLS_ID = re.compile(r"[0-9]{1,10}")
_AGENCY_CODE = re.compile(r"[A-Z][A-Z0-9-]{1,15}")
_ZIP = re.compile(r"([0-9]{5})(?:-?([0-9]{4}))?")

USPS_STATE_CODES = frozenset(
    {
        # states and DC
        *("AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL"),
        *("IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT"),
        *("NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI"),
        *("SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "DC"),
        # territories, freely associated states, military mail
        *("AS", "GU", "MP", "PR", "VI", "UM", "FM", "MH", "PW", "AA", "AE", "AP"),
    }
)


def format_company_id(sequence_number: int) -> str:
    """The SES Company ID for the service's ``sequence_number`` (1 → ``SES-000001``)."""
    if sequence_number < 1:
        raise ValueError(f"SES Company ID numbers start at 1; got {sequence_number}.")
    return f"{COMPANY_ID_PREFIX}{sequence_number:06d}"


def check_company_id(value: str) -> str:
    candidate = value.strip().upper()
    match = _COMPANY_ID.fullmatch(candidate)
    if match is None or int(match.group(1)) == 0:
        raise ValidationFailed(
            f"{quote(value.strip())} is not an SES Company ID; it looks like SES-000123.",
            reason="company_id_invalid",
        )
    return candidate


def is_company_id(value: str) -> bool:
    match = _COMPANY_ID.fullmatch(value.strip().upper())
    return match is not None and int(match.group(1)) > 0


def check_nmls_id(value: str) -> str:
    candidate = value.strip()
    if not _NMLS_ID.fullmatch(candidate) or int(candidate) == 0:
        raise ValidationFailed(
            f"{quote(candidate)} is not an NMLS ID; an NMLS ID is a whole number of up to 10 "
            "digits, such as 123456, with no letters, spaces or decimal point.",
            reason="nmls_id_invalid",
        )
    return str(int(candidate))


def check_agency_code(value: str) -> str:
    candidate = value.strip().upper()
    if not _AGENCY_CODE.fullmatch(candidate):
        raise ValidationFailed(
            f"{quote(value.strip())} is not an agency code; use 2 to 16 letters, digits and "
            "hyphens, starting with a letter, such as NY-DFS.",
            reason="agency_code_invalid",
        )
    return candidate


def check_state_code(value: str) -> str:
    candidate = value.strip().upper()
    if candidate not in USPS_STATE_CODES:
        raise ValidationFailed(
            f"{quote(value.strip())} is not a US state; use its two-letter USPS code, such as NY.",
            reason="state_code_invalid",
        )
    return candidate


def check_postal_code(value: str) -> str:
    candidate = value.strip()
    match = _ZIP.fullmatch(candidate)
    if match is None:
        hint = (
            " Spreadsheets drop leading zeros: format the column as text."
            if candidate.isdigit() and len(candidate) in (3, 4, 7, 8)
            else ""
        )
        raise ValidationFailed(
            f"{quote(candidate)} is not a ZIP code; write 5 digits (02134) or ZIP+4 "
            f"(02134-1234).{hint}",
            reason="postal_code_invalid",
        )
    five, four = match.groups()
    return f"{five}-{four}" if four else five
