"""Agencies, users, the company directory and company accounts (DESIGN §1 steps 1–3, §4).

The pure domain behind the enrollment service, apart from company enrollment
itself (``ses_core.models.CompanyEnrollment``):

- ``Agency`` and ``AgencyUser``: tenants and their users, one ``AgencyRole`` each;
- ``CompanyProfile`` and ``Company``: the company directory, keyed by SES Company
  ID (``format_company_id``), and ``parse_company_csv`` for NMLS-style imports;
- ``CompanyAccount``: a company's users, Account Administrators, SES Complaints
  Contact and notification addresses, and its ``outstanding_tasks()``;
- ``check_email_address``: the e-mail rules every address here follows;
- ``UserAuthority``: a user's authority as the directory states it, which turns
  the identity a token proves into the ``Actor`` of a call.

Commands record past-tense events (``AgencyCreated``, ``UserCreated``, ...) in
the aggregate's ``events``, like every aggregate of ``ses_core.models``.
Factories (``Agency.create``, ``AgencyUser.create``, ``Company.register``,
``CompanyAccount.add_user``) return what they made; commands on an existing
aggregate also return the event they raised, or ``None`` when nothing changed.
Who may run a command is decided by ``ses_core.permissions``; the rules here
are about the data.
"""

from ses_core.accounts._activation import ActivationLinkIssued, LinkPurpose
from ses_core.accounts._agency import Agency, AgencyUser
from ses_core.accounts._authority import UserAuthority
from ses_core.accounts._codes import (
    USPS_STATE_CODES,
    check_agency_code,
    check_company_id,
    check_nmls_id,
    check_postal_code,
    check_state_code,
    format_company_id,
    is_company_id,
)
from ses_core.accounts._company import (
    Address,
    Company,
    CompanyProfile,
    ContactPerson,
)
from ses_core.accounts._company_account import (
    MAX_ACCOUNT_ADMINS,
    MAX_NOTIFICATION_ADDRESSES,
    CompanyAccount,
    CompanyUser,
)
from ses_core.accounts._csv_import import (
    CSV_COLUMNS,
    CsvColumn,
    CsvImportResult,
    ImportedRow,
    decode_csv,
    parse_company_csv,
)
from ses_core.accounts._csv_rows import RowError
from ses_core.accounts._email import (
    check_email_address,
    email_key,
    email_problem,
    is_email_address,
)
from ses_core.accounts._events import (
    AccountsEvent,
    AgencyCreated,
    CompanyContactAssigned,
    CompanyRegistered,
    CompanyUpdated,
    NotificationAddressesChanged,
    UserAuthorityChanged,
    UserCreated,
    UserDeactivated,
    UserRolesChanged,
    UserUnlocked,
)
from ses_core.accounts._kinds import (
    CompanyContactType,
    CompanyKind,
    CompanySource,
    OutstandingTaskKind,
    UserStatus,
    parse_company_kind,
)
from ses_core.accounts._search import CompanyQuery, CompanyQueryKind, parse_company_query
from ses_core.accounts._tasks import OutstandingTask
from ses_core.accounts._users import UserRecord

__all__ = [
    "CSV_COLUMNS",
    "MAX_ACCOUNT_ADMINS",
    "MAX_NOTIFICATION_ADDRESSES",
    "USPS_STATE_CODES",
    "AccountsEvent",
    "ActivationLinkIssued",
    "Address",
    "Agency",
    "AgencyCreated",
    "AgencyUser",
    "Company",
    "CompanyAccount",
    "CompanyContactAssigned",
    "CompanyContactType",
    "CompanyKind",
    "CompanyProfile",
    "CompanyQuery",
    "CompanyQueryKind",
    "CompanyRegistered",
    "CompanySource",
    "CompanyUpdated",
    "CompanyUser",
    "ContactPerson",
    "CsvColumn",
    "CsvImportResult",
    "ImportedRow",
    "LinkPurpose",
    "NotificationAddressesChanged",
    "OutstandingTask",
    "OutstandingTaskKind",
    "RowError",
    "UserAuthority",
    "UserAuthorityChanged",
    "UserCreated",
    "UserDeactivated",
    "UserRecord",
    "UserRolesChanged",
    "UserStatus",
    "UserUnlocked",
    "check_agency_code",
    "check_company_id",
    "check_email_address",
    "check_nmls_id",
    "check_postal_code",
    "check_state_code",
    "decode_csv",
    "email_key",
    "email_problem",
    "format_company_id",
    "is_company_id",
    "is_email_address",
    "parse_company_csv",
    "parse_company_kind",
    "parse_company_query",
]
