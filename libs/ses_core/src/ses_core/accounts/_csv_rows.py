"""Checking one row of a company CSV file; the format is documented in ``_csv_import``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from ses_core.accounts._codes import check_nmls_id, check_postal_code, check_state_code
from ses_core.accounts._company import Address, CompanyProfile, ContactPerson
from ses_core.accounts._email import check_email_address
from ses_core.accounts._kinds import CompanyKind, parse_company_kind
from ses_core.accounts._text import distinct_lines, required_line, single_line
from ses_core.errors import ValidationFailed
from ses_core.models._checks import check_phone

T = TypeVar("T")


class RowError(BaseModel):
    """A problem with one line of the file (line 1 is the header)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    line: int
    reason: str
    message: str
    column: str = ""


class RowChecker:
    """Checks the values of one CSV row, collecting one ``RowError`` per problem."""

    def __init__(self, line: int, values: dict[str, str], first_line_of: dict[str, int]) -> None:
        self.line = line
        self.values = values
        self.first_line_of = first_line_of
        self.errors: list[RowError] = []

    def check(self) -> CompanyProfile | None:
        fields = {
            "nmls_id": self._nmls_id(),
            "legal_name": self._field("legal_name", _required("the legal name", "legal_name")),
            "trade_names": self._list("trade_names", "a trade name"),
            "business_types": self._list("business_types", "a business type"),
            "kind": self._kind(),
            "address": self._address(),
            "nmls_contact_person": self._contact("contact"),
            "nmls_complaints_contact": self._contact("complaints_contact"),
        }
        if self.errors:
            return None
        try:
            return CompanyProfile.model_validate(fields)
        except ValidationFailed as error:
            self._fail("", error)
            return None

    def _nmls_id(self) -> str | None:
        nmls_id = self._field("nmls_id", check_nmls_id) if self._given("nmls_id") else None
        if nmls_id is None:
            return None
        first = self.first_line_of.setdefault(nmls_id, self.line)
        if first != self.line:
            self._fail(
                "nmls_id",
                ValidationFailed(
                    f"NMLS ID {nmls_id} already appears on line {first}; keep one row per company.",
                    reason="duplicate_nmls_id",
                ),
            )
        return nmls_id

    def _kind(self) -> CompanyKind | None:
        if self._given("kind"):
            return self._field("kind", parse_company_kind)
        if self._given("nmls_id"):
            return CompanyKind.NMLS_REGISTERED
        self._fail(
            "kind",
            ValidationFailed(
                "A company without an NMLS ID needs its kind: depository, "
                "agency_licensed_no_nmls or unregistered.",
                reason="kind_required",
            ),
        )
        return None

    def _address(self) -> Address | None:
        parts = {
            "street": self._field("street", _required("the street", "street")),
            "street_2": self._field("street_2", _line("the second street line")),
            "city": self._field("city", _required("the city", "city")),
            "state_code": self._field("state", check_state_code),
            "postal_code": self._field("postal_code", check_postal_code),
        }
        if any(value is None for value in parts.values()):
            return None
        return Address.model_validate(parts)

    def _contact(self, prefix: str) -> ContactPerson | None:
        name, title, email, phone = (f"{prefix}_{part}" for part in _CONTACT_PARTS)
        if not any(self._given(column) for column in (name, title, email, phone)):
            return None
        parts = {
            "full_name": self._field(name, _required(f"the {name}", "contact_name")),
            "title": self._field(title, _line(f"the {title}")),
            "email": self._field(email, _optional(check_email_address)),
            "phone": self._field(phone, _optional(check_phone)),
        }
        if any(value is None for value in parts.values()):
            return None
        return ContactPerson.model_validate(parts)

    def _list(self, column: str, what: str) -> list[str] | None:
        return self._field(column, lambda value: distinct_lines(value.split(";"), what))

    def _given(self, column: str) -> bool:
        return bool(self.values.get(column, "").strip())

    def _field(self, column: str, check: Callable[[str], T]) -> T | None:
        try:
            return check(self.values.get(column, ""))
        except ValidationFailed as error:
            self._fail(column, error)
            return None

    def _fail(self, column: str, error: ValidationFailed) -> None:
        prefix = f"Column {column}: " if column else ""
        self.errors.append(
            RowError(
                line=self.line, reason=error.reason, column=column, message=prefix + error.message
            )
        )


_CONTACT_PARTS = ("name", "title", "email", "phone")


def _required(what: str, field: str) -> Callable[[str], str]:
    return lambda value: required_line(value, what, reason=f"{field}_required")


def _line(what: str) -> Callable[[str], str]:
    return lambda value: single_line(value, what)


def _optional(check: Callable[[str], str]) -> Callable[[str], str]:
    return lambda value: check(value) if value.strip() else ""
