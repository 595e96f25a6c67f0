"""Checking a free-text value against its row of the table."""

from __future__ import annotations

import unicodedata

from ses_core.errors import ValidationFailed
from ses_core.limits._table import TEXT_LIMITS, Lines, TextField, TextLimit


def checked_text(field: TextField, value: str, *, required_reason: str | None = None) -> str:
    """``value`` as it should be stored (trimmed; one line or LF line breaks), or
    ``ValidationFailed`` naming the field: over its limit (``text_too_long``), holding a
    character that cannot be stored (``text_forbidden_character``), or blank when
    ``required_reason`` is given (with that reason)."""
    limit = TEXT_LIMITS[field]
    text = _normalized(value, limit.lines)
    if len(text) > limit.max_chars:
        raise ValidationFailed(
            f"{_capitalized(limit.what)} is {len(text):,} characters long; the limit is "
            f"{limit.max_chars:,}: shorten it.",
            reason="text_too_long",
            field=limit.field,
            length=len(text),
            limit=limit.max_chars,
        )
    _check_characters(text, limit)
    if required_reason is not None and not text.strip():
        raise ValidationFailed(
            f"Give {limit.what}; it cannot be blank.", reason=required_reason, field=limit.field
        )
    return text


def limit_of(field: TextField) -> TextLimit:
    return TEXT_LIMITS[field]


def _normalized(value: str, lines: Lines) -> str:
    if lines is Lines.EXACT:
        return value
    if lines is Lines.ONE:
        return " ".join(value.split())
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def _check_characters(text: str, limit: TextLimit) -> None:
    """NUL cannot be stored in PostgreSQL text, a lone surrogate cannot be encoded; on
    one line no control character belongs (it usually means a wrong encoding)."""
    for position, char in enumerate(text, start=1):
        category = unicodedata.category(char)
        if char == "\0" or category == "Cs" or (limit.lines is Lines.ONE and category == "Cc"):
            raise ValidationFailed(
                f"{_capitalized(limit.what)} contains an invisible character "
                f"(U+{ord(char):04X}) at position {position:,} that cannot be saved; delete "
                "it (retyping the text around it is the surest way) and try again.",
                reason="text_forbidden_character",
                field=limit.field,
                position=position,
            )


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]
