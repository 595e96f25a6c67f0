"""The permission matrix of DESIGN §4, as data.

One row per action: the phrase used in messages, then for each side the
requirements that must all hold (``None``: that side may never do it). Scope
(another agency's complaint, another company's data) is checked before any row
and is not repeated here.

Choices where the spec is silent, recorded here because this is where they act:

- Supervisor ⊇ Manager. The Supervisor's extra is deciding other agencies'
  access requests. Neither manages agency users: that is the Agency Account
  Administrator's job, and that role has no complaint access at all (least
  privilege; give the person a second account for complaints work).
- The Agency POC designation is a per-complaint grant made by a Manager or
  Supervisor: the POC may add and send that complaint's IRs whatever their
  complaints role ("only the Agency POC or a Manager/Supervisor sends IRs").
  Everything else on a complaint needs Manager or Supervisor.
- Agencies granted access, and the agency a complaint is referred to, may read
  it (including agency-only fields and restricted responses); only the owning
  agency changes it; only the receiving agency decides a referral.
- Company users with complaints permission NONE see no complaint, even when they
  are Account Administrators: an Account Administrator needs View or Manage to
  assign the Company POC. SES Complaints Contacts always hold Manage
  (``ses_core.identity`` enforces it).
- Company writes need Manage Complaints *now*, not just when the designation
  was made: a POC later downgraded to View can still read but no longer act.
- A restricted response is hidden from contributors too, so they can neither
  read nor edit it; reading it is for the POC and the agency.
- Response drafts are company-side work: the agency never reads one
  (``VIEW_RESPONSE_DRAFT``), it reads what the POC submits. Company users who may
  read the complaint read an unrestricted draft; a restricted draft is for the
  Company POC alone, not even the contributor who wrote it (a draft is marked
  restricted to keep it from the other company users, its writers included).
- Marking a draft or response restricted, or lifting the mark
  (``RESTRICT_RESPONSE``), is the Company POC's decision, like submitting it.
- Interactions and uploads: the owning agency's POC, Managers and Supervisors;
  on the company side the POC and contributors (the people working the
  complaint).
- Agency users create a company's first user (``CREATE_COMPANY_USER``); after
  that the company's Account Administrators do. Whether the company is already
  enrolled is a precondition the enrollment service checks, not a permission.
- The company directory is shared by all agencies: agency complaints roles
  search and read it, Managers/Supervisors register unlisted companies, platform
  operators import NMLS files and may also register.
- Platform operators run the installation (agencies, directory imports,
  delivery logs, maintenance); they see no complaints.
- Everyone may read their own notifications and the operating status.
- The audit log (``VIEW_AUDIT_LOG``): an Agency Account Administrator reads their
  agency's whole log; a company's Account Administrator reads its company's part (the
  entries of its own users, across the agencies it works with). Nobody else, not even
  Supervisors or platform operators: the log names every user's reads and refusals, and
  the installation's operators verify it with ``ses audit verify`` instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ses_core.identity import Side
from ses_core.permissions import _requirements as r
from ses_core.permissions._actions import Action

Requirements = tuple[r.Requirement, ...]


@dataclass(frozen=True, slots=True)
class Grant:
    """Who may perform one action: requirements per side, ``None`` = never."""

    phrase: str
    agency: Requirements | None = None
    company: Requirements | None = None
    platform: Requirements | None = None

    def for_side(self, side: Side) -> Requirements | None:
        return {Side.AGENCY: self.agency, Side.COMPANY: self.company, Side.PLATFORM: self.platform}[
            side
        ]

    def sides(self) -> tuple[Side, ...]:
        return tuple(side for side in Side if self.for_side(side) is not None)


ANYONE: Requirements = ()

_OWNER_MANAGES = (r.OWNING_AGENCY, r.MANAGER_OR_SUPERVISOR)
_OWNER_POC_OR_MANAGER = (r.OWNING_AGENCY, r.AGENCY_POC_OR_MANAGER)
_AGENCY_READS = (r.READING_AGENCY, r.COMPLAINTS_ROLE)
_COMPANY_READS = (r.OF_COMPANY, r.CAN_VIEW_COMPLAINTS, r.UNRESTRICTED_OR_POC)
_COMPANY_DRAFTS = (
    r.OF_COMPANY,
    r.CAN_MANAGE_COMPLAINTS,
    r.POC_OR_CONTRIBUTOR,
    r.UNRESTRICTED_OR_POC,
)
_COMPANY_POC_ACTS = (r.OF_COMPANY, r.CAN_MANAGE_COMPLAINTS, r.COMPANY_POC)
_COMPANY_ADMIN = (r.OF_COMPANY, r.COMPANY_ACCOUNT_ADMIN)
_COMPANY_MEMBER = (r.OF_COMPANY,)

A = Action
PERMISSIONS: Mapping[Action, Grant] = MappingProxyType(
    {
        # enrollment ------------------------------------------------------------------
        A.CREATE_AGENCY: Grant("create an agency", platform=ANYONE),
        A.MANAGE_AGENCY_USERS: Grant(
            "manage agency users", agency=(r.OWNING_AGENCY, r.AGENCY_ACCOUNT_ADMIN)
        ),
        A.VIEW_AGENCY_USERS: Grant("list agency users", agency=(r.OWNING_AGENCY,)),
        A.SEARCH_COMPANIES: Grant("search companies", agency=(r.COMPLAINTS_ROLE,), platform=ANYONE),
        A.VIEW_COMPANY: Grant(
            "view a company", agency=(r.COMPLAINTS_ROLE,), company=_COMPANY_MEMBER, platform=ANYONE
        ),
        A.REGISTER_COMPANY: Grant(
            "register a company", agency=(r.MANAGER_OR_SUPERVISOR,), platform=ANYONE
        ),
        A.IMPORT_COMPANIES: Grant("import companies", platform=ANYONE),
        A.CREATE_COMPANY_USER: Grant(
            "create a company user", agency=(r.MANAGER_OR_SUPERVISOR,), company=_COMPANY_ADMIN
        ),
        A.INITIATE_ENROLLMENT: Grant(
            "initiate company enrollment", agency=(r.MANAGER_OR_SUPERVISOR,)
        ),
        A.SEND_ENROLLMENT_REMINDER: Grant(
            "send an enrollment reminder", agency=(r.MANAGER_OR_SUPERVISOR,)
        ),
        A.VIEW_ENROLLMENT: Grant(
            "view a company's enrollment", agency=(r.COMPLAINTS_ROLE,), company=_COMPANY_MEMBER
        ),
        A.COMPLETE_ENROLLMENT: Grant("complete company enrollment", company=_COMPANY_ADMIN),
        A.MANAGE_COMPANY_USERS: Grant("manage company users", company=_COMPANY_ADMIN),
        A.VIEW_COMPANY_USERS: Grant("list company users", company=_COMPANY_MEMBER),
        A.ASSIGN_COMPANY_CONTACT: Grant("assign company contacts", company=_COMPANY_ADMIN),
        A.VIEW_OUTSTANDING_TASKS: Grant("view outstanding tasks", company=_COMPANY_MEMBER),
        # complaints: agency side -----------------------------------------------------
        A.CREATE_COMPLAINT: Grant("create a complaint", agency=_OWNER_MANAGES),
        A.VIEW_COMPLAINT: Grant("view a complaint", agency=_AGENCY_READS, company=_COMPANY_READS),
        A.UPDATE_COMPLAINT: Grant("update a complaint", agency=_OWNER_MANAGES),
        A.PROCEED_TO_PROCESSING: Grant("proceed to processing", agency=_OWNER_MANAGES),
        A.ASSIGN_AGENCY_POC: Grant("assign the Agency POC", agency=_OWNER_MANAGES),
        A.ADD_INFORMATION_REQUEST: Grant(
            "add an information request", agency=_OWNER_POC_OR_MANAGER
        ),
        A.SEND_INFORMATION_REQUESTS: Grant(
            "send information requests", agency=_OWNER_POC_OR_MANAGER
        ),
        A.EXTEND_DUE_DATE: Grant("extend a due date", agency=_OWNER_MANAGES),
        A.CANCEL_INFORMATION_REQUEST: Grant("cancel an information request", agency=_OWNER_MANAGES),
        A.SEND_REMINDER: Grant("send a reminder", agency=_OWNER_MANAGES),
        A.MARK_QUICK_LOOK: Grant("mark a response reviewed", agency=_OWNER_MANAGES),
        A.SEND_BACK_RESPONSE: Grant("send a response back", agency=_OWNER_MANAGES),
        A.COMPLETE_INFORMATION_REQUEST: Grant(
            "accept a response and complete the information request", agency=_OWNER_MANAGES
        ),
        A.ADD_ALLEGED_VIOLATION: Grant("add an alleged violation", agency=_OWNER_MANAGES),
        A.ADD_RESEARCH_NOTE: Grant("add a research note", agency=_OWNER_MANAGES),
        A.REFER_COMPLAINT: Grant("refer a complaint", agency=_OWNER_MANAGES),
        A.DECIDE_REFERRAL: Grant(
            "decide a referral", agency=(r.REFERRAL_TARGET, r.MANAGER_OR_SUPERVISOR)
        ),
        A.DECIDE_ACCESS_REQUEST: Grant(
            "decide an access request", agency=(r.OWNING_AGENCY, r.SUPERVISOR)
        ),
        A.CLOSE_COMPLAINT: Grant("close a complaint", agency=_OWNER_MANAGES),
        A.CANCEL_COMPLAINT: Grant("cancel a complaint", agency=_OWNER_MANAGES),
        A.VIEW_AGENCY_ONLY_FIELDS: Grant("see agency-only fields", agency=_AGENCY_READS),
        # complaints: company side ----------------------------------------------------
        A.ASSIGN_COMPANY_POC: Grant(
            "assign the Company POC",
            company=(r.OF_COMPANY, r.CAN_VIEW_COMPLAINTS, r.CONTACT_OR_ACCOUNT_ADMIN),
        ),
        A.ADD_CONTRIBUTOR: Grant("add a contributor", company=_COMPANY_POC_ACTS),
        A.SAVE_RESPONSE_DRAFT: Grant("save a response draft", company=_COMPANY_DRAFTS),
        A.VIEW_RESPONSE_DRAFT: Grant("see a response draft", company=_COMPANY_READS),
        A.RESTRICT_RESPONSE: Grant(
            "mark a response restricted or lift the restriction", company=_COMPANY_POC_ACTS
        ),
        A.SEND_DRAFT_TO_POC: Grant("send a draft to the POC", company=_COMPANY_DRAFTS),
        A.SUBMIT_RESPONSE: Grant("submit a response", company=_COMPANY_POC_ACTS),
        A.REQUEST_SEND_BACK: Grant(
            "ask the agency to send a response back", company=_COMPANY_POC_ACTS
        ),
        A.VIEW_RESTRICTED_RESPONSE: Grant(
            "see a restricted response",
            agency=_AGENCY_READS,
            company=(r.OF_COMPANY, r.CAN_VIEW_COMPLAINTS, r.COMPANY_POC),
        ),
        # complaints: both sides ------------------------------------------------------
        A.POST_INTERACTION: Grant(
            "post an interaction",
            agency=_OWNER_POC_OR_MANAGER,
            company=(r.OF_COMPANY, r.CAN_MANAGE_COMPLAINTS, r.POC_OR_CONTRIBUTOR),
        ),
        A.VIEW_HISTORY: Grant(
            "view a complaint's history", agency=_AGENCY_READS, company=_COMPANY_READS
        ),
        # files -----------------------------------------------------------------------
        A.UPLOAD_FILE: Grant(
            "upload a file",
            agency=_OWNER_POC_OR_MANAGER,
            company=(r.OF_COMPANY, r.CAN_MANAGE_COMPLAINTS, r.POC_OR_CONTRIBUTOR),
        ),
        A.DOWNLOAD_FILE: Grant("download a file", agency=_AGENCY_READS, company=_COMPANY_READS),
        # notify ----------------------------------------------------------------------
        A.VIEW_NOTIFICATIONS: Grant(
            "view notifications", agency=(r.OWN,), company=(r.OWN,), platform=(r.OWN,)
        ),
        A.MANAGE_NOTIFICATION_PREFERENCES: Grant(
            "change notification preferences",
            agency=(r.OWN,),
            company=(r.OWN,),
            platform=(r.OWN,),
        ),
        A.VIEW_DELIVERIES: Grant("view the delivery log", platform=ANYONE),
        A.SCHEDULE_MAINTENANCE: Grant("schedule maintenance", platform=ANYONE),
        A.VIEW_AUDIT_LOG: Grant(
            "read the audit log",
            agency=(r.OWNING_AGENCY, r.AGENCY_ACCOUNT_ADMIN),
            company=_COMPANY_ADMIN,
        ),
        A.VIEW_OPERATING_STATUS: Grant(
            "view the operating status", agency=ANYONE, company=ANYONE, platform=ANYONE
        ),
    }
)
