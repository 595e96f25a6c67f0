"""The password policy and argon2id hashing of the embedded identity provider."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from ses_core.errors import ValidationFailed
from ses_enrollment.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    Passwords,
    check_password,
    password_problem,
)

EMAIL = "jordan.smith@lender.example"


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short one", "use at least 12"),
        ("x" * (MAX_LENGTH + 1), "use at most 128"),
        ("aaaaaaaaaaaaaaaa", "repeats one character"),
        ("Password 1234", "most common"),
        ("my jordan.smith pass", "your e-mail address"),
        ("JORDAN.SMITH@LENDER.EXAMPLE!", "your e-mail address"),
        ("tab\tinside the phrase", "control characters"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password: str, problem: str) -> None:
    found = password_problem(password, email=EMAIL)
    assert found is not None
    assert problem in found


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery",
        "Ünïcödé pass phrase ✓",
        "x" * MIN_LENGTH + "y",
        "a" * (MAX_LENGTH - 1) + "b",
    ],
)
def test_long_unusual_passwords_are_accepted_without_composition_rules(password: str) -> None:
    assert check_password(password, email=EMAIL) == password


def test_a_refusal_tells_what_to_do() -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_password("tiny", email=EMAIL)
    assert refused.value.reason == "password_too_weak"
    assert "at least 12 characters" in refused.value.message


def test_hashes_verify_only_their_password_and_never_for_missing_accounts() -> None:
    passwords = Passwords(PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
    hashed = passwords.hash("correct horse battery")

    assert hashed.startswith("$argon2id$")
    assert passwords.verify(hashed, "correct horse battery")
    assert not passwords.verify(hashed, "Correct horse battery")
    assert not passwords.verify(None, "decoy password that nobody has")
    assert not passwords.verify("not a hash", "correct horse battery")


def test_hashes_made_with_weaker_parameters_are_flagged_for_rehashing() -> None:
    weak = Passwords(PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
    strong = Passwords(PasswordHasher(time_cost=2, memory_cost=128, parallelism=1))
    hashed = weak.hash("correct horse battery")
    assert strong.needs_rehash(hashed)
    assert not weak.needs_rehash(hashed)


class _CountingHasher(PasswordHasher):
    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=64, parallelism=1)
        self.hashed = 0

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        self.hashed += 1
        return super().hash(password, salt=salt)


def test_the_decoy_is_made_at_the_first_check_whether_or_not_the_account_exists() -> None:
    hasher = _CountingHasher()
    passwords = Passwords(hasher)
    assert hasher.hashed == 0  # a service's start makes no argon2id hash
    real = passwords.hash("correct horse battery")
    assert passwords.verify(real, "correct horse battery")  # the first check pays for it
    assert hasher.hashed == 2
    assert not passwords.verify(None, "correct horse battery")
    assert hasher.hashed == 2
