"""Activation links: a random token in a URL; only the token's SHA-256 hash is stored.

The token is 256 random bits (``secrets.token_urlsafe(32)``), so a hash without salt
is enough to make a stolen database useless for activating accounts. The link is the
configured base (``SES_ENROLLMENT__ACTIVATION_LINK_BASE``) with the token appended.
``ActivateAccount`` accepts the token or the whole link, as people paste either.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from ses_core.errors import ValidationFailed


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedLink:
    token: str
    url: str
    token_hash: str
    issued_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class LinkMaker:
    base: str
    lifetime: timedelta

    def issue(self, now: datetime) -> IssuedLink:
        token = secrets.token_urlsafe(32)
        return IssuedLink(
            token=token,
            url=f"{self.base}{token}",
            token_hash=token_hash(token),
            issued_at=now,
            expires_at=now + self.lifetime,
        )


def token_from(value: str) -> str:
    """The token of an activation link, given the token itself or the whole link."""
    text = value.strip()
    if "://" in text or "token=" in text:
        tokens = parse_qs(urlsplit(text).query).get("token") or []
        text = tokens[0].strip() if tokens else ""
    if not text:
        raise ValidationFailed(
            "Paste the activation link from your welcome e-mail (or the token at its end).",
            reason="activation_token_required",
            field="activation_token",
        )
    return text
