"""Keyset page tokens: opaque to clients, tied to the filters that produced them.

A token is URL-safe base64 of ``{"after": <last key>, "filters": <hash>}``. Reusing a
token with other filters would skip or repeat items, so it is refused
(``ValidationFailed`` naming ``page_token``), as the list requests' comments promise
(Google AIP-158 fields ``page_size``, ``page_token``, ``next_page_token``). Page sizes: 0
means the default (50); sizes above the maximum (200) are lowered to it; a negative size
is refused naming ``page_size``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any, TypeVar

from ses_core.errors import ValidationFailed

KeyT = TypeVar("KeyT", int, str)

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def page_size(requested: int) -> int:
    if requested < 0:
        raise ValidationFailed(
            f"The page size cannot be negative ({requested}); use 0 for the default.",
            reason="page_size_invalid",
            field="page_size",
        )
    return min(requested or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def filters_hash(*filters: Any) -> str:
    return hashlib.sha256(json.dumps(filters, default=str).encode()).hexdigest()[:16]


def encode_token(after: Any, filters: str) -> str:
    raw = json.dumps({"after": after, "filters": filters}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str, filters: str, key_type: type[KeyT]) -> KeyT | None:
    """The key (of ``key_type``) to continue after, or None for the first page."""
    if not token:
        return None
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        after, produced_with = data["after"], data["filters"]
        if type(after) is not key_type:
            raise TypeError("a key of another type")
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise ValidationFailed(
            "The page token is not one this service issued; start again without a token.",
            reason="page_token_invalid",
            field="page_token",
        ) from None
    if produced_with != filters:
        raise ValidationFailed(
            "The page token belongs to a list with other filters; start again without a "
            "token, or repeat the filters that produced it.",
            reason="page_token_mismatch",
            field="page_token",
        )
    return after
