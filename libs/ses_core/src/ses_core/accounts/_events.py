"""Events of agencies, users, contacts and the company directory.

They are published on ``ses.enrollment.v1.<snake_name>``, like the enrollment
events of ``ses_core.models.enrollment_events``, and their names and fields
follow the messages of ``protos/ses/enrollment/v1/events.proto``.

- A user belongs to an agency or a company: exactly one of ``agency_id`` and
  ``company_id`` is set (the proto's ``oneof organization``).
- ``agency_roles`` is a list to match the proto; the domain gives an agency
  user exactly one role, so it holds one entry for agency users and none for
  company users.
- ``tenant_id`` is the agency that acted or whose data changed; it is empty
  for facts about the shared directory or a company account that no agency
  caused.
- ``activation_link`` travels in ``UserCreated`` so that the notify service can
  e-mail it; the enrollment service stores only a hash of its token.

``UserAuthorityChanged`` is different in kind: it states a user's whole authority
as it now stands (``ses_core.accounts.UserAuthority``), each time any of it may have
changed, with a version that grows by one per statement. Every service keeps a
projection of it to decide what a caller may do (DESIGN §6); a full statement
rather than a delta means a projection that misses, repeats or reorders some of them
still ends on the newest.

Two events have no proto message yet: ``CompanyUpdated`` (a re-import or an
edit changed a directory entry, so that projections of company names stay
current) and ``NotificationAddressesChanged`` (the company's additional
notification addresses, which notify needs).
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Self

from pydantic import Field, model_validator

from ses_core.accounts._kinds import CompanyContactType, CompanyKind, CompanySource
from ses_core.events import DomainEvent
from ses_core.identity import AgencyRole, ComplaintsPermission, Side


class AccountsEvent(DomainEvent):
    context: ClassVar[str] = "enrollment"


class _UserEvent(AccountsEvent):
    user_id: str
    agency_id: str = ""
    company_id: str = ""

    @model_validator(mode="after")
    def _one_organization(self) -> Self:
        if bool(self.agency_id) == bool(self.company_id):
            raise ValueError("A user event names exactly one of agency_id and company_id.")
        return self


class AgencyCreated(AccountsEvent):
    agency_id: str
    code: str
    name: str
    state_code: str
    created_by_user_id: str = ""


class UserCreated(_UserEvent):
    email: str
    given_name: str
    family_name: str
    agency_roles: list[AgencyRole] = Field(default_factory=list)
    complaints_permission: ComplaintsPermission = ComplaintsPermission.NONE
    account_administrator: bool = False
    created_by_user_id: str = ""
    activation_link: str = ""
    activation_expires_at: datetime | None = None


class UserRolesChanged(_UserEvent):
    agency_roles: list[AgencyRole] = Field(default_factory=list)
    complaints_permission: ComplaintsPermission = ComplaintsPermission.NONE
    account_administrator: bool = False
    changed_by_user_id: str = ""


class UserDeactivated(_UserEvent):
    deactivated_by_user_id: str = ""
    reason: str = ""


class UserUnlocked(_UserEvent):
    """An Account Administrator lifted a sign-in lockout before it ran out (for the audit
    trail: who let an account that failed too often sign in again)."""

    unlocked_by_user_id: str = ""


class UserAuthorityChanged(AccountsEvent):
    """A user's authority as the enrollment service states it now (see the module docstring).

    ``agency_id`` / ``company_id`` follow ``side`` (neither for a platform operator);
    ``email`` is the address the user signs in with; ``version`` orders the statements
    about one user (a projection keeps the highest it has seen).
    """

    user_id: str
    side: Side
    agency_id: str = ""
    company_id: str = ""
    email: str
    active: bool
    agency_roles: list[AgencyRole] = Field(default_factory=list)
    complaints_permission: ComplaintsPermission = ComplaintsPermission.NONE
    account_administrator: bool = False
    complaints_contact: bool = False
    version: int


class CompanyContactAssigned(AccountsEvent):
    company_id: str
    contact_type: CompanyContactType
    user_id: str
    previous_user_id: str = ""
    assigned_by_user_id: str = ""


class NotificationAddressesChanged(AccountsEvent):
    company_id: str
    addresses: list[str]
    changed_by_user_id: str = ""


class CompanyRegistered(AccountsEvent):
    company_id: str
    nmls_id: str = ""
    legal_name: str
    kind: CompanyKind
    source: CompanySource
    registered_by_user_id: str = ""


class CompanyUpdated(AccountsEvent):
    company_id: str
    nmls_id: str = ""
    legal_name: str
    kind: CompanyKind
    changed_fields: list[str]
    updated_by_user_id: str = ""
