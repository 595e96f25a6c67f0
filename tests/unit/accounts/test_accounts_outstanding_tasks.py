"""The outstanding-tasks list: what a company should still set up, required first."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ses_core.accounts import (
    Address,
    Company,
    CompanyAccount,
    CompanyKind,
    CompanyProfile,
    CompanySource,
    ContactPerson,
    OutstandingTaskKind,
)
from ses_core.identity import ComplaintsPermission

if TYPE_CHECKING:
    from conftest import AccountBuilder

K = OutstandingTaskKind
NOW = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)
ALBANY = Address(street="1 State St", city="Albany", state_code="NY", postal_code="12207")
PERSON = ContactPerson(full_name="Lee Chan", email="lee@acme.example")


def company(kind: CompanyKind = CompanyKind.NMLS_REGISTERED, **contacts: ContactPerson) -> Company:
    profile = CompanyProfile(
        nmls_id=None if kind is CompanyKind.AGENCY_LICENSED_NO_NMLS else "42",
        legal_name="Acme",
        address=ALBANY,
        kind=kind,
        **contacts,
    )
    return Company.register("SES-000042", profile, source=CompanySource.IMPORT, now=NOW)


def test_a_fresh_account_lists_every_task_with_the_contact_required_first() -> None:
    tasks = CompanyAccount.open("SES-000042").outstanding_tasks()

    assert [task.kind for task in tasks] == [
        K.ASSIGN_SES_COMPLAINTS_CONTACT,
        K.ADD_BACKUP_ACCOUNT_ADMINISTRATOR,
        K.ADD_COMPLAINTS_USERS,
        K.SET_NOTIFICATION_ADDRESSES,
    ]
    assert [task.required for task in tasks] == [True, False, False, False]
    assert tasks[0].description.startswith("Assign the SES Complaints Contact")
    assert all(task.description.endswith(".") for task in tasks)


def test_just_after_enrollment_the_recommendations_remain(enrolled: CompanyAccount) -> None:
    assert [task.kind for task in enrolled.outstanding_tasks()] == [
        K.ADD_BACKUP_ACCOUNT_ADMINISTRATOR,
        K.ADD_COMPLAINTS_USERS,
        K.SET_NOTIFICATION_ADDRESSES,
    ]


def test_a_fully_set_up_company_has_nothing_outstanding(
    enrolled: CompanyAccount, builder: AccountBuilder
) -> None:
    builder.user("Bob", permission=ComplaintsPermission.MANAGE, admin=True)
    enrolled.set_notification_addresses(["complaints@acme.example"], now=NOW, by="ann")

    assert enrolled.outstanding_tasks() == []
    assert (
        enrolled.outstanding_tasks(
            company(nmls_contact_person=PERSON, nmls_complaints_contact=PERSON)
        )
        == []
    )


def test_deactivated_users_do_not_count_as_backups(
    enrolled: CompanyAccount, builder: AccountBuilder
) -> None:
    builder.user("Bob", permission=ComplaintsPermission.MANAGE, admin=True)
    enrolled.deactivate_user("bob", now=NOW, by="ann")

    kinds = [task.kind for task in enrolled.outstanding_tasks()]

    assert K.ADD_BACKUP_ACCOUNT_ADMINISTRATOR in kinds
    assert K.ADD_COMPLAINTS_USERS in kinds


def test_missing_nmls_contacts_are_flagged_for_nmls_registered_companies_only(
    enrolled: CompanyAccount,
) -> None:
    def flagged(target: Company) -> bool:
        return K.REVIEW_NMLS_CONTACTS in [t.kind for t in enrolled.outstanding_tasks(target)]

    assert flagged(company())
    assert flagged(company(nmls_contact_person=PERSON))
    assert flagged(company(nmls_complaints_contact=PERSON))
    assert not flagged(company(nmls_contact_person=PERSON, nmls_complaints_contact=PERSON))
    assert not flagged(company(CompanyKind.DEPOSITORY))
