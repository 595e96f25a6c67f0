"""Limits on the free text a request may carry, as one table (pure, like ``uploads``).

``TEXT_LIMITS`` gives every free-text field of the contract its maximum length
(``TextLimit``: the request field's path, how a sentence names it, the limit,
whether it is one line); ``checked_text(TextField.X, value)`` returns the value
as it should be stored or raises ``ValidationFailed`` naming the field (a
``BadRequest`` field violation for clients). The aggregates call it where they
take the text; the protos document each limit on the field's comment.
"""

from ses_core.limits._check import checked_text, limit_of
from ses_core.limits._table import (
    MAX_SEARCH_TERMS,
    SINGLE_LINE_MAX_CHARS,
    TEXT_LIMITS,
    Lines,
    TextField,
    TextLimit,
)

__all__ = [
    "MAX_SEARCH_TERMS",
    "SINGLE_LINE_MAX_CHARS",
    "TEXT_LIMITS",
    "Lines",
    "TextField",
    "TextLimit",
    "checked_text",
    "limit_of",
]
