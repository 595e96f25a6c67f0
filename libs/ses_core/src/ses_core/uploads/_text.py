"""On-screen response text (DESIGN §2): at most N code points after CRLF→LF.

Choices beyond the spec's letter: a lone CR counts as one code point, like an
LF, and is stored as LF (browsers submit every line break as CRLF, so a lone CR
only comes from pasted text). NUL and unpaired surrogates are refused:
PostgreSQL cannot store NUL in text, a surrogate cannot be encoded as UTF-8,
and neither is ever meaningful in prose. No NFC here: the spec counts code
points as typed, and the text is stored as typed.
"""

from __future__ import annotations

import unicodedata

from ses_core.errors import ValidationFailed

TEXT_FIELD = "text"  # the request field the response text arrives in


def normalize_response_text(text: str) -> str:
    """Line breaks as LF: the form that is counted and should be stored."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def check_response_text(text: str, max_chars: int) -> None:
    normalized = normalize_response_text(text)
    if len(normalized) > max_chars:
        raise ValidationFailed(
            f"The response text is {len(normalized):,} characters long; the limit is "
            f"{max_chars:,}: shorten it, or put the rest in an attached file.",
            reason="text_too_long",
            field=TEXT_FIELD,
            length=len(normalized),
            limit=max_chars,
        )
    for position, char in enumerate(normalized, start=1):
        if char == "\0" or unicodedata.category(char) == "Cs":
            raise ValidationFailed(
                f"The response text contains an invisible character (U+{ord(char):04X}) at "
                f"position {position:,} that cannot be saved; delete it (retyping the text "
                "around it is the surest way) and try again.",
                reason="text_forbidden_character",
                field=TEXT_FIELD,
                position=position,
            )
