"""A company's account: 1–3 Account Administrators, the SES Complaints Contact, unique e-mails."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from ses_core.accounts import (
    CompanyAccount,
    CompanyContactAssigned,
    CompanyContactType,
    NotificationAddressesChanged,
    UserCreated,
    UserDeactivated,
    UserRolesChanged,
    UserStatus,
)
from ses_core.errors import AlreadyExists, NotFound, PreconditionFailed, ValidationFailed
from ses_core.identity import ComplaintsPermission

if TYPE_CHECKING:
    from conftest import AccountBuilder

MANAGE, VIEW, NONE = (
    ComplaintsPermission.MANAGE,
    ComplaintsPermission.VIEW,
    ComplaintsPermission.NONE,
)
NOW = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)


# -- creating users --------------------------------------------------------------------


def test_the_first_user_is_created_by_an_agency_pending_and_without_admin_rights() -> None:
    account = CompanyAccount.open("SES-000042")
    expires = NOW + timedelta(days=14)

    ann = account.add_user(
        email="Ann@Acme.example",
        given_name="Ann",
        family_name="Smith",
        permission=MANAGE,
        now=NOW,
        by="agency-mgr",
        tenant_id="agency-1",
        activation_expires_at=expires,
    )

    assert account.complaints_contact is None
    assert (ann.company_id, ann.status, ann.is_account_admin) == (
        "SES-000042",
        UserStatus.PENDING_ACTIVATION,
        False,
    )
    [event] = account.pull_events()
    assert isinstance(event, UserCreated)
    assert (event.tenant_id, event.company_id, event.agency_id, event.user_id) == (
        "agency-1",
        "SES-000042",
        "",
        ann.id,
    )
    assert (event.complaints_permission, event.account_administrator, event.agency_roles) == (
        MANAGE,
        False,
        [],
    )
    assert (event.created_by_user_id, event.activation_expires_at) == ("agency-mgr", expires)


def test_an_agency_may_add_users_until_one_of_them_activates(builder: AccountBuilder) -> None:
    builder.user("Ann", permission=MANAGE, activated=False)
    builder.account.require_agency_may_add_users("Acme Mortgage")  # nobody runs it yet

    builder.user("Bob", permission=MANAGE, activated=True)

    with pytest.raises(PreconditionFailed) as refused:
        builder.account.require_agency_may_add_users("Acme Mortgage")
    assert refused.value.reason == "company_account_taken_over"
    assert "Account Administrators create its users" in refused.value.message


def test_an_account_needs_a_company() -> None:
    with pytest.raises(ValidationFailed) as refused:
        CompanyAccount.open(" ")
    assert refused.value.reason == "id_required"


def test_an_administrator_may_create_a_user_who_is_administrator_from_the_start(
    enrolled: CompanyAccount,
) -> None:
    bob = enrolled.add_user(
        email="bob@acme.example",
        given_name="Bob",
        family_name="Ray",
        account_admin=True,
        now=NOW,
        by="ann",
    )
    assert bob.is_account_admin
    [event] = enrolled.events
    assert isinstance(event, UserCreated)
    assert event.account_administrator
    assert event.tenant_id == ""


@pytest.mark.parametrize("email", ["ann@acme.example", "ANN@ACME.EXAMPLE", " Ann@acme.Example "])
def test_an_email_is_unique_within_the_company_ignoring_case(
    enrolled: CompanyAccount, email: str
) -> None:
    with pytest.raises(AlreadyExists) as refused:
        enrolled.add_user(email=email, given_name="A", family_name="B", now=NOW, by="ann")

    assert refused.value.reason == "email_taken"
    assert "already belongs to Ann Smith; use another e-mail address." in refused.value.message
    assert len(enrolled.users) == 1
    assert enrolled.events == []


def test_a_deactivated_users_email_stays_taken(builder: AccountBuilder) -> None:
    builder.user("Ann", admin=True)
    builder.user("Bob", admin=True)
    builder.account.deactivate_user("bob", now=NOW, by="ann")

    with pytest.raises(AlreadyExists) as refused:
        builder.account.add_user(
            email="Bob@acme.example", given_name="Robert", family_name="S", now=NOW, by="ann"
        )

    assert "belongs to Bob Smith, whose account was deactivated" in refused.value.message


def test_a_user_id_is_unique_within_the_company(enrolled: CompanyAccount) -> None:
    with pytest.raises(AlreadyExists) as refused:
        enrolled.add_user(
            user_id="ann", email="x@acme.example", given_name="X", family_name="Y", now=NOW, by="a"
        )
    assert refused.value.reason == "user_exists"


def test_a_malformed_email_is_refused_with_its_reason(enrolled: CompanyAccount) -> None:
    with pytest.raises(ValidationFailed) as refused:
        enrolled.add_user(email="bob@acme", given_name="Bob", family_name="R", now=NOW, by="ann")
    assert refused.value.reason == "email_invalid"
    assert refused.value.message.startswith("The user's e-mail 'bob@acme' is not a valid")


def test_finding_users_by_id_and_email(enrolled: CompanyAccount) -> None:
    assert enrolled.user("ann").given_name == "Ann"
    assert enrolled.find_user_by_email("ANN@acme.example") is enrolled.user("ann")
    assert enrolled.find_user_by_email("zed@acme.example") is None
    with pytest.raises(NotFound) as missing:
        enrolled.user("zed")
    assert (missing.value.reason, missing.value.message) == (
        "user_not_found",
        "There is no user 'zed' for your company.",
    )


# -- 1–3 Account Administrators -----------------------------------------------------------


def test_finishing_enrollment_makes_the_first_user_account_administrator(
    builder: AccountBuilder,
) -> None:
    ann = builder.user("Ann", permission=MANAGE)
    account = builder.account
    account.assign_contact("ann", now=NOW, by="ann")
    account.pull_events()

    event = account.finish_enrollment("ann", now=LATER)

    assert ann.is_account_admin
    assert account.account_admins == [ann]
    assert isinstance(event, UserRolesChanged)
    assert (event.user_id, event.account_administrator, event.changed_by_user_id) == (
        "ann",
        True,
        "ann",
    )
    assert account.pull_events() == [event]
    assert account.finish_enrollment("ann", now=LATER) is None


def test_enrollment_cannot_finish_before_the_first_user_activated(builder: AccountBuilder) -> None:
    builder.user("Ann", permission=MANAGE, activated=False)
    builder.account.assign_contact("ann", now=NOW, by="ann")

    with pytest.raises(PreconditionFailed) as refused:
        builder.account.finish_enrollment("ann", now=NOW)

    assert refused.value.reason == "enrollment_not_activated"


def test_enrollment_cannot_finish_without_the_ses_complaints_contact(
    builder: AccountBuilder,
) -> None:
    builder.user("Ann", permission=MANAGE)

    with pytest.raises(PreconditionFailed) as refused:
        builder.account.finish_enrollment("ann", now=NOW)

    assert refused.value.reason == "complaints_contact_required"
    assert "Assign the company's SES Complaints Contact" in refused.value.message
    assert not builder.account.user("ann").is_account_admin


def test_enrollment_cannot_finish_for_a_deactivated_first_user(builder: AccountBuilder) -> None:
    builder.user("Ann", permission=MANAGE)
    builder.account.deactivate_user("ann", now=NOW, by="agency")
    with pytest.raises(PreconditionFailed) as refused:
        builder.account.finish_enrollment("ann", now=NOW)
    assert refused.value.reason == "user_deactivated"


def test_there_are_at_most_three_account_administrators(enrolled: CompanyAccount) -> None:
    for name in ("bob", "cy"):
        enrolled.add_user(
            email=f"{name}@acme.example",
            given_name=name.title(),
            family_name="Smith",
            account_admin=True,
            now=NOW,
            by="ann",
        )
    enrolled.add_user(
        email="dee@acme.example",
        given_name="Dee",
        family_name="Smith",
        now=NOW,
        by="ann",
        user_id="dee",
    )

    for attempt in (
        lambda: enrolled.change_roles("dee", account_admin=True, now=NOW, by="ann"),
        lambda: enrolled.add_user(
            email="eve@acme.example",
            given_name="Eve",
            family_name="S",
            account_admin=True,
            now=NOW,
            by="ann",
        ),
    ):
        with pytest.raises(PreconditionFailed) as refused:
            attempt()
        assert refused.value.reason == "too_many_account_admins"
        assert "already has 3 Account Administrators (Ann Smith, Bob Smith, Cy Smith)" in (
            refused.value.message
        )
    assert len(enrolled.account_admins) == 3


def test_the_first_user_cannot_become_a_fourth_administrator(builder: AccountBuilder) -> None:
    builder.user("Ann", permission=MANAGE)
    for name in ("Bob", "Cy", "Dee"):
        builder.user(name, admin=True)
    builder.account.assign_contact("ann", now=NOW, by="ann")

    with pytest.raises(PreconditionFailed) as refused:
        builder.account.finish_enrollment("ann", now=NOW)
    assert refused.value.reason == "too_many_account_admins"


def test_a_deactivated_administrator_frees_a_place(
    enrolled: CompanyAccount, builder: AccountBuilder
) -> None:
    builder.user("Bob", admin=True)
    builder.user("Cy", admin=True)
    enrolled.deactivate_user("cy", now=NOW, by="ann")

    dee = builder.user("Dee", admin=True)

    assert dee.is_account_admin
    assert [admin.id for admin in enrolled.account_admins] == ["ann", "bob", "dee"]


def test_the_only_administrator_cannot_be_deactivated(
    enrolled: CompanyAccount, builder: AccountBuilder
) -> None:
    builder.user("Bob", permission=MANAGE)
    enrolled.assign_contact("bob", now=NOW, by="ann")  # so the contact rule is not in the way
    enrolled.pull_events()

    with pytest.raises(PreconditionFailed) as refused:
        enrolled.deactivate_user("ann", now=NOW, by="ann")

    assert refused.value.reason == "last_account_admin"
    assert refused.value.message == (
        "Ann Smith is the company's only Account Administrator: make another user "
        "administrator first, then deactivate them."
    )
    assert enrolled.user("ann").active
    assert enrolled.events == []


def test_the_only_administrator_cannot_lose_the_designation(enrolled: CompanyAccount) -> None:
    with pytest.raises(PreconditionFailed) as refused:
        enrolled.change_roles("ann", account_admin=False, now=NOW, by="ann")

    assert refused.value.reason == "last_account_admin"
    assert refused.value.message.startswith(
        "Ann Smith is the company's only Account Administrator: make another user "
        "administrator first"
    )
    assert enrolled.user("ann").is_account_admin


def test_an_administrator_pending_activation_does_not_count_as_a_remaining_one(
    enrolled: CompanyAccount, builder: AccountBuilder
) -> None:
    builder.user("Bob", admin=True, activated=False)

    with pytest.raises(PreconditionFailed) as refused:
        enrolled.change_roles("ann", account_admin=False, now=NOW, by="ann")

    assert refused.value.reason == "last_account_admin"
    assert "only Account Administrator who has activated their account: wait until Bob Smith" in (
        refused.value.message
    )


def test_with_a_second_activated_administrator_either_may_step_down(
    enrolled: CompanyAccount, builder: AccountBuilder
) -> None:
    builder.user("Bob", admin=True)
    enrolled.pull_events()

    event = enrolled.change_roles("ann", account_admin=False, now=LATER, by="bob")

    assert isinstance(event, UserRolesChanged)
    assert (event.account_administrator, event.complaints_permission) == (False, MANAGE)
    assert [admin.id for admin in enrolled.account_admins] == ["bob"]


def test_a_pending_administrator_may_always_be_removed(
    enrolled: CompanyAccount, builder: AccountBuilder
) -> None:
    builder.user("Bob", admin=True, activated=False)
    event = enrolled.deactivate_user("bob", now=LATER, by="ann")
    assert isinstance(event, UserDeactivated)


# -- complaints permission and the SES Complaints Contact ----------------------------------


def test_an_administrator_changes_a_users_complaints_permission(
    enrolled: CompanyAccount, builder: AccountBuilder
) -> None:
    builder.user("Bob")
    enrolled.pull_events()

    event = enrolled.change_roles("bob", permission=VIEW, now=LATER, by="ann")

    assert enrolled.user("bob").complaints_permission is VIEW
    assert isinstance(event, UserRolesChanged)
    assert event.subject() == "ses.enrollment.v1.user_roles_changed"
    assert (event.company_id, event.complaints_permission, event.account_administrator) == (
        "SES-000042",
        VIEW,
        False,
    )
    assert (event.changed_by_user_id, event.occurred_at) == ("ann", LATER)


def test_changing_nothing_raises_no_event(enrolled: CompanyAccount) -> None:
    assert enrolled.change_roles("ann", now=LATER, by="ann") is None
    assert (
        enrolled.change_roles("ann", permission=MANAGE, account_admin=True, now=LATER, by="ann")
        is None
    )
    assert enrolled.events == []


@pytest.mark.parametrize("permission", [VIEW, NONE])
def test_the_contacts_permission_cannot_drop_below_manage(
    enrolled: CompanyAccount, permission: ComplaintsPermission
) -> None:
    with pytest.raises(PreconditionFailed) as refused:
        enrolled.change_roles("ann", permission=permission, now=NOW, by="ann")

    assert refused.value.reason == "complaints_contact_needs_manage"
    assert "Ann Smith is the company's SES Complaints Contact, who must hold Manage" in (
        refused.value.message
    )
    assert "assign another contact first" in refused.value.message
    assert enrolled.user("ann").complaints_permission is MANAGE


def test_assigning_the_contact_replaces_the_previous_one(
    enrolled: CompanyAccount, builder: AccountBuilder
) -> None:
    builder.user("Bob", permission=MANAGE, activated=False)
    enrolled.pull_events()

    event = enrolled.assign_contact("bob", now=LATER, by="ann")

    assert enrolled.complaints_contact_id == "bob"
    assert enrolled.complaints_contact is enrolled.user("bob")
    assert isinstance(event, CompanyContactAssigned)
    assert event.subject() == "ses.enrollment.v1.company_contact_assigned"
    assert (
        event.contact_type,
        event.user_id,
        event.previous_user_id,
        event.assigned_by_user_id,
    ) == (
        CompanyContactType.SES_COMPLAINTS_CONTACT,
        "bob",
        "ann",
        "ann",
    )
    assert enrolled.assign_contact("bob", now=LATER, by="ann") is None
    assert enrolled.pull_events() == [event]
    # Ann is no longer the contact, so her permission may now drop.
    assert enrolled.change_roles("ann", permission=VIEW, now=LATER, by="ann") is not None


@pytest.mark.parametrize("permission", [VIEW, NONE])
def test_the_contact_must_hold_manage_complaints(
    enrolled: CompanyAccount, builder: AccountBuilder, permission: ComplaintsPermission
) -> None:
    builder.user("Bob", permission=permission)

    with pytest.raises(PreconditionFailed) as refused:
        enrolled.assign_contact("bob", now=NOW, by="ann")

    assert refused.value.reason == "contact_needs_manage"
    assert refused.value.message == (
        "Bob Smith cannot be the SES Complaints Contact without Manage Complaints permission; "
        "grant it to Bob Smith first, or choose another user."
    )
    assert enrolled.complaints_contact_id == "ann"


def test_a_deactivated_user_cannot_become_the_contact(
    enrolled: CompanyAccount, builder: AccountBuilder
) -> None:
    builder.user("Bob", permission=MANAGE)
    enrolled.deactivate_user("bob", now=NOW, by="ann")
    with pytest.raises(PreconditionFailed) as refused:
        enrolled.assign_contact("bob", now=NOW, by="ann")
    assert refused.value.reason == "user_deactivated"


def test_the_contact_cannot_be_deactivated_until_reassigned(
    enrolled: CompanyAccount, builder: AccountBuilder
) -> None:
    builder.user("Bob", permission=MANAGE, admin=True)

    with pytest.raises(PreconditionFailed) as refused:
        enrolled.deactivate_user("ann", now=NOW, by="bob")

    assert refused.value.reason == "complaints_contact_deactivation"
    assert refused.value.message == (
        "Ann Smith is the company's SES Complaints Contact; assign another contact before "
        "deactivating them."
    )
    enrolled.assign_contact("bob", now=NOW, by="bob")
    assert enrolled.deactivate_user("ann", now=NOW, by="bob").user_id == "ann"


def test_an_unknown_user_is_not_found(enrolled: CompanyAccount) -> None:
    for command in (
        lambda: enrolled.assign_contact("zed", now=NOW, by="ann"),
        lambda: enrolled.change_roles("zed", permission=VIEW, now=NOW, by="ann"),
        lambda: enrolled.deactivate_user("zed", now=NOW, by="ann"),
        lambda: enrolled.record_activation("zed", NOW),
        lambda: enrolled.finish_enrollment("zed", now=NOW),
    ):
        with pytest.raises(NotFound):
            command()


# -- deactivation ----------------------------------------------------------------------------


def test_deactivating_a_user_is_final_and_raises_user_deactivated(
    enrolled: CompanyAccount, builder: AccountBuilder
) -> None:
    builder.user("Bob", permission=VIEW)
    enrolled.pull_events()

    event = enrolled.deactivate_user("bob", now=LATER, by="ann", reason="Left the company")

    bob = enrolled.user("bob")
    assert (bob.status, bob.active, bob.deactivated_at) == (UserStatus.DEACTIVATED, False, LATER)
    assert enrolled.active_users == [enrolled.user("ann")]
    assert event.subject() == "ses.enrollment.v1.user_deactivated"
    assert (event.company_id, event.user_id, event.deactivated_by_user_id, event.reason) == (
        "SES-000042",
        "bob",
        "ann",
        "Left the company",
    )
    assert enrolled.pull_events() == [event]
    for command in (
        lambda: enrolled.deactivate_user("bob", now=LATER, by="ann"),
        lambda: enrolled.change_roles("bob", permission=MANAGE, now=LATER, by="ann"),
    ):
        with pytest.raises(PreconditionFailed) as refused:
            command()
        assert refused.value.reason == "user_deactivated"


# -- notification addresses ------------------------------------------------------------------


def test_notification_addresses_are_checked_deduplicated_and_replaced(
    enrolled: CompanyAccount,
) -> None:
    event = enrolled.set_notification_addresses(
        ["complaints@Acme.example", " COMPLAINTS@acme.example", "legal@acme.example"],
        now=LATER,
        by="ann",
    )

    assert enrolled.notification_addresses == ["complaints@acme.example", "legal@acme.example"]
    assert isinstance(event, NotificationAddressesChanged)
    assert (event.company_id, event.addresses, event.changed_by_user_id) == (
        "SES-000042",
        ["complaints@acme.example", "legal@acme.example"],
        "ann",
    )
    assert (
        enrolled.set_notification_addresses(
            ["complaints@acme.example", "legal@acme.example"], now=LATER, by="ann"
        )
        is None
    )
    assert enrolled.set_notification_addresses([], now=LATER, by="ann") is not None
    assert enrolled.notification_addresses == []


def test_a_malformed_notification_address_is_refused(enrolled: CompanyAccount) -> None:
    with pytest.raises(ValidationFailed) as refused:
        enrolled.set_notification_addresses(["ok@acme.example", "nope"], now=NOW, by="ann")
    assert refused.value.reason == "email_invalid"
    assert refused.value.message.startswith("The notification address 'nope' is not a valid")
    assert enrolled.notification_addresses == []


def test_at_most_ten_notification_addresses(enrolled: CompanyAccount) -> None:
    with pytest.raises(ValidationFailed) as refused:
        enrolled.set_notification_addresses(
            [f"n{i}@acme.example" for i in range(11)], now=NOW, by="ann"
        )
    assert refused.value.reason == "too_many_notification_addresses"
    assert "at most 10 notification addresses; 11 were given" in refused.value.message
