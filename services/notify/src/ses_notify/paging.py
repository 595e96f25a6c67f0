"""Keyset pages: opaque tokens that remember the last key and the filters they belong to.

A token is ``base64(json([filters fingerprint, key...]))``. Reusing it with other
filters, or sending a token that is not ours, is INVALID_ARGUMENT naming the field
(the rule every list request's ``page_token`` comment states: Google AIP-158, with
``page_size`` and ``page_token`` in the request, ``next_page_token`` in the response).
The proto comments quote ``DEFAULT_PAGE_SIZE`` and ``MAX_PAGE_SIZE``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from ses_core.errors import ValidationFailed

T = TypeVar("T")
PageKey = tuple[datetime, str]

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    last_key: PageKey | None  # None: this was the last page

    @classmethod
    def of(cls, rows: Sequence[T], page_size: int, key: Callable[[T], PageKey]) -> Page[T]:
        """``rows`` fetched with ``LIMIT page_size + 1``: the extra row says more exist."""
        items = list(rows[:page_size])
        more = len(rows) > page_size
        return cls(items, key(items[-1]) if more and items else None)


def page_size_of(requested: int) -> int:
    if requested < 0:
        raise ValidationFailed(
            f"page_size is {requested}; give 0 for the default or a positive number.",
            reason="page_size_invalid",
            field="page_size",
        )
    return min(requested or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def _fingerprint(filters: Any) -> str:
    encoded = json.dumps(filters, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()[:16]


def encode_token(key: PageKey | None, filters: Any) -> str:
    if key is None:
        return ""
    at, last = key
    raw = json.dumps([_fingerprint(filters), at.isoformat(), last]).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_token(token: str, filters: Any) -> PageKey | None:
    if not token:
        return None
    try:
        fingerprint, at, last = json.loads(base64.urlsafe_b64decode(token.encode()))
        key = (datetime.fromisoformat(at), str(last))
    except (ValueError, TypeError, binascii.Error):
        raise ValidationFailed(
            "The page_token is not one this list issued; start again without a token.",
            reason="page_token_invalid",
            field="page_token",
        ) from None
    if fingerprint != _fingerprint(filters):
        raise ValidationFailed(
            "The page_token belongs to a list with other filters; start again without a token "
            "or repeat the filters it was issued for.",
            reason="page_token_filters_changed",
            field="page_token",
        )
    return key
