"""Agencies and agency users: one role each, and an agency never loses its last admin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ses_core.accounts import (
    Agency,
    AgencyCreated,
    AgencyUser,
    UserCreated,
    UserDeactivated,
    UserRolesChanged,
    UserStatus,
)
from ses_core.errors import PreconditionFailed, ValidationFailed
from ses_core.identity import AgencyRole

NOW = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=2)


def new_user(**changes: Any) -> AgencyUser:
    fields: dict[str, Any] = {
        "agency_id": "agency-1",
        "email": "mia@dfs.ny.gov",
        "given_name": "Mia",
        "family_name": "Ortiz",
        "role": AgencyRole.COMPLAINT_MANAGER,
        "now": NOW,
        "by": "admin-1",
        "user_id": "mia",
    }
    return AgencyUser.create(**{**fields, **changes})


def test_creating_an_agency_raises_agency_created() -> None:
    agency = Agency.create(
        code="ny-dfs",
        name=" NY  Department of Financial Services ",
        state_code="ny",
        now=NOW,
        by="operator-1",
        agency_id="agency-1",
    )

    assert (agency.id, agency.code, agency.name, agency.state_code) == (
        "agency-1",
        "NY-DFS",
        "NY Department of Financial Services",
        "NY",
    )
    [event] = agency.pull_events()
    assert isinstance(event, AgencyCreated)
    assert event.subject() == "ses.enrollment.v1.agency_created"
    assert (event.tenant_id, event.agency_id, event.code, event.created_by_user_id) == (
        "agency-1",
        "agency-1",
        "NY-DFS",
        "operator-1",
    )


def test_an_agency_gets_a_fresh_id_when_none_is_given() -> None:
    first = Agency.create(code="CA-DFPI", name="DFPI", state_code="CA", now=NOW)
    second = Agency.create(code="TX-OCCC", name="OCCC", state_code="TX", now=NOW)
    assert first.id
    assert first.id != second.id


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"code": "N Y"}, "agency_code_invalid"),
        ({"name": "  "}, "agency_name_required"),
        ({"state_code": "Quebec"}, "state_code_invalid"),
        ({"agency_id": " "}, "id_required"),
    ],
)
def test_invalid_agencies_are_refused(changes: dict[str, str], reason: str) -> None:
    fields = {"code": "NY-DFS", "name": "DFS", "state_code": "NY"}
    with pytest.raises(ValidationFailed) as refused:
        Agency(id=changes.pop("agency_id", "a1"), created_at=NOW, **{**fields, **changes})
    assert refused.value.reason == reason


def test_creating_an_agency_user_raises_user_created_with_their_single_role() -> None:
    expires = NOW + timedelta(days=14)
    user = new_user(
        email=" Mia@DFS.NY.gov",
        phone="+1 518 555 0100",
        activation_link="https://ses.example/activate/abc",
        activation_expires_at=expires,
    )

    assert (user.email, user.role, user.status) == (
        "Mia@dfs.ny.gov",
        AgencyRole.COMPLAINT_MANAGER,
        UserStatus.PENDING_ACTIVATION,
    )
    assert user.display_name == "Mia Ortiz"
    [event] = user.pull_events()
    assert isinstance(event, UserCreated)
    assert event.subject() == "ses.enrollment.v1.user_created"
    assert (event.tenant_id, event.agency_id, event.company_id) == ("agency-1", "agency-1", "")
    assert event.agency_roles == [AgencyRole.COMPLAINT_MANAGER]
    assert (event.created_by_user_id, event.activation_link, event.activation_expires_at) == (
        "admin-1",
        "https://ses.example/activate/abc",
        expires,
    )


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"email": "mia"}, "email_invalid"),
        ({"given_name": ""}, "given_name_required"),
        ({"family_name": " "}, "family_name_required"),
        ({"given_name": "x" * 101}, "text_too_long"),
        ({"phone": "12"}, "phone_invalid"),
        ({"agency_id": ""}, "id_required"),
        ({"user_id": " "}, "id_required"),
    ],
)
def test_invalid_agency_users_are_refused(changes: dict[str, Any], reason: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        new_user(**changes)
    assert refused.value.reason == reason


def test_an_account_administrator_changes_another_users_role() -> None:
    user = new_user()
    user.pull_events()

    event = user.change_role(AgencyRole.COMPLAINT_SUPERVISOR, now=LATER, by="admin-1")

    assert user.role is AgencyRole.COMPLAINT_SUPERVISOR
    assert isinstance(event, UserRolesChanged)
    assert (event.agency_id, event.agency_roles, event.changed_by_user_id) == (
        "agency-1",
        [AgencyRole.COMPLAINT_SUPERVISOR],
        "admin-1",
    )
    assert user.pull_events() == [event]


def test_giving_the_same_role_again_changes_nothing() -> None:
    user = new_user()
    user.pull_events()
    assert user.change_role(AgencyRole.COMPLAINT_MANAGER, now=LATER, by="admin-1") is None
    assert user.events == []


def test_nobody_changes_their_own_role_so_the_agency_keeps_an_administrator() -> None:
    admin = new_user(user_id="admin-1", role=AgencyRole.AGENCY_ACCOUNT_ADMIN)

    with pytest.raises(PreconditionFailed) as refused:
        admin.change_role(AgencyRole.COMPLAINT_VIEWER, now=LATER, by="admin-1")

    assert refused.value.reason == "self_change_refused"
    assert "ask another Agency Account Administrator" in refused.value.message
    assert admin.role is AgencyRole.AGENCY_ACCOUNT_ADMIN


def test_deactivating_an_agency_user_is_final_and_raises_user_deactivated() -> None:
    user = new_user()
    user.record_activation(NOW)
    assert user.status is UserStatus.ACTIVE
    user.pull_events()

    event = user.deactivate(now=LATER, by="admin-1", reason="  left   the agency ")

    assert isinstance(event, UserDeactivated)
    assert (event.agency_id, event.deactivated_by_user_id, event.reason) == (
        "agency-1",
        "admin-1",
        "left the agency",
    )
    assert (user.status, user.active, user.deactivated_at) == (UserStatus.DEACTIVATED, False, LATER)
    for command in (
        lambda: user.change_role(AgencyRole.COMPLAINT_VIEWER, now=LATER, by="admin-1"),
        lambda: user.deactivate(now=LATER, by="admin-1"),
        lambda: user.record_activation(LATER),
    ):
        with pytest.raises(PreconditionFailed) as refused:
            command()
        assert refused.value.reason == "user_deactivated"
        assert "create a new user instead" in refused.value.message


def test_nobody_deactivates_themselves() -> None:
    admin = new_user(user_id="admin-1", role=AgencyRole.AGENCY_ACCOUNT_ADMIN)
    with pytest.raises(PreconditionFailed) as refused:
        admin.deactivate(now=LATER, by="admin-1")
    assert refused.value.reason == "self_change_refused"
    assert admin.active


def test_an_account_is_activated_once() -> None:
    user = new_user()
    user.record_activation(NOW)
    with pytest.raises(PreconditionFailed) as refused:
        user.record_activation(LATER)
    assert refused.value.reason == "already_activated"
    assert user.activated_at == NOW
