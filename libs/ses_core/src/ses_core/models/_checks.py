"""Small data rules the aggregates share; each failure is a ``ValidationFailed``."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable

from ses_core.errors import ValidationFailed, quote

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_PHONE = re.compile(r"\+?[0-9().\-\s]+(?:\s*(?:x|ext\.?)\s*[0-9]{1,6})?", re.IGNORECASE)


def new_id() -> str:
    return str(uuid.uuid4())


def required_text(value: str, what: str, *, reason: str) -> str:
    """``value`` without surrounding blanks; refused when nothing is left."""
    stripped = value.strip()
    if not stripped:
        raise ValidationFailed(f"Give {what}; it cannot be blank.", reason=reason)
    return stripped


def required_id(value: str, what: str) -> str:
    return required_text(value, what, reason="id_required")


def distinct_ids(values: Iterable[str], what: str) -> list[str]:
    """Ids in first-seen order without repeats; a blank id is refused."""
    seen: dict[str, None] = {}
    for value in values:
        seen[required_id(value, what)] = None
    return list(seen)


def check_email(email: str) -> str:
    cleaned = email.strip()
    if not _EMAIL.fullmatch(cleaned):
        raise ValidationFailed(
            f"{quote(email)} is not an e-mail address; write it as name@example.com.",
            reason="email_invalid",
        )
    return cleaned


def check_phone(phone: str) -> str:
    cleaned = phone.strip()
    # "x" also splits off "ext": only the number before an extension is counted.
    digits = sum(char.isdigit() for char in cleaned.lower().split("x")[0])
    if not _PHONE.fullmatch(cleaned) or not 7 <= digits <= 15:
        raise ValidationFailed(
            f"{quote(phone)} is not a phone number; use 7 to 15 digits, optionally with +, "
            "spaces, dashes, dots, brackets and an extension such as 'ext 12'.",
            reason="phone_invalid",
        )
    return cleaned
