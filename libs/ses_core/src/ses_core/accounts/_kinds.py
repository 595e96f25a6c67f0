"""Enumerations of the accounts domain (values are stable; the transport maps them)."""

from __future__ import annotations

from enum import StrEnum

from ses_core.errors import ValidationFailed, quote


class CompanyKind(StrEnum):
    """Where a company stands in the regulatory system."""

    NMLS_REGISTERED = "nmls_registered"
    DEPOSITORY = "depository"
    AGENCY_LICENSED_NO_NMLS = "agency_licensed_no_nmls"
    UNREGISTERED = "unregistered"

    @property
    def receives_information_requests(self) -> bool:
        """Unregistered companies can be tracked in complaints but receive no IRs."""
        return self is not CompanyKind.UNREGISTERED


def parse_company_kind(value: str) -> CompanyKind:
    """``nmls_registered``, ``NMLS Registered``, ``COMPANY_KIND_DEPOSITORY``, ... → the kind."""
    name = value.strip().lower().replace(" ", "_").replace("-", "_").removeprefix("company_kind_")
    try:
        return CompanyKind(name)
    except ValueError:
        allowed = ", ".join(kind.value for kind in CompanyKind)
        raise ValidationFailed(
            f"{quote(value.strip())} is not a company kind; use one of {allowed}.",
            reason="kind_invalid",
        ) from None


class CompanySource(StrEnum):
    """How a company came into the directory."""

    IMPORT = "import"
    MANUAL = "manual"


class CompanyContactType(StrEnum):
    """A designation a company gives one of its users."""

    SES_COMPLAINTS_CONTACT = "ses_complaints_contact"


class UserStatus(StrEnum):
    """Lifecycle of a user account: created, activated, deactivated (final)."""

    PENDING_ACTIVATION = "pending_activation"
    ACTIVE = "active"
    DEACTIVATED = "deactivated"


class OutstandingTaskKind(StrEnum):
    """Something a company should still set up."""

    ASSIGN_SES_COMPLAINTS_CONTACT = "assign_ses_complaints_contact"
    ADD_BACKUP_ACCOUNT_ADMINISTRATOR = "add_backup_account_administrator"
    ADD_COMPLAINTS_USERS = "add_complaints_users"
    SET_NOTIFICATION_ADDRESSES = "set_notification_addresses"
    REVIEW_NMLS_CONTACTS = "review_nmls_contacts"
