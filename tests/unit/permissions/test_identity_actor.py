"""The actor model refuses shapes that would make permission checks guess."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from ses_core.identity import Actor, AgencyRole, ComplaintsPermission, Side


def test_agency_user_factory_builds_a_valid_agency_actor() -> None:
    actor = Actor.agency_user("u1", "T1", AgencyRole.COMPLAINT_MANAGER)

    assert (actor.side, actor.tenant_id, actor.agency_role) == (
        Side.AGENCY,
        "T1",
        AgencyRole.COMPLAINT_MANAGER,
    )
    assert actor.company_id is None
    assert actor.complaints_permission is ComplaintsPermission.NONE
    assert not actor.is_platform_operator


def test_company_user_factory_builds_a_valid_company_actor() -> None:
    actor = Actor.company_user(
        "u2", "C1", ComplaintsPermission.MANAGE, account_admin=True, complaints_contact=True
    )

    assert (actor.side, actor.company_id, actor.complaints_permission) == (
        Side.COMPANY,
        "C1",
        ComplaintsPermission.MANAGE,
    )
    assert actor.is_account_admin
    assert actor.is_complaints_contact
    assert actor.tenant_id is None


def test_platform_operator_flag_follows_side_when_omitted() -> None:
    assert Actor.platform_operator("ops").is_platform_operator
    assert Actor(user_id="ops", side="platform").is_platform_operator  # from token claims
    assert Actor(user_id="ops", side=Side.PLATFORM, is_platform_operator=True).is_platform_operator


def test_actor_is_frozen() -> None:
    actor = Actor.agency_user("u1", "T1", AgencyRole.COMPLAINT_VIEWER)

    with pytest.raises(ValidationError):
        actor.agency_role = AgencyRole.COMPLAINT_SUPERVISOR  # type: ignore[misc]


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        (
            {"side": "agency", "agency_role": "complaint_manager"},
            "an agency user needs the tenant_id of their agency",
        ),
        ({"side": "agency", "tenant_id": "T1"}, "an agency user needs an agency_role"),
        (
            {
                "side": "agency",
                "tenant_id": "T1",
                "agency_role": "complaint_manager",
                "company_id": "C1",
            },
            "company_id belongs to company users only",
        ),
        (
            {
                "side": "agency",
                "tenant_id": "T1",
                "agency_role": "complaint_manager",
                "complaints_permission": "manage",
            },
            "complaints_permission belongs to company users only",
        ),
        (
            {
                "side": "agency",
                "tenant_id": "T1",
                "agency_role": "agency_account_admin",
                "is_account_admin": True,
            },
            "is_account_admin belongs to company users only",
        ),
        (
            {
                "side": "agency",
                "tenant_id": "T1",
                "agency_role": "complaint_manager",
                "is_complaints_contact": True,
            },
            "is_complaints_contact belongs to company users only",
        ),
        ({"side": "company"}, "a company user needs the company_id of their company"),
        (
            {"side": "company", "company_id": "C1", "tenant_id": "T1"},
            "only agency users have a tenant_id",
        ),
        (
            {"side": "company", "company_id": "C1", "agency_role": "complaint_viewer"},
            "only agency users have an agency_role",
        ),
        (
            {
                "side": "company",
                "company_id": "C1",
                "complaints_permission": "view",
                "is_complaints_contact": True,
            },
            "the SES Complaints Contact must hold Manage Complaints permission",
        ),
        (
            {"side": "company", "company_id": "C1", "is_platform_operator": True},
            "is_platform_operator is true exactly for platform-side actors",
        ),
        (
            {"side": "platform", "is_platform_operator": False},
            "is_platform_operator is true exactly for platform-side actors",
        ),
        ({"side": "platform", "tenant_id": "T1"}, "only agency users have a tenant_id"),
        ({"side": "platform", "company_id": "C1"}, "company_id belongs to company users only"),
    ],
)
def test_actor_fields_must_match_its_side(fields: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValidationError) as raised:
        Actor(user_id="u9", **fields)

    assert problem in str(raised.value)
    assert f"Invalid {fields['side']} actor u9" in str(raised.value)


@pytest.mark.parametrize("field", ["user_id", "tenant_id"])
def test_identifiers_may_not_be_blank(field: str) -> None:
    fields: dict[str, Any] = {
        "user_id": "u1",
        "side": "agency",
        "tenant_id": "T1",
        "agency_role": "complaint_viewer",
    }
    fields[field] = "   "

    with pytest.raises(ValidationError):
        Actor(**fields)


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(ValidationError):
        Actor.model_validate({"user_id": "u1", "side": "platform", "role": "god"})


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ValidationError) as raised:
        Actor(user_id="u1", side="agency")

    message = str(raised.value)
    assert "needs the tenant_id" in message
    assert "needs an agency_role" in message
