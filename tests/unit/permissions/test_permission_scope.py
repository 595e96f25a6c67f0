"""Scope: what other agencies, companies and users must not even learn exists."""

from __future__ import annotations

import pytest

from ses_core.errors import NotFound, PermissionDenied
from ses_core.identity import Actor, AgencyRole, ComplaintsPermission
from ses_core.permissions import Action, Resource, ResourceKind, authorize, permits, require

COMPLAINT = Resource(
    kind=ResourceKind.COMPLAINT,
    id="CMP-1",
    tenant_id="T1",
    company_id="C1",
    agency_poc_id="a-poc",
    company_poc_id="c-poc",
    contributor_ids=frozenset({"c-ctb"}),
)
READS = (
    Action.VIEW_COMPLAINT,
    Action.VIEW_HISTORY,
    Action.DOWNLOAD_FILE,
    Action.VIEW_AGENCY_ONLY_FIELDS,
    Action.VIEW_RESTRICTED_RESPONSE,
)


@pytest.mark.parametrize("role", list(AgencyRole))
@pytest.mark.parametrize("action", list(Action))
def test_another_agencys_complaint_is_hidden_from_every_role(
    role: AgencyRole, action: Action
) -> None:
    outsider = Actor.agency_user("a-poc", "T2", role)  # same user id must not matter

    decision = authorize(outsider, action, COMPLAINT)

    assert not decision.allowed
    assert decision.hide_existence
    assert decision.reason == "outside_tenant"
    assert not permits(outsider, action, COMPLAINT)


@pytest.mark.parametrize("permission", list(ComplaintsPermission))
@pytest.mark.parametrize("action", list(Action))
def test_another_companys_complaint_is_hidden(
    permission: ComplaintsPermission, action: Action
) -> None:
    contact = permission is ComplaintsPermission.MANAGE
    outsider = Actor.company_user(
        "c-poc", "C2", permission, account_admin=True, complaints_contact=contact
    )

    decision = authorize(outsider, action, COMPLAINT)

    assert not permits(outsider, action, COMPLAINT)
    assert (decision.allowed, decision.hide_existence, decision.reason) == (
        False,
        True,
        "outside_company",
    )


@pytest.mark.parametrize(
    "action",
    [
        Action.MANAGE_COMPANY_USERS,
        Action.VIEW_COMPANY_USERS,
        Action.VIEW_ENROLLMENT,
        Action.COMPLETE_ENROLLMENT,
        Action.ASSIGN_COMPANY_CONTACT,
        Action.VIEW_COMPANY,
    ],
)
def test_another_companys_account_is_hidden_from_its_admin_peers(action: Action) -> None:
    other_admin = Actor.company_user("c-adm", "C2", account_admin=True)
    company = Resource(kind=ResourceKind.COMPANY, id="C1", company_id="C1")

    with pytest.raises(NotFound) as raised:
        require(other_admin, action, company)

    assert raised.value.message == "There is no company 'C1' for your company."


def test_hidden_complaint_raises_not_found_worded_like_a_genuine_miss() -> None:
    outsider = Actor.agency_user("a-mgr", "T2", AgencyRole.COMPLAINT_MANAGER)

    with pytest.raises(NotFound) as raised:
        require(outsider, Action.CLOSE_COMPLAINT, COMPLAINT)

    assert raised.value.reason == "not_found"
    assert raised.value.message == "There is no complaint 'CMP-1' in your agency."


def test_another_users_notifications_are_hidden() -> None:
    someone = Actor.company_user("c-vw", "C1", ComplaintsPermission.VIEW)
    theirs = Resource(kind=ResourceKind.NOTIFICATIONS, owner_user_id="c-poc")

    decision = authorize(someone, Action.VIEW_NOTIFICATIONS, theirs)

    assert (decision.allowed, decision.hide_existence, decision.reason) == (
        False,
        True,
        "not_owner",
    )


def test_notifications_without_an_owner_are_nobodys() -> None:
    operator = Actor.platform_operator("p-opr")
    unowned = Resource(kind=ResourceKind.NOTIFICATIONS)

    decision = authorize(operator, Action.VIEW_NOTIFICATIONS, unowned)

    assert (decision.allowed, decision.reason) == (False, "not_owner")
    assert not decision.hide_existence


@pytest.mark.parametrize("action", READS)
def test_agency_granted_access_reads_the_complaint(action: Action) -> None:
    granted = COMPLAINT.model_copy(update={"granted_tenant_ids": frozenset({"T2"})})
    viewer = Actor.agency_user("a-vwr", "T2", AgencyRole.COMPLAINT_VIEWER)

    assert authorize(viewer, action, granted).allowed


@pytest.mark.parametrize(
    "action",
    [
        Action.UPDATE_COMPLAINT,
        Action.SEND_INFORMATION_REQUESTS,
        Action.CLOSE_COMPLAINT,
        Action.UPLOAD_FILE,
        Action.DECIDE_ACCESS_REQUEST,
    ],
)
def test_agency_granted_access_cannot_change_the_complaint(action: Action) -> None:
    granted = COMPLAINT.model_copy(update={"granted_tenant_ids": frozenset({"T2"})})
    supervisor = Actor.agency_user("a-sup", "T2", AgencyRole.COMPLAINT_SUPERVISOR)

    with pytest.raises(PermissionDenied) as raised:
        require(supervisor, action, granted)

    assert raised.value.reason == "not_owning_agency"
    assert "your agency may only read it" in raised.value.message


def test_agency_granted_access_cannot_decide_the_owners_referral() -> None:
    granted = COMPLAINT.model_copy(
        update={"granted_tenant_ids": frozenset({"T2"}), "referred_to_tenant_id": "T3"}
    )
    manager = Actor.agency_user("a-mgr", "T2", AgencyRole.COMPLAINT_MANAGER)

    decision = authorize(manager, Action.DECIDE_REFERRAL, granted)

    assert (decision.allowed, decision.reason) == (False, "not_referral_target")


def test_referral_target_reads_and_decides_but_does_not_yet_own() -> None:
    referred = COMPLAINT.model_copy(update={"referred_to_tenant_id": "T2"})
    manager = Actor.agency_user("a-mgr", "T2", AgencyRole.COMPLAINT_MANAGER)

    assert authorize(manager, Action.VIEW_COMPLAINT, referred).allowed
    assert authorize(manager, Action.DECIDE_REFERRAL, referred).allowed
    assert authorize(manager, Action.CLOSE_COMPLAINT, referred).reason == "not_owning_agency"


def test_owning_agency_cannot_decide_its_own_referral() -> None:
    referred = COMPLAINT.model_copy(update={"referred_to_tenant_id": "T2"})
    manager = Actor.agency_user("a-mgr", "T1", AgencyRole.COMPLAINT_MANAGER)

    with pytest.raises(PermissionDenied, match="agency it was referred to"):
        require(manager, Action.DECIDE_REFERRAL, referred)


def test_platform_operator_is_refused_complaints_openly_not_hidden() -> None:
    operator = Actor.platform_operator("p-opr")

    decision = authorize(operator, Action.VIEW_COMPLAINT, COMPLAINT)

    assert not decision.allowed
    assert not decision.hide_existence
    assert decision.reason == "wrong_side"
    assert decision.message == (
        "Platform operators cannot view a complaint; only agency users and company users can."
    )


def test_company_user_with_no_permission_is_told_how_to_get_it() -> None:
    nobody = Actor.company_user("c-non", "C1")

    with pytest.raises(PermissionDenied) as raised:
        require(nobody, Action.VIEW_COMPLAINT, COMPLAINT)

    assert raised.value.reason == "missing_complaints_permission"
    assert "ask an Account Administrator to grant you complaints permission" in (
        raised.value.message
    )


def test_restricted_response_is_hidden_from_contributors_but_not_existence() -> None:
    restricted = COMPLAINT.model_copy(update={"kind": ResourceKind.RESPONSE, "restricted": True})
    contributor = Actor.company_user("c-ctb", "C1", ComplaintsPermission.MANAGE)

    decision = authorize(contributor, Action.VIEW_COMPLAINT, restricted)

    assert (decision.allowed, decision.hide_existence) == (False, False)
    assert decision.reason == "restricted_to_poc_and_agency"
    assert decision.message == (
        "Only the complaint's Company POC can view a complaint; "
        "this one is restricted to the Company POC and the agency."
    )


def test_poc_downgraded_to_view_still_reads_but_no_longer_acts() -> None:
    restricted = COMPLAINT.model_copy(update={"restricted": True})
    downgraded = Actor.company_user("c-poc", "C1", ComplaintsPermission.VIEW)

    assert authorize(downgraded, Action.VIEW_RESTRICTED_RESPONSE, restricted).allowed
    assert authorize(downgraded, Action.DOWNLOAD_FILE, restricted).allowed
    submit = authorize(downgraded, Action.SUBMIT_RESPONSE, COMPLAINT)
    assert (submit.allowed, submit.reason) == (False, "missing_complaints_permission")


def test_agency_account_admin_designated_poc_gains_nothing() -> None:
    admin = Actor.agency_user("a-poc", "T1", AgencyRole.AGENCY_ACCOUNT_ADMIN)

    decision = authorize(admin, Action.SEND_INFORMATION_REQUESTS, COMPLAINT)

    assert (decision.allowed, decision.reason) == (False, "not_agency_poc_or_manager")


def test_company_rules_require_the_resource_to_name_the_company() -> None:
    """A resource built without company_id must not let a company user through."""
    careless = COMPLAINT.model_copy(update={"company_id": None})
    poc = Actor.company_user("c-poc", "C1", ComplaintsPermission.MANAGE)

    decision = authorize(poc, Action.SUBMIT_RESPONSE, careless)

    assert (decision.allowed, decision.reason) == (False, "not_of_company")


def test_agency_rules_require_the_resource_to_name_the_agency() -> None:
    careless = COMPLAINT.model_copy(update={"tenant_id": None})
    manager = Actor.agency_user("a-mgr", "T1", AgencyRole.COMPLAINT_MANAGER)

    assert authorize(manager, Action.CLOSE_COMPLAINT, careless).reason == "not_owning_agency"
    assert authorize(manager, Action.VIEW_COMPLAINT, careless).reason == "no_agency_access"
    assert authorize(manager, Action.DECIDE_REFERRAL, careless).reason == "not_referral_target"


def test_an_actor_without_an_agency_reads_no_agencys_resources() -> None:
    assert not COMPLAINT.readable_by_tenant(None)
    assert COMPLAINT.readable_by_tenant("T1")
