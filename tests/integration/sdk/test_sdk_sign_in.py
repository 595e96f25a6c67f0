"""Signing in through the SDK: password and a TOTP code computed from the secret, tokens
refreshed before they expire, sign-out, and tokens from elsewhere."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sdk_support import (
    DEMO_ADMIN_EMAIL,
    DEMO_COMPANY_EMAIL,
    DEMO_MANAGER_EMAIL,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    OPERATOR,
    Recorder,
    ThreadedHost,
)

from ses_sdk import CallableToken, Unauthenticated
from ses_sdk.common import AgencyRole

pytestmark = pytest.mark.integration


class MovableClock:
    """The wall clock plus an offset the test moves: the SDK's view of time only."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


def test_signing_in_with_the_totp_secret_refreshes_before_expiry_and_signs_out(
    ses: ThreadedHost,
) -> None:
    clock, recorder = MovableClock(), Recorder()
    with ses.client(clock=clock, interceptors=[recorder]) as client:
        session = client.sign_in(
            email=DEMO_MANAGER_EMAIL, password=DEMO_PASSWORD, totp_secret=DEMO_TOTP_SECRET
        )
        assert session.user is not None
        assert session.user.email == DEMO_MANAGER_EMAIL
        assert session.user.agency_roles == (AgencyRole.COMPLAINT_MANAGER,)
        first = session.tokens
        assert first.access_token_expires_at is not None

        client.enrollment.list_users()  # well before expiry: no refresh
        assert not recorder.of("RefreshToken")

        # Within the refresh margin of the expiry (by the client's clock): the next call
        # refreshes first, then goes out with the new token.
        clock.offset = first.access_token_expires_at - datetime.now(UTC) - timedelta(seconds=30)
        users = client.enrollment.list_users().users
        assert DEMO_MANAGER_EMAIL in {user.email for user in users}
        assert len(recorder.of("RefreshToken")) == 1
        second = session.tokens
        assert second.access_token != first.access_token
        assert second.refresh_token != first.refresh_token

        client.sign_out()
        assert client.session is None
        with pytest.raises(Unauthenticated) as refused:
            client.enrollment.list_users()  # no token any more
        assert refused.value.reason == "token_missing"
        # The session's refresh token was revoked by the server.
        with pytest.raises(Unauthenticated):
            client.auth.refresh_token(refresh_token=second.refresh_token)


async def test_the_async_client_signs_in_with_a_code_and_refreshes(ses: ThreadedHost) -> None:
    clock = MovableClock()
    async with ses.async_client(clock=clock) as client:
        from ses_sdk import totp_code

        session = await client.sign_in(
            email=DEMO_ADMIN_EMAIL,
            password=DEMO_PASSWORD,
            totp_code=totp_code(DEMO_TOTP_SECRET, clock()),
        )
        before = session.tokens
        assert before.access_token_expires_at is not None
        clock.offset = before.access_token_expires_at - datetime.now(UTC)
        users = [user.email async for user in client.enrollment.iter_users()]
        assert DEMO_ADMIN_EMAIL in users
        assert session.tokens.access_token != before.access_token
        await client.sign_out()


def test_a_wrong_code_is_refused_without_saying_which_part_was_wrong(ses: ThreadedHost) -> None:
    with ses.client() as client, pytest.raises(Unauthenticated) as refused:
        client.sign_in(email=DEMO_COMPANY_EMAIL, password="not the password", totp_code="000000")
    assert refused.value.request_id
    assert client.session is None


def test_a_token_from_elsewhere_comes_from_a_provider_asked_before_every_call(
    ses: ThreadedHost,
) -> None:
    asked: list[int] = []

    def operator_token() -> str:
        asked.append(1)
        return ses.token_for(OPERATOR)

    with ses.client(token=CallableToken(operator_token)) as client:
        client.notify.iter_maintenance_windows()  # lazy: nothing fetched yet
        assert not asked
        list(client.notify.iter_maintenance_windows())
        client.notify.get_operating_status()  # public: no token asked for
        assert len(asked) == 1


def test_either_a_code_or_a_secret_is_given(ses: ThreadedHost) -> None:
    with ses.client() as client, pytest.raises(ValueError, match="either"):
        client.sign_in(email=DEMO_COMPANY_EMAIL, password=DEMO_PASSWORD)
