"""Sign-in with multi-factor, lockout, token refresh and sign-out over real gRPC."""

from __future__ import annotations

import json
from collections.abc import Awaitable
from datetime import timedelta

import grpc
import pyotp
import pytest
from enrollment_support import FAST_SETTINGS, PASSWORD, AgencyHandle, World, refused, rpc_error

from ses.common.v1 import common_pb2
from ses.enrollment.v1 import audit_pb2 as audit_pb
from ses.enrollment.v1 import audit_pb2_grpc as audit_grpc
from ses.enrollment.v1 import enrollment_pb2 as pb
from ses_core.identity import Identity, Side
from ses_core.platform.identity import StaticJwks, TokenVerifier
from ses_core.testing import error_details, eventually

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

Code = grpc.StatusCode


async def _active_admin(world: World) -> tuple[AgencyHandle, str]:
    agency = await world.create_agency()
    return agency, await world.activate(agency.admin_id)


def _wrong_password(world: World, email: str, secret: str) -> Awaitable[pb.SignInResponse]:
    return world.auth.SignIn(
        pb.SignInRequest(email=email, password="not the password", totp_code=world.code(secret))
    )


async def _fail(world: World, email: str, secret: str) -> grpc.aio.AioRpcError:
    return await refused(_wrong_password(world, email, secret), Code.UNAUTHENTICATED)


async def test_sign_in_needs_the_password_and_a_current_code(world: World) -> None:
    agency, secret = await _active_admin(world)
    stale = pyotp.TOTP(secret).at(world.clock.now() - timedelta(minutes=5))

    wrong_code = await refused(
        world.auth.SignIn(
            pb.SignInRequest(email=agency.admin_email, password=PASSWORD, totp_code=stale)
        ),
        Code.UNAUTHENTICATED,
        "sign_in_failed",
    )
    wrong_password = await _fail(world, agency.admin_email, secret)
    unknown = await refused(
        world.auth.SignIn(
            pb.SignInRequest(email="nobody@agency.example", password=PASSWORD, totp_code="123456")
        ),
        Code.UNAUTHENTICATED,
        "sign_in_failed",
    )
    # The answer never says which part was wrong, nor whether the account exists.
    assert wrong_code.details() == wrong_password.details() == unknown.details()
    assert "locked for 15 minutes" in unknown.details()

    signed_in = await world.sign_in(agency.admin_email.upper(), secret)
    assert signed_in.user.user_id == agency.admin_id
    assert signed_in.user.last_signed_in_at.seconds > 0


@pytest.mark.parametrize(
    ("email", "password", "code", "reason"),
    [
        ("not an e-mail", PASSWORD, "123456", "email_invalid"),
        ("a@agency.example", "", "123456", "password_required"),
        ("a@agency.example", PASSWORD, "12 34", "totp_code_malformed"),
    ],
)
async def test_malformed_sign_ins_are_invalid_arguments(
    world: World, email: str, password: str, code: str, reason: str
) -> None:
    await refused(
        world.auth.SignIn(pb.SignInRequest(email=email, password=password, totp_code=code)),
        Code.INVALID_ARGUMENT,
        reason,
    )


async def test_a_code_is_accepted_once_and_a_replay_says_to_wait_for_the_next(
    world: World,
) -> None:
    agency, secret = await _active_admin(world)
    code = world.code(secret)
    request = pb.SignInRequest(email=agency.admin_email, password=PASSWORD, totp_code=code)
    await world.auth.SignIn(request)
    replay = await refused(
        world.auth.SignIn(request), Code.UNAUTHENTICATED, "totp_code_already_used"
    )
    assert "already used" in (replay.details() or "")
    assert "Wait for your authenticator app to show the next code" in (replay.details() or "")
    delay = error_details(replay).retry_delay
    assert delay is not None
    assert timedelta(0) < delay <= timedelta(seconds=30)


async def test_a_replayed_code_gets_the_same_answer_whatever_the_password(
    world: World,
) -> None:
    agency, secret = await _active_admin(world)
    code = world.code(secret)
    await world.auth.SignIn(
        pb.SignInRequest(email=agency.admin_email, password=PASSWORD, totp_code=code)
    )
    answers = [
        await refused(
            world.auth.SignIn(
                pb.SignInRequest(email=agency.admin_email, password=password, totp_code=code)
            ),
            Code.UNAUTHENTICATED,
            "totp_code_already_used",
        )
        for password in (PASSWORD, "not the password", PASSWORD)
    ]
    assert len({answer.details() for answer in answers}) == 1
    # A replay guesses nothing, so it is not counted: the next right sign-in works.
    for _ in range(FAST_SETTINGS.lockout_threshold):
        await refused(
            world.auth.SignIn(
                pb.SignInRequest(email=agency.admin_email, password="wrong", totp_code=code)
            ),
            Code.UNAUTHENTICATED,
            "totp_code_already_used",
        )
    await world.sign_in(agency.admin_email, secret)


async def test_the_code_that_confirmed_the_authenticator_cannot_sign_in(world: World) -> None:
    agency = await world.create_agency()
    secret = await world.activate(agency.admin_id)
    await refused(
        world.auth.SignIn(
            pb.SignInRequest(
                email=agency.admin_email,
                password=PASSWORD,
                totp_code=pyotp.TOTP(secret).at(world.clock.now()),
            )
        ),
        Code.UNAUTHENTICATED,
        "totp_code_already_used",
    )


async def test_an_overlong_email_or_password_gets_a_short_invalid_argument(world: World) -> None:
    long_email = await refused(
        world.auth.SignIn(
            pb.SignInRequest(email="x" * 20_000 + "@a.example", password=PASSWORD, totp_code="1")
        ),
        Code.INVALID_ARGUMENT,
        "email_invalid",
    )
    assert len((long_email.details() or "").encode()) < 300
    long_password = await refused(
        world.auth.SignIn(
            pb.SignInRequest(email="a@agency.example", password="p" * 300, totp_code="123456")
        ),
        Code.INVALID_ARGUMENT,
        "text_too_long",
    )
    violations = error_details(long_password).field_violations
    assert [violation.field for violation in violations] == ["password"]


async def test_repeated_failures_lock_the_account_until_an_administrator_unlocks_it(
    world: World,
) -> None:
    agency, secret = await _active_admin(world)
    for _ in range(4):
        await _fail(world, agency.admin_email, secret)

    locked = await refused(
        world.auth.SignIn(
            pb.SignInRequest(
                email=agency.admin_email, password="still wrong", totp_code=world.code(secret)
            )
        ),
        Code.RESOURCE_EXHAUSTED,
        "sign_in_locked",
        says="ask an Account Administrator",
    )
    assert "until" in locked.details()
    await refused(world.sign_in(agency.admin_email, secret), Code.RESOURCE_EXHAUSTED)
    listed = await world.enrollment.ListUsers(
        pb.ListUsersRequest(), metadata=world.md(agency.admin)
    )
    assert listed.users[0].locked_until.seconds > 0

    colleague = await world.enrollment.CreateAgencyUser(
        pb.CreateAgencyUserRequest(
            user=pb.NewUser(
                email=f"{world.unique('colleague')}@agency.example", given_name="C", family_name="A"
            ),
            roles=[4],
        ),
        metadata=world.md(agency.admin),
    )
    other_admin = agency.admin.model_copy(update={"user_id": colleague.user.user_id})
    unlocked = await world.enrollment.UnlockUser(
        pb.UnlockUserRequest(user_id=agency.admin_id), metadata=world.md(other_admin)
    )
    assert not unlocked.user.HasField("locked_until")
    await world.sign_in(agency.admin_email, secret)
    # Lifting a lockout is an administrative change: it is on the agency's audit log.
    audit = audit_grpc.AuditServiceStub(world.channel)
    wanted = audit_pb.ListAuditEntriesRequest(user_id=other_admin.user_id, page_size=200)

    async def unlocking_on_file() -> list[audit_pb.AuditEntry]:
        page = await audit.ListAuditEntries(wanted, metadata=world.md(other_admin))
        return [entry for entry in page.entries if entry.action == "user_unlocked"]

    [entry] = await eventually(unlocking_on_file, message="the unlocking on the audit log")
    assert (entry.chain, entry.resource_kind, entry.resource_id) == (
        agency.admin.tenant_id,
        "user",
        agency.admin_id,
    )


async def test_a_lockout_lifts_by_itself_after_its_duration(world: World) -> None:
    agency, secret = await _active_admin(world)
    codes = [
        (await rpc_error(_wrong_password(world, agency.admin_email, secret))).code()
        for _ in range(5)
    ]
    assert codes == [Code.UNAUTHENTICATED] * 4 + [Code.RESOURCE_EXHAUSTED]
    await refused(world.sign_in(agency.admin_email, secret), Code.RESOURCE_EXHAUSTED)

    world.clock.advance(timedelta(minutes=16))

    await world.sign_in(agency.admin_email, secret)


async def test_only_administrators_of_the_organisation_unlock(world: World) -> None:
    agency, _ = await _active_admin(world)
    other = await world.create_agency()
    await refused(
        world.enrollment.UnlockUser(
            pb.UnlockUserRequest(user_id=agency.admin_id), metadata=world.md(agency.manager())
        ),
        Code.PERMISSION_DENIED,
        "missing_agency_role",
    )
    await refused(
        world.enrollment.UnlockUser(
            pb.UnlockUserRequest(user_id=agency.admin_id), metadata=world.md(other.admin)
        ),
        Code.NOT_FOUND,
    )


async def test_refresh_rotates_and_a_reused_token_ends_the_sign_in(world: World) -> None:
    agency, secret = await _active_admin(world)
    first = (await world.sign_in(agency.admin_email, secret)).tokens

    second = (
        await world.auth.RefreshToken(pb.RefreshTokenRequest(refresh_token=first.refresh_token))
    ).tokens
    assert second.refresh_token != first.refresh_token
    assert second.access_token != first.access_token

    await refused(
        world.auth.RefreshToken(pb.RefreshTokenRequest(refresh_token=first.refresh_token)),
        Code.UNAUTHENTICATED,
        "refresh_token_reused",
        says="sign in again",
    )
    await refused(
        world.auth.RefreshToken(pb.RefreshTokenRequest(refresh_token=second.refresh_token)),
        Code.UNAUTHENTICATED,
        "refresh_token_revoked",
    )
    for token, code, reason in (
        ("sesrt_made_up", Code.UNAUTHENTICATED, "refresh_token_invalid"),
        ("", Code.INVALID_ARGUMENT, "token_required"),
    ):
        await refused(
            world.auth.RefreshToken(pb.RefreshTokenRequest(refresh_token=token)), code, reason
        )


async def test_a_role_change_applies_to_the_token_already_held(world: World) -> None:
    agency, _ = await _active_admin(world)
    created = await world.enrollment.CreateAgencyUser(
        pb.CreateAgencyUserRequest(
            user=pb.NewUser(
                email=f"{world.unique('r')}@agency.example", given_name="R", family_name="R"
            ),
            roles=[common_pb2.AGENCY_ROLE_COMPLAINT_MANAGER],
        ),
        metadata=world.md(agency.admin),
    )
    secret = await world.activate(created.user.user_id)
    session = await world.sign_in(created.user.email, secret)
    held = (("authorization", f"Bearer {session.tokens.access_token}"),)
    await world.register_company_with(held)

    await world.enrollment.UpdateUserRoles(
        pb.UpdateUserRolesRequest(
            user_id=created.user.user_id, agency_roles=[common_pb2.AGENCY_ROLE_COMPLAINT_VIEWER]
        ),
        metadata=world.md(agency.admin),
    )

    # This service is the directory's source: the change applies on the next call.
    await refused(world.register_company_with(held), Code.PERMISSION_DENIED)
    refreshed = await world.auth.RefreshToken(
        pb.RefreshTokenRequest(refresh_token=session.tokens.refresh_token)
    )
    verified = await (await _verifier(world)).verify(refreshed.tokens.access_token)
    assert verified.identity == Identity(
        user_id=created.user.user_id, side=Side.AGENCY, organization_id=agency.agency_id
    )
    assert not {"roles", "permission"} & set(verified.claims)


async def test_sign_out_ends_the_session(world: World) -> None:
    agency, secret = await _active_admin(world)
    session = await world.sign_in(agency.admin_email, secret)
    bearer = (("authorization", f"Bearer {session.tokens.access_token}"),)

    await world.auth.SignOut(
        pb.SignOutRequest(refresh_token=session.tokens.refresh_token), metadata=bearer
    )
    await world.auth.SignOut(
        pb.SignOutRequest(refresh_token=session.tokens.refresh_token), metadata=bearer
    )

    await refused(
        world.auth.RefreshToken(pb.RefreshTokenRequest(refresh_token=session.tokens.refresh_token)),
        Code.UNAUTHENTICATED,
        "refresh_token_revoked",
    )
    await refused(
        world.auth.SignOut(pb.SignOutRequest(refresh_token=session.tokens.refresh_token)),
        Code.UNAUTHENTICATED,
    )


async def test_another_users_session_is_not_ended_by_sign_out(world: World) -> None:
    agency, secret = await _active_admin(world)
    session = await world.sign_in(agency.admin_email, secret)
    await world.auth.SignOut(
        pb.SignOutRequest(refresh_token=session.tokens.refresh_token),
        metadata=world.md(agency.manager()),
    )
    await world.auth.RefreshToken(
        pb.RefreshTokenRequest(refresh_token=session.tokens.refresh_token)
    )


async def _verifier(world: World) -> TokenVerifier:
    """A verifier trusting what GetJwks publishes, as another service would."""
    jwks = await world.auth.GetJwks(pb.GetJwksRequest())
    assert jwks.issuer == world.settings.identity.issuer
    return TokenVerifier(
        StaticJwks(json.loads(jwks.jwks_json)),
        issuer=jwks.issuer,
        audience=world.settings.identity.audience,
    )


async def test_the_jwks_verifies_issued_tokens(world: World) -> None:
    agency, secret = await _active_admin(world)
    session = await world.sign_in(agency.admin_email, secret)

    verified = await (await _verifier(world)).verify(session.tokens.access_token)
    assert verified.identity == Identity(
        user_id=agency.admin_id, side=Side.AGENCY, organization_id=agency.agency_id
    )
    assert set(verified.amr) >= {"pwd", "otp"}
