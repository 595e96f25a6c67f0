"""TOTP authenticators: URIs, the accepted window, and codes that work once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from ses_core.errors import ValidationFailed
from ses_enrollment import totp

AT = datetime(2025, 6, 2, 14, 0, 15, tzinfo=UTC)


def test_a_new_secret_loads_into_any_authenticator_app() -> None:
    secret = totp.new_secret()
    uri = totp.provisioning_uri(secret, "ann@lender.example")

    assert len(secret) == 32
    assert uri.startswith("otpauth://totp/SES:ann%40lender.example?")
    assert f"secret={secret}" in uri
    assert "issuer=SES" in uri
    assert pyotp.parse_uri(uri).secret == secret


@pytest.mark.parametrize("drift", [-30, 0, 30])
def test_codes_of_the_neighbouring_steps_are_accepted(drift: int) -> None:
    secret = totp.new_secret()
    code = totp.code_at(secret, AT + timedelta(seconds=drift))
    assert totp.matching_step(secret, code, AT) == pyotp.TOTP(secret).timecode(AT) + drift // 30


@pytest.mark.parametrize("drift", [-90, 90, 600])
def test_codes_further_away_are_refused(drift: int) -> None:
    secret = totp.new_secret()
    assert (
        totp.matching_step(secret, totp.code_at(secret, AT + timedelta(seconds=drift)), AT) is None
    )


def test_a_code_of_a_step_already_used_is_refused() -> None:
    secret = totp.new_secret()
    code = totp.code_at(secret, AT)
    step = totp.matching_step(secret, code, AT)
    assert step is not None
    assert totp.matching_step(secret, code, AT, after=step) is None
    later = totp.code_at(secret, AT + timedelta(seconds=30))
    assert totp.matching_step(secret, later, AT, after=step) == step + 1


@pytest.mark.parametrize("code", ["12345", "1234567", "12a456", ""])
def test_a_code_must_be_six_digits(code: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        totp.normalized_code(code)
    assert refused.value.reason == "totp_code_malformed"


def test_blanks_inside_a_code_are_ignored() -> None:
    assert totp.normalized_code(" 123 456 ") == "123456"


def test_a_used_code_is_recognised_as_a_replay_and_a_fresh_one_is_not() -> None:
    secret = totp.new_secret()
    step = totp.matching_step(secret, totp.code_at(secret, AT), AT)
    assert step is not None
    used = totp.code_at(secret, AT)
    later = AT + timedelta(seconds=30)
    assert totp.was_used(secret, used, later, last_used=step)
    assert not totp.was_used(secret, totp.code_at(secret, later), later, last_used=step)
    assert not totp.was_used(secret, used, AT, last_used=None)
    assert not totp.was_used(secret, "000000" if used != "000000" else "111111", AT, last_used=step)


def test_the_next_code_comes_at_the_next_thirty_second_boundary() -> None:
    assert totp.seconds_to_next_step(AT) == 15
