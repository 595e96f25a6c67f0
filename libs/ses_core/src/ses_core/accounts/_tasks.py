"""The outstanding-tasks list a company sees after enrollment.

Only assigning the SES Complaints Contact is ``required`` (complaints cannot
reach the company without one); the rest are recommendations, listed because
each one prevents a familiar way of missing a deadline: an only administrator
who leaves, an only complaints handler on holiday, a notice that reaches
nobody, out-of-date NMLS contacts. Required tasks come first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from ses_core.accounts._kinds import CompanyKind, OutstandingTaskKind
from ses_core.identity import ComplaintsPermission

if TYPE_CHECKING:
    from ses_core.accounts._company import Company
    from ses_core.accounts._company_account import CompanyAccount

_K = OutstandingTaskKind


class OutstandingTask(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: OutstandingTaskKind
    description: str
    required: bool = False


_DESCRIPTIONS = {
    _K.ASSIGN_SES_COMPLAINTS_CONTACT: (
        "Assign the SES Complaints Contact: a user with Manage Complaints permission who is "
        "told of every new complaint and assigns its Company POC."
    ),
    _K.ADD_BACKUP_ACCOUNT_ADMINISTRATOR: (
        "Make a second user Account Administrator, so that the company is not locked out "
        "of its account if its only administrator leaves."
    ),
    _K.ADD_COMPLAINTS_USERS: (
        "Give at least one more user Manage Complaints permission, so that complaints are "
        "answered while the SES Complaints Contact is away."
    ),
    _K.SET_NOTIFICATION_ADDRESSES: (
        "Add a notification e-mail address, such as a shared complaints mailbox, so that "
        "notices still arrive when people change jobs."
    ),
    _K.REVIEW_NMLS_CONTACTS: (
        "Review the company's NMLS Contact Person and NMLS Complaints Contact: at least one "
        "is missing from the directory; update them in NMLS."
    ),
}


def outstanding_tasks(account: CompanyAccount, company: Company | None) -> list[OutstandingTask]:
    active = account.active_users
    managers = [
        user for user in active if user.complaints_permission is ComplaintsPermission.MANAGE
    ]
    due = {
        _K.ASSIGN_SES_COMPLAINTS_CONTACT: account.complaints_contact_id is None,
        _K.ADD_BACKUP_ACCOUNT_ADMINISTRATOR: len(account.account_admins) < 2,
        _K.ADD_COMPLAINTS_USERS: len(managers) < 2,
        _K.SET_NOTIFICATION_ADDRESSES: not account.notification_addresses,
        _K.REVIEW_NMLS_CONTACTS: company is not None and _nmls_contacts_missing(company),
    }
    return [
        OutstandingTask(
            kind=kind,
            description=_DESCRIPTIONS[kind],
            required=kind is _K.ASSIGN_SES_COMPLAINTS_CONTACT,
        )
        for kind in OutstandingTaskKind
        if due[kind]
    ]


def _nmls_contacts_missing(company: Company) -> bool:
    profile = company.profile
    return profile.kind is CompanyKind.NMLS_REGISTERED and (
        profile.nmls_contact_person is None or profile.nmls_complaints_contact is None
    )
