"""The password policy and argon2id hashing.

Policy (NIST SP 800-63B §5.1.1.2, choices where the spec is silent):

- 12 to 128 characters, counted as Unicode code points; any characters, spaces
  included (pass phrases are welcome), except control characters;
- no composition rules (no "one digit, one symbol"): they make passwords harder to
  remember, not to guess;
- refused: passwords on a short list of the most common ones, one character repeated,
  and passwords containing the user's e-mail address or the part before its @.

Hashing is argon2id with argon2-cffi's defaults (RFC 9106's second recommended option)
unless the settings say otherwise; a hash made with older parameters is replaced at the
next successful sign-in.
"""

from __future__ import annotations

import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ses_core.errors import ValidationFailed

MIN_LENGTH = 12
MAX_LENGTH = 128

# A few of the most used passwords of at least MIN_LENGTH characters (public breach lists).
COMMON_PASSWORDS = frozenset(
    {
        "123456789012",
        "1234567890123",
        "12345678901234",
        "123456789123",
        "qwertyuiop12",
        "qwertyuiopasdf",
        "qwerty123456",
        "password1234",
        "password12345",
        "password123456",
        "passwordpassword",
        "iloveyou1234",
        "abc123456789",
        "abcdefghijkl",
        "1q2w3e4r5t6y",
        "changeme1234",
        "letmein12345",
        "welcome12345",
        "administrator",
        "correcthorsebatterystaple",
    }
)


def password_problem(password: str, *, email: str) -> str | None:
    """Why ``password`` is refused for the user with ``email``, or None."""
    length = len(password)
    if length < MIN_LENGTH:
        return f"it has {length} characters; use at least {MIN_LENGTH} (a pass phrase works well)"
    if length > MAX_LENGTH:
        return f"it has {length} characters; use at most {MAX_LENGTH}"
    if any(unicodedata.category(char) == "Cc" for char in password):
        return "it contains control characters (such as a tab or line break)"
    folded = password.casefold()
    if len(set(folded)) == 1:
        return "it repeats one character"
    if folded.replace(" ", "") in COMMON_PASSWORDS:
        return "it is one of the most common passwords"
    address = email.strip().casefold()
    local = address.split("@", 1)[0]
    if address and (address in folded or (len(local) >= 4 and local in folded)):
        return "it contains your e-mail address"
    return None


def check_password(password: str, *, email: str) -> str:
    problem = password_problem(password, email=email)
    if problem is not None:
        raise ValidationFailed(
            f"Choose another password: {problem}. Use at least {MIN_LENGTH} characters that "
            "others would not guess.",
            reason="password_too_weak",
            field="password",
        )
    return password


class Passwords:
    """argon2id hashing, and a constant-cost check for accounts that do not exist."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        self._decoy_hash: str | None = None

    @property
    def _decoy(self) -> str:
        """Checked against when the e-mail has no account, so that the answer takes as
        long. Made at the first check of any password, not at start (one argon2id hash is
        0.1-1 s of a start): the first sign-in is slower whether or not its account
        exists, so the extra time reveals nothing."""
        if self._decoy_hash is None:
            self._decoy_hash = self._hasher.hash("decoy password that nobody has")
        return self._decoy_hash

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        decoy = self._decoy
        try:
            return self._hasher.verify(password_hash or decoy, password) and bool(password_hash)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)
