"""Every role × every action, against a table written from DESIGN §4 by hand.

The table below is the expectation, kept independent of the implementation's
matrix on purpose: a change to ``ses_core.permissions`` that changes who may do
what must change this table too. ``Y`` = allowed, ``.`` = denied.

Columns (all on agency T1 / company C1, on the complaint CMP-1 whose Agency POC
is the viewer ``a-vpoc``, Company POC ``c-poc`` and contributor ``c-ctb``):

  SUP  Complaint Supervisor        ADM   Account Administrator, no complaints permission
  MGR  Complaint Manager           ADV   Account Administrator, View Complaints
  VWR  Complaint Viewer            CON   SES Complaints Contact (Manage)
  AAD  Agency Account Admin        POC   the Company POC (Manage)
  VPC  Viewer who is Agency POC    CTB   a contributor (Manage)
                                   MNG   Manage Complaints, nothing on this complaint
  OPR  platform operator           VW    View Complaints
                                   NON   no complaints permission

Resources: ``complaint`` CMP-1 (owned by T1, against C1); ``restricted`` the
same but a restricted response; ``referral`` a complaint of T0 referred to T1;
``company`` C1; ``directory`` the company directory; ``agency`` T1's users;
``new_agency`` an agency being created; ``own`` the actor's own notifications;
``system`` installation-wide things (maintenance, deliveries); ``audit_log`` the audit log
of T1 and of C1's users.
"""

from __future__ import annotations

import pytest

from ses_core.identity import Actor, AgencyRole, ComplaintsPermission
from ses_core.permissions import Action, Resource, ResourceKind, authorize, permits

EXPECTATIONS = """
# action                        resource    SUP MGR VWR AAD VPC ADM ADV CON POC CTB MNG  VW NON OPR
create_agency                   new_agency    .   .   .   .   .   .   .   .   .   .   .   .   .   Y
manage_agency_users             agency        .   .   .   Y   .   .   .   .   .   .   .   .   .   .
view_agency_users               agency        Y   Y   Y   Y   Y   .   .   .   .   .   .   .   .   .
search_companies                directory     Y   Y   Y   .   Y   .   .   .   .   .   .   .   .   Y
view_company                    company       Y   Y   Y   .   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y
register_company                directory     Y   Y   .   .   .   .   .   .   .   .   .   .   .   Y
import_companies                directory     .   .   .   .   .   .   .   .   .   .   .   .   .   Y
create_company_user             company       Y   Y   .   .   .   Y   Y   .   .   .   .   .   .   .
initiate_enrollment             company       Y   Y   .   .   .   .   .   .   .   .   .   .   .   .
send_enrollment_reminder        company       Y   Y   .   .   .   .   .   .   .   .   .   .   .   .
view_enrollment                 company       Y   Y   Y   .   Y   Y   Y   Y   Y   Y   Y   Y   Y   .
complete_enrollment             company       .   .   .   .   .   Y   Y   .   .   .   .   .   .   .
manage_company_users            company       .   .   .   .   .   Y   Y   .   .   .   .   .   .   .
view_company_users              company       .   .   .   .   .   Y   Y   Y   Y   Y   Y   Y   Y   .
assign_company_contact          company       .   .   .   .   .   Y   Y   .   .   .   .   .   .   .
view_outstanding_tasks          company       .   .   .   .   .   Y   Y   Y   Y   Y   Y   Y   Y   .
create_complaint                complaint     Y   Y   .   .   .   .   .   .   .   .   .   .   .   .
view_complaint                  complaint     Y   Y   Y   .   Y   .   Y   Y   Y   Y   Y   Y   .   .
view_complaint                  restricted    Y   Y   Y   .   Y   .   .   .   Y   .   .   .   .   .
update_complaint                complaint     Y   Y   .   .   .   .   .   .   .   .   .   .   .   .
proceed_to_processing           complaint     Y   Y   .   .   .   .   .   .   .   .   .   .   .   .
assign_agency_poc               complaint     Y   Y   .   .   .   .   .   .   .   .   .   .   .   .
add_information_request         complaint     Y   Y   .   .   Y   .   .   .   .   .   .   .   .   .
send_information_requests       complaint     Y   Y   .   .   Y   .   .   .   .   .   .   .   .   .
extend_due_date                 complaint     Y   Y   .   .   .   .   .   .   .   .   .   .   .   .
cancel_information_request      complaint     Y   Y   .   .   .   .   .   .   .   .   .   .   .   .
send_reminder                   complaint     Y   Y   .   .   .   .   .   .   .   .   .   .   .   .
mark_quick_look                 complaint     Y   Y   .   .   .   .   .   .   .   .   .   .   .   .
send_back_response              complaint     Y   Y   .   .   .   .   .   .   .   .   .   .   .   .
complete_information_request    complaint     Y   Y   .   .   .   .   .   .   .   .   .   .   .   .
add_alleged_violation           complaint     Y   Y   .   .   .   .   .   .   .   .   .   .   .   .
add_research_note               complaint     Y   Y   .   .   .   .   .   .   .   .   .   .   .   .
refer_complaint                 complaint     Y   Y   .   .   .   .   .   .   .   .   .   .   .   .
decide_referral                 complaint     .   .   .   .   .   .   .   .   .   .   .   .   .   .
decide_referral                 referral      Y   Y   .   .   .   .   .   .   .   .   .   .   .   .
decide_access_request           complaint     Y   .   .   .   .   .   .   .   .   .   .   .   .   .
close_complaint                 complaint     Y   Y   .   .   .   .   .   .   .   .   .   .   .   .
cancel_complaint                complaint     Y   Y   .   .   .   .   .   .   .   .   .   .   .   .
view_agency_only_fields         complaint     Y   Y   Y   .   Y   .   .   .   .   .   .   .   .   .
assign_company_poc              complaint     .   .   .   .   .   .   Y   Y   .   .   .   .   .   .
add_contributor                 complaint     .   .   .   .   .   .   .   .   Y   .   .   .   .   .
save_response_draft             complaint     .   .   .   .   .   .   .   .   Y   Y   .   .   .   .
save_response_draft             restricted    .   .   .   .   .   .   .   .   Y   .   .   .   .   .
view_response_draft             complaint     .   .   .   .   .   .   Y   Y   Y   Y   Y   Y   .   .
view_response_draft             restricted    .   .   .   .   .   .   .   .   Y   .   .   .   .   .
restrict_response               complaint     .   .   .   .   .   .   .   .   Y   .   .   .   .   .
send_draft_to_poc               complaint     .   .   .   .   .   .   .   .   Y   Y   .   .   .   .
submit_response                 complaint     .   .   .   .   .   .   .   .   Y   .   .   .   .   .
request_send_back               complaint     .   .   .   .   .   .   .   .   Y   .   .   .   .   .
view_restricted_response        restricted    Y   Y   Y   .   Y   .   .   .   Y   .   .   .   .   .
post_interaction                complaint     Y   Y   .   .   Y   .   .   .   Y   Y   .   .   .   .
view_history                    complaint     Y   Y   Y   .   Y   .   Y   Y   Y   Y   Y   Y   .   .
upload_file                     complaint     Y   Y   .   .   Y   .   .   .   Y   Y   .   .   .   .
download_file                   complaint     Y   Y   Y   .   Y   .   Y   Y   Y   Y   Y   Y   .   .
download_file                   restricted    Y   Y   Y   .   Y   .   .   .   Y   .   .   .   .   .
view_notifications              own           Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y
manage_notification_preferences own           Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y
view_deliveries                 system        .   .   .   .   .   .   .   .   .   .   .   .   .   Y
schedule_maintenance            system        .   .   .   .   .   .   .   .   .   .   .   .   .   Y
view_operating_status           system        Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y
view_audit_log                  audit_log     .   .   .   Y   .   Y   Y   .   .   .   .   .   .   .
"""

COLUMNS = tuple(EXPECTATIONS.strip().splitlines()[0].split()[3:])  # from the header row

_M = ComplaintsPermission.MANAGE
_V = ComplaintsPermission.VIEW
_N = ComplaintsPermission.NONE

ACTORS: dict[str, Actor] = {
    "SUP": Actor.agency_user("a-sup", "T1", AgencyRole.COMPLAINT_SUPERVISOR),
    "MGR": Actor.agency_user("a-mgr", "T1", AgencyRole.COMPLAINT_MANAGER),
    "VWR": Actor.agency_user("a-vwr", "T1", AgencyRole.COMPLAINT_VIEWER),
    "AAD": Actor.agency_user("a-aad", "T1", AgencyRole.AGENCY_ACCOUNT_ADMIN),
    "VPC": Actor.agency_user("a-vpoc", "T1", AgencyRole.COMPLAINT_VIEWER),
    "ADM": Actor.company_user("c-adm", "C1", _N, account_admin=True),
    "ADV": Actor.company_user("c-admv", "C1", _V, account_admin=True),
    "CON": Actor.company_user("c-con", "C1", _M, complaints_contact=True),
    "POC": Actor.company_user("c-poc", "C1", _M),
    "CTB": Actor.company_user("c-ctb", "C1", _M),
    "MNG": Actor.company_user("c-mng", "C1", _M),
    "VW": Actor.company_user("c-vw", "C1", _V),
    "NON": Actor.company_user("c-non", "C1", _N),
    "OPR": Actor.platform_operator("p-opr"),
}

COMPLAINT = Resource(
    kind=ResourceKind.COMPLAINT,
    id="CMP-1",
    tenant_id="T1",
    company_id="C1",
    agency_poc_id="a-vpoc",
    company_poc_id="c-poc",
    contributor_ids=frozenset({"c-ctb"}),
)


def resource_for(name: str, actor: Actor) -> Resource:
    if name == "own":
        return Resource(kind=ResourceKind.NOTIFICATIONS, owner_user_id=actor.user_id)
    return {
        "complaint": COMPLAINT,
        "restricted": COMPLAINT.model_copy(
            update={"kind": ResourceKind.RESPONSE, "id": "RSP-1", "restricted": True}
        ),
        "referral": COMPLAINT.model_copy(
            update={"id": "CMP-0", "tenant_id": "T0", "referred_to_tenant_id": "T1"}
        ),
        "company": Resource(kind=ResourceKind.COMPANY, id="C1", company_id="C1"),
        "directory": Resource(kind=ResourceKind.COMPANY_DIRECTORY),
        "agency": Resource(kind=ResourceKind.AGENCY_USERS, tenant_id="T1"),
        "new_agency": Resource(kind=ResourceKind.AGENCY, id="T9"),
        "system": Resource(kind=ResourceKind.MAINTENANCE),
        "audit_log": Resource(kind=ResourceKind.AUDIT_LOG, tenant_id="T1", company_id="C1"),
    }[name]


def parse_table() -> list[tuple[str, str, str, bool]]:
    cases: list[tuple[str, str, str, bool]] = []
    for line in EXPECTATIONS.strip().splitlines():
        if line.startswith("#"):
            continue
        action, resource, *cells = line.replace("|", " ").split()
        assert len(cells) == len(COLUMNS), f"row {action}@{resource} has {len(cells)} cells"
        assert set(cells) <= {"Y", "."}, f"row {action}@{resource} has an unknown mark"
        cases.extend(
            (action, resource, column, cell == "Y")
            for column, cell in zip(COLUMNS, cells, strict=True)
        )
    return cases


CASES = parse_table()


@pytest.mark.parametrize(
    ("action", "resource", "column", "expected"),
    CASES,
    ids=[f"{a}@{r}-{c}" for a, r, c, _ in CASES],
)
def test_each_role_may_do_exactly_what_the_table_says(
    action: str, resource: str, column: str, expected: bool
) -> None:
    actor = ACTORS[column]
    decision = authorize(actor, Action(action), resource_for(resource, actor))

    assert decision.allowed is expected, decision.message
    assert permits(actor, Action(action), resource_for(resource, actor)) is expected
    # Inside one's own agency and company nothing is hidden: a denial is explainable.
    assert decision.hide_existence is False


def test_the_table_has_a_row_for_every_action() -> None:
    in_table = {action for action, _, _, _ in CASES}
    assert in_table == {action.value for action in Action}


def test_supervisor_may_do_everything_a_manager_may() -> None:
    for action, resource, column, expected in CASES:
        if column == "MGR" and expected:
            assert (action, resource, "SUP", True) in CASES, action


def test_viewer_without_designation_only_reads_and_sets_own_preferences() -> None:
    reads = {
        "view_agency_users",
        "search_companies",
        "view_company",
        "view_enrollment",
        "view_complaint",
        "view_agency_only_fields",
        "view_restricted_response",
        "view_history",
        "download_file",
        "view_notifications",
        "manage_notification_preferences",
        "view_operating_status",
    }
    allowed = {action for action, _, column, ok in CASES if column == "VWR" and ok}
    assert allowed == reads
