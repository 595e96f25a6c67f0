"""The local mail sink of ``ses up``: one ``.eml`` file per e-mail in the mail directory.

``ses demo`` reads it as a person reads their inbox: the activation link a new user was
sent, and the list of e-mails each step caused.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

_ACTIVATION_LINK = re.compile(r"https?://\S*activate\?token=[A-Za-z0-9_\-.~%]+")


@dataclass(frozen=True)
class Mail:
    path: Path
    to: str
    subject: str
    body: str


class Mailbox:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._seen: set[Path] = set(self._files())

    def _files(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(self.directory.glob("*.eml"), key=lambda p: (p.stat().st_mtime_ns, p.name))

    def new(self) -> list[Mail]:
        """The e-mails written since the last call (or since the mailbox was opened)."""
        fresh = [path for path in self._files() if path not in self._seen]
        self._seen.update(fresh)
        return [read_mail(path) for path in fresh]

    def activation_link(self, email: str, *, timeout: float = 60.0) -> tuple[str, Path]:
        """The newest activation link sent to ``email``, waiting for it to be written."""
        deadline = time.monotonic() + timeout
        while True:
            for path in reversed(self._files()):
                mail = read_mail(path)
                if email.lower() in mail.to.lower():
                    found = _ACTIVATION_LINK.search(mail.body)
                    if found:
                        return found.group(0), path
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"No activation e-mail to {email} reached {self.directory} within "
                    f"{timeout:.0f} s: is this the mail directory of the `ses up` you talk to?"
                )
            time.sleep(0.2)


def read_mail(path: Path) -> Mail:
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    part = message.get_body(preferencelist=("plain", "html"))
    body = part.get_content() if part is not None else ""
    return Mail(path, str(message.get("To", "")), str(message.get("Subject", "")), str(body))
