"""Who may look after an organisation's notification settings.

Organisation-wide settings are the company's additional notification addresses
(company preferences), webhook endpoints and the delivery log of the
organisation's recipients. Choices where the spec is silent (the permission
matrix lets only platform operators view the delivery log; the notify proto
extends that to each organisation's administrators):

* a company's Account Administrators manage their company;
* an agency's Agency Account Administrators and Complaint Supervisors manage
  their agency;
* platform operators manage every organisation;
* another organisation's settings do not exist for the caller (NotFound), and
  one's own organisation without the role is PermissionDenied.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ses_core.errors import PermissionDenied, ValidationFailed
from ses_core.identity import Actor, AgencyRole, Side
from ses_core.permissions import Resource, ResourceKind, not_found_for

_AGENCY_MANAGERS = frozenset({AgencyRole.AGENCY_ACCOUNT_ADMIN, AgencyRole.COMPLAINT_SUPERVISOR})


class OrganizationKind(StrEnum):
    AGENCY = "agency"
    COMPANY = "company"


@dataclass(frozen=True)
class Organization:
    kind: OrganizationKind
    id: str

    @classmethod
    def company(cls, company_id: str) -> Organization:
        return cls(OrganizationKind.COMPANY, company_id)

    @classmethod
    def agency(cls, agency_id: str) -> Organization:
        return cls(OrganizationKind.AGENCY, agency_id)


def organization_of(actor: Actor) -> Organization | None:
    """The actor's own organisation; None for platform operators."""
    if actor.side is Side.COMPANY and actor.company_id:
        return Organization.company(actor.company_id)
    if actor.side is Side.AGENCY and actor.tenant_id:
        return Organization.agency(actor.tenant_id)
    return None


def chosen_organization(actor: Actor, company_id: str = "", agency_id: str = "") -> Organization:
    """The organisation a request names, or the caller's own when it names none."""
    if company_id and agency_id:
        raise ValidationFailed(
            "Name either a company_id or an agency_id, not both.",
            reason="organization_ambiguous",
        )
    if company_id:
        return Organization.company(company_id)
    if agency_id:
        return Organization.agency(agency_id)
    own = organization_of(actor)
    if own is None:
        raise ValidationFailed(
            "Platform operators belong to no organisation; name a company_id or an agency_id.",
            reason="organization_missing",
        )
    return own


def manages(actor: Actor, organization: Organization) -> bool:
    if actor.side is Side.PLATFORM:
        return True
    if organization_of(actor) != organization:
        return False
    if actor.side is Side.COMPANY:
        return actor.is_account_admin
    return actor.agency_role in _AGENCY_MANAGERS


def require_manages(actor: Actor, organization: Organization, kind: ResourceKind) -> None:
    """Return if ``actor`` looks after ``organization``; NotFound or PermissionDenied if not."""
    if manages(actor, organization):
        return
    if organization_of(actor) != organization:
        raise not_found_for(actor, Resource(kind=kind))
    who = (
        "Account Administrators"
        if organization.kind is OrganizationKind.COMPANY
        else "Agency Account Administrators and Complaint Supervisors"
    )
    raise PermissionDenied(
        f"Only {who} look after your organisation's {kind.label}; ask one of them.",
        reason="organization_admin_required",
    )
