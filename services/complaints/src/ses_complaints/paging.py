"""Keyset pagination: opaque page tokens holding the last row's sort key.

A token is URL-safe base64 of a small JSON document: the list it belongs to, a
fingerprint of the filters that produced it and the sort key of the last row
served. The next page starts strictly after that key, so page 10,000 costs what
page 1 costs (an index range scan) and rows added meanwhile never shift a page.

Tokens are not signed: a forged token can only move the cursor inside what the
caller may list anyway, because scope and filters are applied on every page.
A token used with other filters (or for another list) is refused with
INVALID_ARGUMENT, as every list request's ``page_token`` comment promises (Google
AIP-158: ``page_size`` and ``page_token`` in the request, ``next_page_token`` in the
response). The proto comments quote ``DEFAULT_PAGE_SIZE`` and ``MAX_PAGE_SIZE``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from ses_core.errors import ValidationFailed

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class Page:
    """A page request made concrete: how many rows, after which key (None: the first page)."""

    size: int
    after: tuple[Any, ...] | None
    fingerprint: str

    def next_token(self, key: tuple[Any, ...]) -> str:
        body = json.dumps({"f": self.fingerprint, "k": list(key)}, separators=(",", ":"))
        return base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")


def fingerprint(list_name: str, filters: dict[str, Any]) -> str:
    canonical = json.dumps([list_name, filters], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def page_for(
    page_size: int, page_token: str, *, list_name: str, filters: dict[str, Any], key_length: int
) -> Page:
    """Check the request's paging fields and decode its token."""
    if page_size < 0:
        raise ValidationFailed(
            f"page_size must be 0 (the default, {DEFAULT_PAGE_SIZE}) or a positive number; "
            f"got {page_size}.",
            reason="page_size_invalid",
            field="page_size",
        )
    size = min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    expected = fingerprint(list_name, filters)
    if not page_token:
        return Page(size, None, expected)
    document = _decode(page_token)
    key = document.get("k")
    if document.get("f") != expected:
        raise ValidationFailed(
            "This page_token was issued for other filters or another list; repeat the request "
            "with the filters that produced it, or drop the token to start from the first page.",
            reason="page_token_mismatch",
            field="page_token",
        )
    if not isinstance(key, list) or len(key) != key_length:
        raise _malformed()
    return Page(size, tuple(key), expected)


def _decode(token: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        document = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise _malformed() from None
    if not isinstance(document, dict):
        raise _malformed()
    return document


def _malformed() -> ValidationFailed:
    return ValidationFailed(
        "The page_token is not one this service issued; pass next_page_token from the "
        "previous page unchanged, or leave it empty for the first page.",
        reason="page_token_invalid",
        field="page_token",
    )
