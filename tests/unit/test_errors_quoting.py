"""Messages quote a short prefix of what was sent and never exceed 1 KiB (issue 10)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ses_core.accounts import check_email_address
from ses_core.errors import (
    MAX_MESSAGE_BYTES,
    NotFound,
    Unavailable,
    ValidationFailed,
    capped,
    quote,
)


def test_quote_keeps_short_values_whole_and_cuts_long_ones_with_an_ellipsis() -> None:
    assert quote("C-1") == "'C-1'"
    assert quote("a" * 100) == "'" + "a" * 64 + "…'"
    assert quote("x" * 100, limit=3) == "'xxx…'"


def test_quote_escapes_control_characters() -> None:
    assert quote("line\nbreak\0") == "'line\\nbreak\\x00'"


@given(st.text(max_size=3000))
def test_capped_fits_one_kib_and_is_a_prefix_plus_ellipsis(message: str) -> None:
    result = capped(message)
    assert len(result.encode("utf-8")) <= MAX_MESSAGE_BYTES
    if len(message.encode("utf-8")) <= MAX_MESSAGE_BYTES:
        assert result == message
    else:
        assert result.endswith("…")
        assert message.startswith(result.removesuffix("…"))


def test_a_twenty_kilobyte_email_address_makes_a_short_sentence() -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_email_address("x" * 20_000 + "@example.com")
    assert len(refused.value.message.encode()) < 300
    assert "'" + "x" * 64 + "…'" in refused.value.message


def test_errors_carry_field_metadata_and_retry_delay() -> None:
    error = ValidationFailed("Too long.", field="details.description")
    assert (error.field, error.metadata, error.retry_after) == ("details.description", {}, None)
    assert NotFound("Gone.", metadata={"complaint_id": "C-1"}).metadata == {"complaint_id": "C-1"}
    assert Unavailable("Busy.").retry_after == timedelta(seconds=1)
    assert Unavailable("Use the IdP.", retry_after=None).retry_after is None


def test_capped_never_splits_a_character() -> None:
    message = "é" * 1000  # 2,000 bytes of two-byte characters
    result = capped(message)
    assert result == "é" * 510 + "…"
    assert len(result.encode("utf-8")) <= MAX_MESSAGE_BYTES
