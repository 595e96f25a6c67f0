"""Keyset page tokens: opaque, tied to their filters, refused when forged or reused elsewhere."""

from __future__ import annotations

import base64

import pytest

from ses_complaints.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, page_for
from ses_core.errors import ValidationFailed

FILTERS = {"statuses": ["OPEN"], "company_id": "SES-1"}


def test_first_page_has_no_cursor_and_the_default_size() -> None:
    page = page_for(0, "", list_name="complaints", filters=FILTERS, key_length=2)
    assert page.after is None
    assert page.size == DEFAULT_PAGE_SIZE


def test_sizes_above_the_maximum_are_lowered_not_refused() -> None:
    page = page_for(10**6, "", list_name="complaints", filters=FILTERS, key_length=2)
    assert page.size == MAX_PAGE_SIZE


def test_a_token_round_trips_the_last_sort_key() -> None:
    first = page_for(20, "", list_name="complaints", filters=FILTERS, key_length=2)
    token = first.next_token(("2026-11-27T10:00:00+00:00", "id-9"))
    second = page_for(20, token, list_name="complaints", filters=FILTERS, key_length=2)
    assert second.after == ("2026-11-27T10:00:00+00:00", "id-9")
    assert "id-9" not in token  # opaque to a casual reader, not a secret


@pytest.mark.parametrize(
    ("list_name", "filters"),
    [("complaints", {**FILTERS, "company_id": "SES-2"}), ("information_requests", FILTERS)],
    ids=["other-filters", "other-list"],
)
def test_a_token_is_valid_only_with_the_filters_that_produced_it(
    list_name: str, filters: dict[str, object]
) -> None:
    token = page_for(20, "", list_name="complaints", filters=FILTERS, key_length=2).next_token(
        ("k", "id")
    )
    with pytest.raises(ValidationFailed) as error:
        page_for(20, token, list_name=list_name, filters=filters, key_length=2)
    assert error.value.reason == "page_token_mismatch"


@pytest.mark.parametrize(
    "token",
    [
        "%%%",
        base64.urlsafe_b64encode(b"[1,2]").decode(),
        base64.urlsafe_b64encode(b"not json").decode(),
    ],
    ids=["not-base64", "not-an-object", "not-json"],
)
def test_forged_tokens_are_refused_with_a_hint(token: str) -> None:
    with pytest.raises(ValidationFailed) as error:
        page_for(20, token, list_name="complaints", filters=FILTERS, key_length=2)
    assert error.value.reason == "page_token_invalid"
    assert "next_page_token" in error.value.message


def test_a_key_of_the_wrong_length_is_refused() -> None:
    token = page_for(20, "", list_name="history", filters={}, key_length=1).next_token((3,))
    with pytest.raises(ValidationFailed):
        page_for(20, token, list_name="history", filters={}, key_length=2)


def test_negative_page_sizes_are_refused() -> None:
    with pytest.raises(ValidationFailed) as error:
        page_for(-1, "", list_name="complaints", filters=FILTERS, key_length=2)
    assert "page_size" in error.value.message
