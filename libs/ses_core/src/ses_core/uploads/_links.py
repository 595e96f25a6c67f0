"""External file-sharing links (DESIGN §2): ``https://`` URLs of at most N characters.

Choices beyond the spec's letter: the link must parse, name a host (a DNS
name, possibly internationalised, or an IP literal) and have a valid port if
any; whitespace and control characters are refused (a pasted link never needs
them); user names and passwords in the URL are refused, because the link is
shown to everyone on the complaint and "https://bank.example@evil.example" is a
classic disguise.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from urllib.parse import SplitResult, urlsplit

from ses_core.errors import ValidationFailed

_HOST_NAME = re.compile(r"[\w-]+(?:\.[\w-]+)*\.?")
LINKS_FIELD = "file_sharing_links"  # the request field the links arrive in
_HOW_TO_FIX = "copy the link from the file-sharing service again and paste it"


def check_link(url: str, max_chars: int) -> None:
    if len(url) > max_chars:
        raise ValidationFailed(
            f"The link is {len(url):,} characters long; the limit is {max_chars:,}: use the "
            "file-sharing service's short or share link instead.",
            reason="link_too_long",
            field=LINKS_FIELD,
            length=len(url),
            limit=max_chars,
        )
    parts = _split(url)
    if parts.scheme != "https":
        raise ValidationFailed(
            "File-sharing links must start with https://; use the service's secure (https) link.",
            reason="link_not_https",
            field=LINKS_FIELD,
        )
    if "@" in parts.netloc:
        raise ValidationFailed(
            "The link contains a user name or password, which everyone on the complaint "
            "would see: share a link without them.",
            reason="link_has_credentials",
            field=LINKS_FIELD,
        )
    if not _valid_host(parts.hostname, bracketed="[" in parts.netloc):
        raise _malformed("it does not name a valid host")


def _split(url: str) -> SplitResult:
    if not url:
        raise _malformed("it is empty")
    if any(char.isspace() or unicodedata.category(char) in ("Cc", "Cs") for char in url):
        raise _malformed("it contains spaces or invisible characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - parsing the port is how an invalid one is detected
    except ValueError as exc:
        raise _malformed("it cannot be parsed") from exc
    return parts


def _valid_host(host: str | None, *, bracketed: bool) -> bool:
    if not host:
        return False
    if bracketed:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return False
        return True
    return _HOST_NAME.fullmatch(host) is not None


def _malformed(why: str) -> ValidationFailed:
    return ValidationFailed(
        f"The link is not a valid web address ({why}): {_HOW_TO_FIX}.",
        reason="link_malformed",
        field=LINKS_FIELD,
    )
