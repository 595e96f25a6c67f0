"""Small named conditions the permission matrix is built from.

A ``Requirement`` knows how to test an actor against a resource and how to
explain itself when it fails: a stable ``reason`` code, ``who`` passes (a noun
phrase completing "Only … can <action>") and a ``remedy`` telling the person
what to do about it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ses_core.identity import Actor, AgencyRole, ComplaintsPermission, Side
from ses_core.permissions._resource import Resource

Check = Callable[[Actor, Resource], bool]


@dataclass(frozen=True, slots=True)
class Requirement:
    reason: str
    who: str
    check: Check
    remedy: str = ""

    def holds(self, actor: Actor, resource: Resource) -> bool:
        return self.check(actor, resource)


def either(first: Requirement, second: Requirement, *, reason: str, remedy: str) -> Requirement:
    """Passes when either requirement passes."""
    return Requirement(
        reason=reason,
        who=f"{first.who} or {second.who}",
        check=lambda actor, resource: first.holds(actor, resource) or second.holds(actor, resource),
        remedy=remedy,
    )


def agency_role_in(*roles: AgencyRole, who: str, remedy: str) -> Requirement:
    wanted = frozenset(roles)
    return Requirement(
        reason="missing_agency_role",
        who=who,
        check=lambda actor, _: actor.agency_role in wanted,
        remedy=remedy,
    )


def company_permission(*permissions: ComplaintsPermission, who: str, remedy: str) -> Requirement:
    wanted = frozenset(permissions)
    return Requirement(
        reason="missing_complaints_permission",
        who=who,
        check=lambda actor, _: actor.complaints_permission in wanted,
        remedy=remedy,
    )


_ASK_AGENCY_ADMIN = "ask your Agency Account Administrator"

# -- agency side ---------------------------------------------------------------

OWNING_AGENCY = Requirement(
    reason="not_owning_agency",
    who="users of the agency that owns it",
    check=lambda actor, resource: (
        actor.tenant_id is not None and actor.tenant_id == resource.tenant_id
    ),
    remedy="your agency may only read it",
)
READING_AGENCY = Requirement(
    reason="no_agency_access",
    who="users of the agency that owns it or was granted access",
    check=lambda actor, resource: resource.readable_by_tenant(actor.tenant_id),
    remedy="ask the owning agency's Complaint Supervisor for access",
)
REFERRAL_TARGET = Requirement(
    reason="not_referral_target",
    who="users of the agency it was referred to",
    check=lambda actor, resource: (
        actor.tenant_id is not None and actor.tenant_id == resource.referred_to_tenant_id
    ),
    remedy="the receiving agency decides a referral",
)
MANAGER_OR_SUPERVISOR = agency_role_in(
    AgencyRole.COMPLAINT_MANAGER,
    AgencyRole.COMPLAINT_SUPERVISOR,
    who="a Complaint Manager or Complaint Supervisor",
    remedy=f"{_ASK_AGENCY_ADMIN} for one of those roles",
)
SUPERVISOR = agency_role_in(
    AgencyRole.COMPLAINT_SUPERVISOR,
    who="a Complaint Supervisor",
    remedy=f"{_ASK_AGENCY_ADMIN} for that role or ask a Complaint Supervisor",
)
COMPLAINTS_ROLE = agency_role_in(
    AgencyRole.COMPLAINT_SUPERVISOR,
    AgencyRole.COMPLAINT_MANAGER,
    AgencyRole.COMPLAINT_VIEWER,
    who="agency users with a complaints role (Supervisor, Manager or Viewer)",
    remedy=f"{_ASK_AGENCY_ADMIN} for one",
)
AGENCY_ACCOUNT_ADMIN = agency_role_in(
    AgencyRole.AGENCY_ACCOUNT_ADMIN,
    who="an Agency Account Administrator",
    remedy="ask one of your agency's Account Administrators",
)
AGENCY_POC = Requirement(
    reason="not_agency_poc",
    who="the complaint's Agency POC",
    check=lambda actor, resource: (
        COMPLAINTS_ROLE.holds(actor, resource) and actor.user_id == resource.agency_poc_id
    ),
)
AGENCY_POC_OR_MANAGER = either(
    AGENCY_POC,
    MANAGER_OR_SUPERVISOR,
    reason="not_agency_poc_or_manager",
    remedy="ask a Complaint Manager to make you the Agency POC",
)

# -- company side --------------------------------------------------------------

OF_COMPANY = Requirement(
    reason="not_of_company",
    who="users of the company concerned",
    check=lambda actor, resource: (
        actor.company_id is not None and actor.company_id == resource.company_id
    ),
)
COMPANY_ACCOUNT_ADMIN = Requirement(
    reason="not_account_admin",
    who="an Account Administrator of the company",
    check=lambda actor, _: actor.is_account_admin,
    remedy="ask one of your company's Account Administrators",
)
CAN_VIEW_COMPLAINTS = company_permission(
    ComplaintsPermission.VIEW,
    ComplaintsPermission.MANAGE,
    who="company users with View or Manage Complaints permission",
    remedy="ask an Account Administrator to grant you complaints permission",
)
CAN_MANAGE_COMPLAINTS = company_permission(
    ComplaintsPermission.MANAGE,
    who="company users with Manage Complaints permission",
    remedy="ask an Account Administrator to grant you Manage Complaints",
)
COMPANY_POC = Requirement(
    reason="not_company_poc",
    who="the complaint's Company POC",
    check=lambda actor, resource: actor.user_id == resource.company_poc_id,
    remedy="ask your SES Complaints Contact or an Account Administrator to make you the POC",
)
CONTRIBUTOR = Requirement(
    reason="not_contributor",
    who="its contributors",
    check=lambda actor, resource: actor.user_id in resource.contributor_ids,
)
POC_OR_CONTRIBUTOR = either(
    COMPANY_POC,
    CONTRIBUTOR,
    reason="not_poc_or_contributor",
    remedy="ask the Company POC to add you as a contributor",
)
COMPLAINTS_CONTACT = Requirement(
    reason="not_complaints_contact",
    who="the SES Complaints Contact",
    check=lambda actor, _: actor.is_complaints_contact,
)
CONTACT_OR_ACCOUNT_ADMIN = either(
    COMPLAINTS_CONTACT,
    COMPANY_ACCOUNT_ADMIN,
    reason="not_contact_or_account_admin",
    remedy="ask one of them to assign the POC",
)
UNRESTRICTED_OR_POC = Requirement(
    reason="restricted_to_poc_and_agency",
    who="the complaint's Company POC",
    check=lambda actor, resource: (
        not resource.restricted or actor.user_id == resource.company_poc_id
    ),
    remedy="this one is restricted to the Company POC and the agency",
)

# -- any side ------------------------------------------------------------------

OWN = Requirement(
    reason="not_owner",
    who="the user they belong to",
    check=lambda actor, resource: actor.user_id == resource.owner_user_id,
)

SIDE_LABELS: dict[Side, str] = {
    Side.AGENCY: "agency users",
    Side.COMPANY: "company users",
    Side.PLATFORM: "platform operators",
}
