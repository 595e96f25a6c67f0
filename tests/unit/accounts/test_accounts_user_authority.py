"""A token's identity becomes the directory's actor: or is refused with a reason."""

from __future__ import annotations

import pytest

from ses_core.accounts import UserAuthority, UserAuthorityChanged
from ses_core.errors import Unauthenticated
from ses_core.identity import Actor, AgencyRole, ComplaintsPermission, Identity, Side

MANAGE = ComplaintsPermission.MANAGE

ACTORS = [
    Actor.agency_user("u-1", "agency-ny", AgencyRole.COMPLAINT_MANAGER),
    Actor.company_user("u-2", "SES-000042", MANAGE, account_admin=True, complaints_contact=True),
    Actor.company_user("u-3", "SES-000042", ComplaintsPermission.VIEW),
    Actor.platform_operator("u-4"),
]


@pytest.mark.parametrize("actor", ACTORS, ids=lambda a: a.user_id)
def test_the_record_of_an_actor_grants_exactly_that_actor(actor: Actor) -> None:
    authority = UserAuthority.of(actor, email="Someone@Example.gov")

    assert authority.actor_for(actor.identity()) == actor
    assert authority.email == "someone@example.gov"


@pytest.mark.parametrize("actor", ACTORS, ids=lambda a: a.user_id)
def test_a_statement_carries_the_whole_record(actor: Actor) -> None:
    authority = UserAuthority.of(actor, email="a@example.gov", active=False, version=7)
    tenant = actor.tenant_id or ""

    statement = authority.statement(tenant_id=tenant)

    assert isinstance(statement, UserAuthorityChanged)
    assert (statement.tenant_id, statement.version, statement.active) == (tenant, 7, False)
    assert UserAuthority.stated_by(statement) == authority


def test_an_identity_named_by_email_gets_the_directorys_organisation() -> None:
    actor = ACTORS[1]
    authority = UserAuthority.of(actor, email="contact@acme.example")

    assert authority.actor_for(Identity(email="contact@acme.example")) == actor


def test_a_deactivated_user_is_unauthenticated_and_told_whom_to_ask() -> None:
    authority = UserAuthority.of(ACTORS[0], email="", active=False)

    with pytest.raises(Unauthenticated) as refused:
        authority.actor_for(ACTORS[0].identity())

    assert refused.value.reason == "account_deactivated"
    assert "ask an Account Administrator" in refused.value.message


@pytest.mark.parametrize(
    "identity",
    [
        Identity(user_id="u-1", side=Side.AGENCY, organization_id="agency-nj"),
        Identity(user_id="u-1", side=Side.COMPANY, organization_id="agency-ny"),
        Identity(user_id="u-1", side=Side.PLATFORM),
    ],
)
def test_a_token_for_another_organisation_is_unauthenticated(identity: Identity) -> None:
    authority = UserAuthority.of(ACTORS[0], email="")

    with pytest.raises(Unauthenticated) as refused:
        authority.actor_for(identity)

    assert refused.value.reason == "token_organization_mismatch"


def test_the_contact_designation_needs_manage_or_it_grants_nothing() -> None:
    authority = UserAuthority(
        user_id="u-5",
        side=Side.COMPANY,
        organization_id="SES-000042",
        complaints_permission=ComplaintsPermission.VIEW,
        complaints_contact=True,
    )

    actor = authority.actor_for(Identity(user_id="u-5"))

    assert not actor.is_complaints_contact
    assert actor.complaints_permission is ComplaintsPermission.VIEW


def test_fields_of_another_side_grant_nothing() -> None:
    authority = UserAuthority(
        user_id="u-6",
        side=Side.AGENCY,
        organization_id="agency-ny",
        agency_role=AgencyRole.COMPLAINT_VIEWER,
        complaints_permission=MANAGE,
        account_admin=True,
        complaints_contact=True,
    )

    assert authority.actor_for(Identity(user_id="u-6")) == Actor.agency_user(
        "u-6", "agency-ny", AgencyRole.COMPLAINT_VIEWER
    )


@pytest.mark.parametrize(
    "authority",
    [
        UserAuthority(user_id="u-7", side=Side.AGENCY, organization_id="agency-ny"),
        UserAuthority(user_id="u-8", side=Side.COMPANY),
    ],
)
def test_a_record_that_makes_no_actor_is_refused_as_incomplete(authority: UserAuthority) -> None:
    with pytest.raises(Unauthenticated) as refused:
        authority.actor_for(Identity(user_id=authority.user_id))

    assert refused.value.reason == "account_incomplete"


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({}, "exactly one"),
        ({"user_id": "u-1", "email": "a@b.example"}, "exactly one"),
        ({"user_id": "u-1", "organization_id": "agency-ny"}, "needs the side"),
        ({"user_id": "u-1", "side": Side.AGENCY}, "needs its organization_id"),
        ({"user_id": "u-1", "side": Side.PLATFORM, "organization_id": "x"}, "no organisation"),
    ],
)
def test_an_identity_is_well_formed(fields: dict[str, object], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        Identity(**fields)  # type: ignore[arg-type]


def test_an_identity_describes_its_user_for_messages_briefly() -> None:
    assert Identity(user_id="u-1").described == "user u-1"
    assert Identity(email="a@b.example").described == "a@b.example"
    long = Identity(email="a" * 5000 + "@b.example").described
    assert len(long) == 100
    assert long.endswith("…")
