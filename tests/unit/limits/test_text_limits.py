"""Every free-text field has a limit, checked with a sentence naming the field (issue 10)."""

from __future__ import annotations

import pytest

from ses_core.errors import MAX_MESSAGE_BYTES, ValidationFailed
from ses_core.limits import TEXT_LIMITS, Lines, TextField, checked_text, limit_of


def test_every_text_field_has_exactly_one_limit() -> None:
    assert set(TEXT_LIMITS) == set(TextField)
    for limit in TEXT_LIMITS.values():
        assert limit.max_chars > 0
        assert limit.field
        assert " " not in limit.field


@pytest.mark.parametrize("field", list(TextField), ids=str)
def test_text_at_the_limit_is_kept_and_one_more_character_is_refused_naming_the_field(
    field: TextField,
) -> None:
    limit = limit_of(field)
    assert len(checked_text(field, "x" * limit.max_chars)) == limit.max_chars
    with pytest.raises(ValidationFailed) as refused:
        checked_text(field, "x" * (limit.max_chars + 1))
    error = refused.value
    assert (error.reason, error.field) == ("text_too_long", limit.field)
    assert f"the limit is {limit.max_chars:,}" in error.message
    assert error.details == {"length": limit.max_chars + 1, "limit": limit.max_chars}


def test_three_megabytes_get_a_short_sentence() -> None:
    with pytest.raises(ValidationFailed) as refused:
        checked_text(TextField.COMPLAINT_DESCRIPTION, "word " * 600_000)
    assert refused.value.message == (
        "The complaint's description is 2,999,999 characters long; the limit is 20,000: shorten it."
    )
    assert len(refused.value.message.encode()) < MAX_MESSAGE_BYTES


def test_line_breaks_count_once_and_are_stored_as_lf() -> None:
    limit = limit_of(TextField.RESEARCH_NOTE).max_chars
    text = "a\r\n" * (limit // 2)
    assert checked_text(TextField.RESEARCH_NOTE, text) == ("a\n" * (limit // 2)).strip()


def test_single_line_fields_collapse_whitespace() -> None:
    assert limit_of(TextField.PRODUCT).lines is Lines.ONE
    assert checked_text(TextField.PRODUCT, "  Mortgage \n servicing ") == "Mortgage servicing"


def test_exact_fields_are_counted_as_sent() -> None:
    assert checked_text(TextField.PASSWORD, "  two  spaces  ") == "  two  spaces  "


@pytest.mark.parametrize(
    ("field", "text"),
    [
        (TextField.RESEARCH_NOTE, "before\0after"),
        (TextField.RESEARCH_NOTE, "lone \ud800 surrogate"),
        (TextField.PRODUCT, "bell\x07"),
    ],
)
def test_characters_that_cannot_be_stored_are_refused_naming_the_field(
    field: TextField, text: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        checked_text(field, text)
    assert refused.value.reason == "text_forbidden_character"
    assert refused.value.field == limit_of(field).field


def test_blank_required_text_is_refused_with_the_given_reason() -> None:
    assert checked_text(TextField.RESEARCH_NOTE, "   ") == ""
    with pytest.raises(ValidationFailed) as refused:
        checked_text(TextField.RESEARCH_NOTE, "  \n ", required_reason="note_text_required")
    assert (refused.value.reason, refused.value.field) == ("note_text_required", "text")
