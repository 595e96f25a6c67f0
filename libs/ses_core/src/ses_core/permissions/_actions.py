"""Every command and read the services guard, named once.

One action per RPC family of DESIGN §7. RPCs that differ only in plumbing share
an action: ``GetComplaint`` and ``ListComplaints`` are ``VIEW_COMPLAINT``;
``CreateAgencyUser``, ``UpdateUserRoles`` and ``DeactivateUser`` on agency users
are ``MANAGE_AGENCY_USERS``; ``StartUpload`` … ``AbortUpload`` are
``UPLOAD_FILE``; ``GetFile`` and ``DownloadFile`` are ``DOWNLOAD_FILE``;
``ListMaintenanceWindows`` and ``GetOperatingStatus`` are
``VIEW_OPERATING_STATUS``; ``ListAuditEntries`` and ``ExportAuditLog`` are
``VIEW_AUDIT_LOG``. ``AuthService`` RPCs run before there is an actor and
need no action; ``IssueFileGrant`` checks the action the grant is for.
"""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    # enrollment: tenants, directory, users, company enrollment
    CREATE_AGENCY = "create_agency"
    MANAGE_AGENCY_USERS = "manage_agency_users"
    VIEW_AGENCY_USERS = "view_agency_users"
    SEARCH_COMPANIES = "search_companies"
    VIEW_COMPANY = "view_company"
    REGISTER_COMPANY = "register_company"
    IMPORT_COMPANIES = "import_companies"
    CREATE_COMPANY_USER = "create_company_user"
    INITIATE_ENROLLMENT = "initiate_enrollment"
    SEND_ENROLLMENT_REMINDER = "send_enrollment_reminder"
    VIEW_ENROLLMENT = "view_enrollment"
    COMPLETE_ENROLLMENT = "complete_enrollment"
    MANAGE_COMPANY_USERS = "manage_company_users"
    VIEW_COMPANY_USERS = "view_company_users"
    ASSIGN_COMPANY_CONTACT = "assign_company_contact"
    VIEW_OUTSTANDING_TASKS = "view_outstanding_tasks"
    # complaints: agency side
    CREATE_COMPLAINT = "create_complaint"
    VIEW_COMPLAINT = "view_complaint"
    UPDATE_COMPLAINT = "update_complaint"
    PROCEED_TO_PROCESSING = "proceed_to_processing"
    ASSIGN_AGENCY_POC = "assign_agency_poc"
    ADD_INFORMATION_REQUEST = "add_information_request"
    SEND_INFORMATION_REQUESTS = "send_information_requests"
    EXTEND_DUE_DATE = "extend_due_date"
    CANCEL_INFORMATION_REQUEST = "cancel_information_request"
    SEND_REMINDER = "send_reminder"
    MARK_QUICK_LOOK = "mark_quick_look"
    SEND_BACK_RESPONSE = "send_back_response"
    COMPLETE_INFORMATION_REQUEST = "complete_information_request"
    ADD_ALLEGED_VIOLATION = "add_alleged_violation"
    ADD_RESEARCH_NOTE = "add_research_note"
    REFER_COMPLAINT = "refer_complaint"
    DECIDE_REFERRAL = "decide_referral"
    DECIDE_ACCESS_REQUEST = "decide_access_request"
    CLOSE_COMPLAINT = "close_complaint"
    CANCEL_COMPLAINT = "cancel_complaint"
    VIEW_AGENCY_ONLY_FIELDS = "view_agency_only_fields"
    # complaints: company side
    ASSIGN_COMPANY_POC = "assign_company_poc"
    ADD_CONTRIBUTOR = "add_contributor"
    SAVE_RESPONSE_DRAFT = "save_response_draft"
    VIEW_RESPONSE_DRAFT = "view_response_draft"
    RESTRICT_RESPONSE = "restrict_response"
    SEND_DRAFT_TO_POC = "send_draft_to_poc"
    SUBMIT_RESPONSE = "submit_response"
    REQUEST_SEND_BACK = "request_send_back"
    VIEW_RESTRICTED_RESPONSE = "view_restricted_response"
    # complaints: both sides
    POST_INTERACTION = "post_interaction"
    VIEW_HISTORY = "view_history"
    # files
    UPLOAD_FILE = "upload_file"
    DOWNLOAD_FILE = "download_file"
    # notify
    VIEW_NOTIFICATIONS = "view_notifications"
    MANAGE_NOTIFICATION_PREFERENCES = "manage_notification_preferences"
    VIEW_DELIVERIES = "view_deliveries"
    SCHEDULE_MAINTENANCE = "schedule_maintenance"
    VIEW_OPERATING_STATUS = "view_operating_status"
    # audit trail (enrollment's AuditService: ListAuditEntries and ExportAuditLog)
    VIEW_AUDIT_LOG = "view_audit_log"
