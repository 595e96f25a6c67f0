"""Activation links and page tokens: what clients send back must be recognised or refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ses_core.errors import ValidationFailed
from ses_enrollment.links import LinkMaker, token_from, token_hash
from ses_enrollment.paging import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    decode_token,
    encode_token,
    filters_hash,
    page_size,
)

NOW = datetime(2025, 6, 2, 14, 0, tzinfo=UTC)


def test_a_link_is_the_base_plus_a_random_token_whose_hash_is_stored() -> None:
    maker = LinkMaker("https://ses.example.gov/activate?token=", timedelta(days=14))
    first, second = maker.issue(NOW), maker.issue(NOW)

    assert first.url == f"https://ses.example.gov/activate?token={first.token}"
    assert first.token != second.token
    assert first.token_hash == token_hash(first.token) != first.token
    assert len(first.token_hash) == 64
    assert first.expires_at == NOW + timedelta(days=14)


@pytest.mark.parametrize(
    "pasted",
    [
        "abc-DEF_123",
        "  abc-DEF_123 ",
        "http://127.0.0.1:8080/activate?token=abc-DEF_123",
        "https://ses.example.gov/activate?lang=en&token=abc-DEF_123",
    ],
)
def test_the_token_or_the_whole_link_may_be_pasted(pasted: str) -> None:
    assert token_from(pasted) == "abc-DEF_123"


@pytest.mark.parametrize("pasted", ["", "   ", "https://ses.example.gov/activate?lang=en"])
def test_nothing_to_redeem_is_an_invalid_argument(pasted: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        token_from(pasted)
    assert refused.value.reason == "activation_token_required"


def test_page_tokens_round_trip_only_with_their_filters() -> None:
    filters = filters_hash("agency", "a-1", False)
    token = encode_token("bob@x.example", filters)

    assert decode_token(token, filters, str) == "bob@x.example"
    assert decode_token("", filters, str) is None
    with pytest.raises(ValidationFailed) as mismatch:
        decode_token(token, filters_hash("agency", "a-2", False), str)
    assert mismatch.value.reason == "page_token_mismatch"
    for forged in ("%%%", encode_token("bob@x.example", filters)):
        with pytest.raises(ValidationFailed) as garbage:
            decode_token(forged, filters, int)
        assert garbage.value.reason == "page_token_invalid"


def test_page_sizes_default_and_cap() -> None:
    assert page_size(0) == DEFAULT_PAGE_SIZE
    assert page_size(7) == 7
    assert page_size(10_000) == MAX_PAGE_SIZE
    with pytest.raises(ValidationFailed):
        page_size(-1)
