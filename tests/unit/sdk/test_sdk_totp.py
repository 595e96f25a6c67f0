"""TOTP codes computed locally (RFC 6238) match the standard's vectors and pyotp."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ses_sdk import totp_code

# RFC 6238, appendix B (SHA-1): the secret is the ASCII "12345678901234567890"; the six
# digits are the last six of the eight-digit values listed there.
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
RFC_VECTORS = [
    (59, "287082"),
    (1111111109, "081804"),
    (1111111111, "050471"),
    (1234567890, "005924"),
    (2000000000, "279037"),
    (20000000000, "353130"),
]


@pytest.mark.parametrize(("seconds", "code"), RFC_VECTORS)
def test_the_rfc_6238_vectors(seconds: int, code: str) -> None:
    assert totp_code(RFC_SECRET, datetime.fromtimestamp(seconds, UTC)) == code


@given(
    key=st.binary(min_size=16, max_size=40),  # pyotp refuses keys under 112 bits
    seconds=st.integers(min_value=0, max_value=2**35),
)
def test_codes_agree_with_pyotp(key: bytes, seconds: int) -> None:
    secret = base64.b32encode(key).decode().rstrip("=")
    at = datetime.fromtimestamp(seconds, UTC)
    assert totp_code(secret, at) == pyotp.TOTP(secret).at(at)


def test_a_secret_may_be_typed_in_lower_case_with_spaces() -> None:
    at = datetime(2030, 1, 1, tzinfo=UTC)
    assert totp_code("jbsw y3dp ehpk 3pxp", at) == totp_code("JBSWY3DPEHPK3PXP", at)


def test_the_code_changes_every_thirty_seconds() -> None:
    start = datetime(2030, 1, 1, tzinfo=UTC)
    assert totp_code(RFC_SECRET, start) == totp_code(RFC_SECRET, start + timedelta(seconds=29))
    assert totp_code(RFC_SECRET, start) != totp_code(RFC_SECRET, start + timedelta(seconds=30))


def test_a_naive_time_or_a_secret_that_is_not_base32_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        totp_code(RFC_SECRET, datetime(2030, 1, 1))
    with pytest.raises(ValueError, match="base32"):
        totp_code("not base32!", datetime(2030, 1, 1, tzinfo=UTC))
