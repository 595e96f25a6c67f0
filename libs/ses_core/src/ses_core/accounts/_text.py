"""Single-line text fields: names, streets, cities, business types.

Whitespace inside a value is collapsed to single spaces and trimmed at both
ends, so a name that a spreadsheet wrapped onto two lines ("Acme\\nLending")
comes out as one line ("Acme Lending"); nothing the person meant is lost.
Other control characters (NUL, BEL, DEL, ...) are refused: they are never part
of a name and usually mean a file was read in the wrong encoding.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from ses_core.errors import ValidationFailed

MAX_TEXT_LENGTH = 200


def collapse_whitespace(value: str) -> str:
    return " ".join(value.split())


def single_line(value: str, what: str, *, max_length: int = MAX_TEXT_LENGTH) -> str:
    """``value`` on one line; may be empty. Refuses control characters and overlong text."""
    text = collapse_whitespace(value)
    if any(unicodedata.category(char) == "Cc" for char in text):
        raise ValidationFailed(
            f"{_cap(what)} contains control characters; retype it, or check that the file "
            "was saved as UTF-8.",
            reason="control_characters",
        )
    if len(text) > max_length:
        raise ValidationFailed(
            f"{_cap(what)} is {len(text)} characters long; shorten it to at most {max_length}.",
            reason="text_too_long",
        )
    return text


def required_line(value: str, what: str, *, reason: str, max_length: int = MAX_TEXT_LENGTH) -> str:
    """Like ``single_line``, but blank is refused with ``reason``."""
    text = single_line(value, what, max_length=max_length)
    if not text:
        raise ValidationFailed(f"Give {what}; it cannot be blank.", reason=reason)
    return text


def distinct_lines(values: Iterable[str], what: str) -> list[str]:
    """Each value on one line, blanks dropped, repeats (ignoring case) dropped, order kept."""
    seen: dict[str, str] = {}
    for value in values:
        text = single_line(value, what)
        if text and text.casefold() not in seen:
            seen[text.casefold()] = text
    return list(seen.values())


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]
