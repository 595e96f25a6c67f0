"""The company directory: one entry per company, shared by every agency.

``CompanyProfile`` is everything the directory knows about a company except
its SES Company ID; it is what a CSV row or a registration form yields.
``Company`` gives a profile its SES Company ID and raises the directory's
events. Enrollment status is not kept here: ``CompanyEnrollment`` holds it.

Choices where the spec is silent:

- An ``NMLS_REGISTERED`` company must have an NMLS ID and an
  ``AGENCY_LICENSED_NO_NMLS`` company must not; depositories and unregistered
  companies may have one or not.
- Every kind but ``UNREGISTERED`` needs a postal address: information requests
  and enrollment letters go to companies that are registered somewhere, and
  that registration has an address. An unregistered company is often known by
  name alone.
- The NMLS contacts need a name; their e-mail and phone are optional (NMLS
  records are often incomplete) but checked when given.
- Trade names and business types are single lines; blanks and repeats
  (ignoring case) are dropped, the first spelling wins.
"""

from __future__ import annotations

from datetime import datetime
from typing import Self

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from ses_core.accounts._codes import (
    check_company_id,
    check_nmls_id,
    check_postal_code,
    check_state_code,
)
from ses_core.accounts._email import check_email_address
from ses_core.accounts._events import CompanyRegistered, CompanyUpdated
from ses_core.accounts._kinds import CompanyKind, CompanySource
from ses_core.accounts._text import distinct_lines, required_line, single_line
from ses_core.errors import ValidationFailed
from ses_core.lifecycle._time import require_aware
from ses_core.models import Aggregate
from ses_core.models._checks import check_phone


class Address(BaseModel):
    """A US postal address."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    street: str
    street_2: str = ""
    city: str
    state_code: str
    postal_code: str

    @field_validator("street")
    @classmethod
    def _street(cls, value: str) -> str:
        return required_line(value, "the street address", reason="street_required")

    @field_validator("street_2")
    @classmethod
    def _street_2(cls, value: str) -> str:
        return single_line(value, "the second street line")

    @field_validator("city")
    @classmethod
    def _city(cls, value: str) -> str:
        return required_line(value, "the city", reason="city_required")

    @field_validator("state_code")
    @classmethod
    def _state(cls, value: str) -> str:
        return check_state_code(value)

    @field_validator("postal_code")
    @classmethod
    def _postal_code(cls, value: str) -> str:
        return check_postal_code(value)

    @property
    def lines(self) -> list[str]:
        """The street lines, first line first (the proto's ``address_lines``)."""
        return [line for line in (self.street, self.street_2) if line]


class ContactPerson(BaseModel):
    """A person to reach, as NMLS records them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    full_name: str
    title: str = ""
    email: str = ""
    phone: str = ""

    @field_validator("full_name")
    @classmethod
    def _name(cls, value: str) -> str:
        return required_line(value, "the contact's name", reason="contact_name_required")

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        return single_line(value, "the contact's title")

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return check_email_address(value, what="the contact's e-mail") if value.strip() else ""

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        return check_phone(value) if value.strip() else ""


class CompanyProfile(BaseModel):
    """What the directory knows about a company, apart from its SES Company ID."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    nmls_id: str | None = None
    legal_name: str
    trade_names: tuple[str, ...] = ()
    address: Address | None = None
    business_types: tuple[str, ...] = ()
    kind: CompanyKind
    nmls_contact_person: ContactPerson | None = None
    nmls_complaints_contact: ContactPerson | None = None

    @field_validator("nmls_id")
    @classmethod
    def _nmls_id(cls, value: str | None) -> str | None:
        return check_nmls_id(value) if value is not None and value.strip() else None

    @field_validator("legal_name")
    @classmethod
    def _legal_name(cls, value: str) -> str:
        return required_line(value, "the company's legal name", reason="legal_name_required")

    @field_validator("trade_names")
    @classmethod
    def _trade_names(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(distinct_lines(value, "a trade name"))

    @field_validator("business_types")
    @classmethod
    def _business_types(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(distinct_lines(value, "a business type"))

    @model_validator(mode="after")
    def _kind_rules(self) -> Self:
        check_kind_rules(self.kind, self.nmls_id, has_address=self.address is not None)
        return self

    @property
    def can_receive_information_requests(self) -> bool:
        return self.kind.receives_information_requests

    @property
    def can_be_enrolled(self) -> bool:
        return self.kind is not CompanyKind.UNREGISTERED


def check_kind_rules(kind: CompanyKind, nmls_id: str | None, *, has_address: bool) -> None:
    """The rules tying a company's kind to its NMLS ID and address."""
    if kind is CompanyKind.NMLS_REGISTERED and not nmls_id:
        raise ValidationFailed(
            "An NMLS-registered company needs its NMLS ID; add it, or choose another kind "
            "(depository, agency-licensed without NMLS, or unregistered).",
            reason="nmls_id_required",
        )
    if kind is CompanyKind.AGENCY_LICENSED_NO_NMLS and nmls_id:
        raise ValidationFailed(
            f"A company licensed by an agency without NMLS cannot have an NMLS ID ({nmls_id}); "
            "remove the ID, or choose the kind NMLS-registered.",
            reason="nmls_id_unexpected",
        )
    if kind is not CompanyKind.UNREGISTERED and not has_address:
        raise ValidationFailed(
            "Give the company's postal address (street, city, state and ZIP code); only an "
            "unregistered company may be listed without one.",
            reason="address_required",
        )


class Company(Aggregate):
    """A directory entry: an SES Company ID and the company's profile."""

    company_id: str
    profile: CompanyProfile
    source: CompanySource
    registered_at: datetime
    updated_at: datetime

    @field_validator("company_id")
    @classmethod
    def _company_id(cls, value: str) -> str:
        return check_company_id(value)

    @classmethod
    def register(
        cls,
        company_id: str,
        profile: CompanyProfile,
        *,
        source: CompanySource,
        now: datetime,
        by: str = "",
        tenant_id: str = "",
    ) -> Company:
        """Add a company to the directory; ``by`` is empty for imports run by the platform."""
        company = cls(
            company_id=company_id,
            profile=profile,
            source=source,
            registered_at=require_aware(now),
            updated_at=now,
        )
        company._record(
            CompanyRegistered(
                occurred_at=now,
                tenant_id=tenant_id,
                company_id=company.company_id,
                nmls_id=profile.nmls_id or "",
                legal_name=profile.legal_name,
                kind=profile.kind,
                source=source,
                registered_by_user_id=by,
            )
        )
        return company

    def update_profile(
        self, profile: CompanyProfile, *, now: datetime, by: str = "", tenant_id: str = ""
    ) -> CompanyUpdated | None:
        """Replace the profile (an edit or a re-import); nothing happens if nothing changed."""
        changed = [
            name
            for name in CompanyProfile.model_fields
            if getattr(profile, name) != getattr(self.profile, name)
        ]
        if not changed:
            return None
        self.profile = profile
        self.updated_at = require_aware(now)
        event = CompanyUpdated(
            occurred_at=now,
            tenant_id=tenant_id,
            company_id=self.company_id,
            nmls_id=profile.nmls_id or "",
            legal_name=profile.legal_name,
            kind=profile.kind,
            changed_fields=changed,
            updated_by_user_id=by,
        )
        self._record(event)
        return event

    @property
    def nmls_id(self) -> str | None:
        return self.profile.nmls_id

    @property
    def legal_name(self) -> str:
        return self.profile.legal_name

    @property
    def kind(self) -> CompanyKind:
        return self.profile.kind

    @property
    def can_receive_information_requests(self) -> bool:
        return self.profile.can_receive_information_requests

    @property
    def can_be_enrolled(self) -> bool:
        return self.profile.can_be_enrolled
