"""E-mail addresses: a pragmatic subset of RFC 5322 / RFC 5321, without a dependency.

Accepted: ``local@domain`` where

- the whole address is at most 254 characters (RFC 5321's path limit minus the
  angle brackets);
- the local part is a *dot-atom* of at most 64 ASCII characters: letters,
  digits and ``!#$%&'*+/=?^_`{|}~-``, separated by single dots, neither first
  nor last;
- the domain has at least two labels of 1–63 letters, digits and hyphens (no
  hyphen first or last), and its last label (the top-level domain) is letters
  only, or an ``xn--`` punycode label.

Refused on purpose, although RFC 5322 allows them: quoted local parts
(``"john smith"@x.org``), comments, IP-address literals (``user@[10.0.0.1]``),
single-label domains (``user@localhost``) and non-ASCII characters (write an
internationalised domain in its ``xn--`` form). None of these is a plausible
address for a company or agency mailbox, and each one is a common typo's shape.

Surrounding blanks are removed and the domain is lowercased; the local part
keeps its case, because RFC 5321 lets a mail server tell cases apart.
Uniqueness is nevertheless decided by ``email_key``, which ignores case:
no real mail system hands ``Ann@x.org`` and ``ann@x.org`` to different people,
and treating them as two users would let one person hold two accounts.
"""

from __future__ import annotations

import re

from ses_core.errors import ValidationFailed, quote

MAX_EMAIL_LENGTH = 254
MAX_LOCAL_PART_LENGTH = 64
MAX_DOMAIN_LABEL_LENGTH = 63

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL_PART = re.compile(rf"{_ATOM}(?:\.{_ATOM})*")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
_TOP_LEVEL = re.compile(r"[a-z]{2,63}|xn--[a-z0-9-]{1,59}")


def email_problem(value: str) -> str | None:
    """What is wrong with ``value`` as an e-mail address, or ``None`` if nothing."""
    address = value.strip()
    if not address:
        return "it is blank"
    if not address.isascii():
        return "it contains characters other than plain ASCII letters, digits and symbols"
    if len(address) > MAX_EMAIL_LENGTH:
        return f"it is longer than {MAX_EMAIL_LENGTH} characters"
    if address.count("@") != 1:
        return "it must contain exactly one @"
    local, domain = address.split("@")
    return _local_problem(local) or _domain_problem(domain.lower())


def _local_problem(local: str) -> str | None:
    if not local:
        return "the part before the @ is empty"
    if len(local) > MAX_LOCAL_PART_LENGTH:
        return f"the part before the @ is longer than {MAX_LOCAL_PART_LENGTH} characters"
    if not _LOCAL_PART.fullmatch(local):
        return (
            "the part before the @ may only hold letters, digits, single dots (not first or "
            "last) and the symbols !#$%&'*+/=?^_`{|}~-"
        )
    return None


def _domain_problem(domain: str) -> str | None:
    labels = domain.split(".")
    if len(labels) < 2:
        return "the part after the @ needs a dot, as in example.com"
    for label in labels:
        if len(label) > MAX_DOMAIN_LABEL_LENGTH or not _LABEL.fullmatch(label):
            return (
                "each dot-separated part of the domain must be 1 to 63 letters, digits or "
                "hyphens, not starting or ending with a hyphen"
            )
    if not _TOP_LEVEL.fullmatch(labels[-1]):
        return f"{quote(labels[-1])} is not a top-level domain such as com or org"
    return None


def is_email_address(value: str) -> bool:
    """Whether ``check_email_address`` would accept ``value``."""
    return email_problem(value) is None


def check_email_address(value: str, *, what: str = "") -> str:
    """``value`` normalised (trimmed, domain lowercased), or ``ValidationFailed``.

    ``what`` names the field in the message (e.g. ``"the contact's e-mail"``).
    """
    problem = email_problem(value)
    if problem is not None:
        subject = f"{what} {quote(value.strip())}" if what else quote(value.strip())
        raise ValidationFailed(
            f"{subject[0].upper()}{subject[1:]} is not a valid e-mail address: {problem}; "
            "write it as name@example.com.",
            reason="email_invalid",
        )
    local, domain = value.strip().split("@")
    return f"{local}@{domain.lower()}"


def email_key(value: str) -> str:
    """The form two addresses are compared in: trimmed and case-folded."""
    return value.strip().lower()
