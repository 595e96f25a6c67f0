"""Who looks after an organisation's notification settings (company addresses, webhooks, log)."""

from __future__ import annotations

import pytest

from ses_core.errors import NotFound, PermissionDenied, ValidationFailed
from ses_core.identity import Actor, AgencyRole, ComplaintsPermission
from ses_core.notifications import (
    Organization,
    chosen_organization,
    manages,
    organization_of,
    require_manages,
)
from ses_core.permissions import ResourceKind

ADMIN = Actor.company_user("u-admin", "co-1", ComplaintsPermission.MANAGE, account_admin=True)
MEMBER = Actor.company_user("u-member", "co-1", ComplaintsPermission.MANAGE)
SUPERVISOR = Actor.agency_user("u-sup", "ag-1", AgencyRole.COMPLAINT_SUPERVISOR)
AGENCY_ADMIN = Actor.agency_user("u-aa", "ag-1", AgencyRole.AGENCY_ACCOUNT_ADMIN)
MANAGER = Actor.agency_user("u-mgr", "ag-1", AgencyRole.COMPLAINT_MANAGER)
OPERATOR = Actor.platform_operator("u-op")


@pytest.mark.parametrize(
    ("actor", "organization", "allowed"),
    [
        (ADMIN, Organization.company("co-1"), True),
        (MEMBER, Organization.company("co-1"), False),
        (ADMIN, Organization.company("co-2"), False),
        (SUPERVISOR, Organization.agency("ag-1"), True),
        (AGENCY_ADMIN, Organization.agency("ag-1"), True),
        (MANAGER, Organization.agency("ag-1"), False),
        (SUPERVISOR, Organization.agency("ag-2"), False),
        (OPERATOR, Organization.company("co-9"), True),
    ],
)
def test_who_manages_what(actor: Actor, organization: Organization, allowed: bool) -> None:
    assert manages(actor, organization) is allowed


def test_another_organisation_is_not_found_and_ones_own_without_the_role_is_denied() -> None:
    with pytest.raises(NotFound):
        require_manages(ADMIN, Organization.company("co-2"), ResourceKind.DELIVERIES)
    with pytest.raises(PermissionDenied, match="Account Administrators"):
        require_manages(MEMBER, Organization.company("co-1"), ResourceKind.DELIVERIES)
    require_manages(ADMIN, Organization.company("co-1"), ResourceKind.DELIVERIES)


def test_a_request_names_an_organisation_or_means_the_callers_own() -> None:
    assert chosen_organization(ADMIN) == Organization.company("co-1")
    assert chosen_organization(OPERATOR, agency_id="ag-3") == Organization.agency("ag-3")
    assert organization_of(OPERATOR) is None
    with pytest.raises(ValidationFailed, match="Platform operators"):
        chosen_organization(OPERATOR)
    with pytest.raises(ValidationFailed, match="not both"):
        chosen_organization(OPERATOR, company_id="co-1", agency_id="ag-1")
