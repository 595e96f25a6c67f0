"""Deny by default, ``require``'s errors and the sentences people read."""

from __future__ import annotations

import pytest

from ses_core.errors import ErrorKind, NotFound, PermissionDenied
from ses_core.identity import Actor, AgencyRole, ComplaintsPermission
from ses_core.permissions import (
    HIDDEN,
    PERMISSIONS,
    Action,
    Grant,
    Resource,
    ResourceKind,
    allowed_actions,
    authorize,
    capable,
    decide,
    not_found_for,
    refusal,
    require,
    require_capable,
)

COMPLAINT = Resource(
    kind=ResourceKind.COMPLAINT,
    id="CMP-1",
    tenant_id="T1",
    company_id="C1",
    agency_poc_id="a-mgr",
    company_poc_id="c-poc",
    contributor_ids=frozenset({"c-ctb"}),
)
MANAGER = Actor.agency_user("a-mgr", "T1", AgencyRole.COMPLAINT_MANAGER)
POC = Actor.company_user("c-poc", "C1", ComplaintsPermission.MANAGE)
CONTRIBUTOR = Actor.company_user("c-ctb", "C1", ComplaintsPermission.MANAGE)


def test_every_action_has_an_explicit_row_in_the_matrix() -> None:
    """A new Action without a row would be silently denied; make that a test failure."""
    assert set(PERMISSIONS) == set(Action)


def test_every_row_names_what_it_guards_and_at_least_one_side() -> None:
    for action, grant in PERMISSIONS.items():
        assert grant.phrase, action
        assert grant.sides(), f"{action} is allowed to nobody; say so deliberately"


def test_an_action_without_a_rule_is_denied() -> None:
    without_close: dict[Action, Grant] = {
        a: g for a, g in PERMISSIONS.items() if a is not Action.CLOSE_COMPLAINT
    }

    decision = decide(without_close, MANAGER, Action.CLOSE_COMPLAINT, COMPLAINT)

    assert (decision.allowed, decision.reason, decision.hide_existence) == (
        False,
        "no_rule",
        False,
    )
    assert decision.message == "Nobody may close complaint: no rule allows it."


def test_a_rule_granting_no_side_denies_everyone() -> None:
    nobody = {Action.CLOSE_COMPLAINT: Grant("close a complaint")}

    decision = decide(nobody, MANAGER, Action.CLOSE_COMPLAINT, COMPLAINT)

    assert (decision.allowed, decision.reason) == (False, "wrong_side")
    assert decision.message == "Nobody can close a complaint."


def test_scope_is_checked_before_the_rule_exists() -> None:
    outsider = Actor.agency_user("a-mgr", "T2", AgencyRole.COMPLAINT_MANAGER)

    decision = decide({}, outsider, Action.CLOSE_COMPLAINT, COMPLAINT)

    assert decision.hide_existence


def test_allowed_decision_says_what_is_allowed() -> None:
    decision = authorize(POC, Action.SUBMIT_RESPONSE, COMPLAINT)

    assert decision.allowed
    assert decision.reason == "allowed"
    assert decision.message == "You may submit a response."
    assert not decision.hide_existence


def test_require_returns_quietly_when_allowed() -> None:
    require(POC, Action.SUBMIT_RESPONSE, COMPLAINT)  # raises on failure


def test_require_tells_a_contributor_who_submits_and_how_to_become_poc() -> None:
    with pytest.raises(PermissionDenied) as raised:
        require(CONTRIBUTOR, Action.SUBMIT_RESPONSE, COMPLAINT)

    error = raised.value
    assert error.kind is ErrorKind.DENIED
    assert error.reason == "not_company_poc"
    assert error.details == {"action": "submit_response", "resource": COMPLAINT}
    assert error.message == (
        "Only the complaint's Company POC can submit a response; ask your SES Complaints "
        "Contact or an Account Administrator to make you the POC."
    )


def test_require_tells_a_view_user_which_permission_drafting_needs() -> None:
    viewer = Actor.company_user("c-vw", "C1", ComplaintsPermission.VIEW)

    with pytest.raises(PermissionDenied) as raised:
        require(viewer, Action.SAVE_RESPONSE_DRAFT, COMPLAINT)

    assert raised.value.message == (
        "Only company users with Manage Complaints permission can save a response draft; "
        "ask an Account Administrator to grant you Manage Complaints."
    )


def test_require_tells_an_uninvolved_manage_user_to_ask_the_poc() -> None:
    bystander = Actor.company_user("c-mng", "C1", ComplaintsPermission.MANAGE)

    with pytest.raises(PermissionDenied) as raised:
        require(bystander, Action.SAVE_RESPONSE_DRAFT, COMPLAINT)

    assert raised.value.reason == "not_poc_or_contributor"
    assert raised.value.message == (
        "Only the complaint's Company POC or its contributors can save a response draft; "
        "ask the Company POC to add you as a contributor."
    )


def test_require_tells_agency_account_admin_they_cannot_initiate_enrollment() -> None:
    admin = Actor.agency_user("a-aad", "T1", AgencyRole.AGENCY_ACCOUNT_ADMIN)
    company = Resource(kind=ResourceKind.COMPANY, id="C1", company_id="C1")

    with pytest.raises(PermissionDenied) as raised:
        require(admin, Action.INITIATE_ENROLLMENT, company)

    assert raised.value.reason == "missing_agency_role"
    assert raised.value.message == (
        "Only a Complaint Manager or Complaint Supervisor can initiate company enrollment; "
        "ask your Agency Account Administrator for one of those roles."
    )


def test_require_tells_a_viewer_how_to_send_information_requests() -> None:
    viewer = Actor.agency_user("a-vwr", "T1", AgencyRole.COMPLAINT_VIEWER)

    with pytest.raises(PermissionDenied) as raised:
        require(viewer, Action.SEND_INFORMATION_REQUESTS, COMPLAINT)

    assert raised.value.message == (
        "Only the complaint's Agency POC or a Complaint Manager or Complaint Supervisor can "
        "send information requests; ask a Complaint Manager to make you the Agency POC."
    )


def test_require_tells_agency_users_the_company_submits() -> None:
    with pytest.raises(PermissionDenied) as raised:
        require(MANAGER, Action.SUBMIT_RESPONSE, COMPLAINT)

    assert raised.value.reason == "wrong_side"
    assert raised.value.message == (
        "Agency users cannot submit a response; only company users can."
    )


def test_require_tells_company_users_only_an_account_admin_assigns_contacts() -> None:
    company = Resource(kind=ResourceKind.COMPANY, id="C1", company_id="C1")

    with pytest.raises(PermissionDenied, match="Only an Account Administrator of the company"):
        require(POC, Action.ASSIGN_COMPANY_CONTACT, company)


def test_account_admin_without_complaints_permission_cannot_assign_the_poc() -> None:
    admin_without_access = Actor.company_user("c-adm", "C1", account_admin=True)

    with pytest.raises(PermissionDenied) as raised:
        require(admin_without_access, Action.ASSIGN_COMPANY_POC, COMPLAINT)

    assert raised.value.reason == "missing_complaints_permission"


def test_require_names_the_supervisor_for_access_requests() -> None:
    with pytest.raises(PermissionDenied, match="Only a Complaint Supervisor can decide"):
        require(MANAGER, Action.DECIDE_ACCESS_REQUEST, COMPLAINT)


def test_not_found_wording_per_side() -> None:
    unnamed = Resource(kind=ResourceKind.INFORMATION_REQUEST, tenant_id="T1")

    assert not_found_for(MANAGER, COMPLAINT).message == (
        "There is no complaint 'CMP-1' in your agency."
    )
    assert (
        not_found_for(POC, COMPLAINT).message == "There is no complaint 'CMP-1' for your company."
    )
    assert not_found_for(Actor.platform_operator("p"), unnamed).message == (
        "There is no such information request."
    )
    assert isinstance(not_found_for(MANAGER, unnamed), NotFound)
    assert not_found_for(MANAGER, unnamed).details == {"kind": "information_request"}


def test_allowed_actions_lists_the_pocs_next_actions() -> None:
    actions = allowed_actions(POC, COMPLAINT)

    assert {
        Action.SUBMIT_RESPONSE,
        Action.SAVE_RESPONSE_DRAFT,
        Action.ADD_CONTRIBUTOR,
        Action.REQUEST_SEND_BACK,
        Action.VIEW_RESTRICTED_RESPONSE,
    } <= actions
    assert Action.CLOSE_COMPLAINT not in actions
    assert Action.VIEW_AGENCY_ONLY_FIELDS not in actions


def test_allowed_actions_is_empty_for_an_outsider() -> None:
    outsider = Actor.company_user("c-poc", "C2", ComplaintsPermission.MANAGE)

    assert allowed_actions(outsider, COMPLAINT) == frozenset()


def test_public_surface_is_pinned() -> None:
    import ses_core.permissions as permissions

    assert set(permissions.__all__) == {
        "AGENCY_ONLY_FIELDS",
        "COMPANY_ONLY_FIELDS",
        "COMPLAINANT_FIELD_PREFIX",
        "HIDDEN",
        "PERMISSIONS",
        "Action",
        "Decision",
        "Grant",
        "Requirement",
        "Resource",
        "ResourceKind",
        "agency_only_fields",
        "allowed_actions",
        "authorize",
        "capable",
        "complaint_reaches_company",
        "decide",
        "not_found_for",
        "permits",
        "refusal",
        "require",
        "require_capable",
        "visible_fields",
    }
    assert all(hasattr(permissions, name) for name in permissions.__all__)


def test_a_hiding_refusal_is_a_not_found_marked_hidden_for_the_audit_trail() -> None:
    other_agency = Actor.agency_user("a-other", "T2", AgencyRole.COMPLAINT_MANAGER)

    with pytest.raises(NotFound) as raised:
        require(other_agency, Action.VIEW_COMPLAINT, COMPLAINT)

    error = raised.value
    assert error.message == not_found_for(other_agency, COMPLAINT).message
    assert error.reason == not_found_for(other_agency, COMPLAINT).reason
    assert error.details[HIDDEN] is True
    assert error.details["resource"] == COMPLAINT


def test_a_refusal_keeps_the_services_own_wording_of_a_miss() -> None:
    other_agency = Actor.agency_user("a-other", "T2", AgencyRole.COMPLAINT_MANAGER)
    decision = authorize(other_agency, Action.VIEW_COMPLAINT, COMPLAINT)
    worded = NotFound("There is no such thing here.", reason="thing_not_found")

    error = refusal(other_agency, Action.VIEW_COMPLAINT, COMPLAINT, decision, hidden_as=worded)

    assert error is worded
    assert (error.reason, error.details[HIDDEN]) == ("thing_not_found", True)


def test_a_genuine_miss_carries_no_hidden_mark() -> None:
    assert HIDDEN not in not_found_for(MANAGER, COMPLAINT).details


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        (Actor.agency_user("a-mgr", "T1", AgencyRole.COMPLAINT_MANAGER), True),
        (Actor.agency_user("a-view", "T1", AgencyRole.COMPLAINT_VIEWER), True),  # as Agency POC
        (Actor.agency_user("a-adm", "T1", AgencyRole.AGENCY_ACCOUNT_ADMIN), False),
        (Actor.company_user("c-mng", "C1", ComplaintsPermission.MANAGE), True),
        (Actor.company_user("c-view", "C1", ComplaintsPermission.VIEW), False),
        (Actor.platform_operator("op"), False),
    ],
    ids=["manager", "viewer", "agency-admin", "company-manage", "company-view", "operator"],
)
def test_capable_tells_whether_an_action_is_allowed_anywhere(actor: Actor, allowed: bool) -> None:
    """Uploading needs a complaint where one may attach files; some actors have none."""
    assert capable(actor, Action.UPLOAD_FILE).allowed is allowed


def test_require_capable_explains_with_the_matrix_sentence() -> None:
    viewer = Actor.company_user("c-view", "C1", ComplaintsPermission.VIEW)

    with pytest.raises(PermissionDenied) as refused:
        require_capable(viewer, Action.UPLOAD_FILE)

    assert refused.value.reason == "missing_complaints_permission"
    assert refused.value.message == (
        "Only company users with Manage Complaints permission can upload a file; ask an "
        "Account Administrator to grant you Manage Complaints."
    )


def test_only_managers_and_supervisors_could_ever_decide_a_referral() -> None:
    supervisor = Actor.agency_user("a-sup", "T1", AgencyRole.COMPLAINT_SUPERVISOR)
    viewer = Actor.agency_user("a-view", "T1", AgencyRole.COMPLAINT_VIEWER)

    assert capable(supervisor, Action.DECIDE_REFERRAL).allowed
    assert not capable(viewer, Action.DECIDE_REFERRAL).allowed
    assert not capable(POC, Action.DECIDE_REFERRAL).allowed
