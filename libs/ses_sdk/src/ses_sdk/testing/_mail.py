"""E-mails the way a person reads them: the activation link, the complaint's reference."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterable
from email.message import EmailMessage
from pathlib import Path

_ACTIVATION_LINK = re.compile(r"https?://[^\s<>\"']*[?&]token=[^\s<>\"']+")


def text_of(message: EmailMessage) -> str:
    """The plain-text body (what a mail client shows without HTML)."""
    part = message.get_body(preferencelist=("plain",))
    return "" if part is None else str(part.get_content())


def activation_link(message: EmailMessage) -> str | None:
    """The activation link a welcome (or resent) e-mail carries, if any."""
    found = _ACTIVATION_LINK.search(text_of(message))
    return found.group(0) if found else None


def addressed_to(messages: Iterable[EmailMessage], address: str) -> list[EmailMessage]:
    wanted = address.strip().lower()
    return [m for m in messages if str(m["To"]).strip("<> ").lower() == wanted]


def read_maildir(mail_dir: Path) -> list[EmailMessage]:
    """Every ``.eml`` the notify service wrote (``mail_transport=maildir``), oldest first."""
    if not mail_dir.exists():
        return []
    files = sorted(mail_dir.rglob("*.eml"), key=lambda path: (path.stat().st_mtime_ns, path))
    messages = []
    for path in files:
        parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        messages.append(parsed)
    return messages
