"""Lockout after repeated failed sign-ins, and how it lifts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ses_enrollment.credentials import Credential, LockoutPolicy

NOW = datetime(2025, 6, 2, 14, 0, tzinfo=UTC)
POLICY = LockoutPolicy(threshold=3, duration=timedelta(minutes=15))


def credential() -> Credential:
    return Credential(
        user_id="u-1", email_key="a@b.example", side="agency", organization_id="ag", created_at=NOW
    )


def test_the_threshold_th_failure_locks_for_the_duration() -> None:
    account = credential()
    assert [account.record_failure(NOW, POLICY) for _ in range(3)] == [False, False, True]
    assert account.locked(NOW + timedelta(minutes=14))
    assert account.visible_lock(NOW) == NOW + timedelta(minutes=15)
    assert not account.locked(NOW + timedelta(minutes=15))
    assert account.visible_lock(NOW + timedelta(minutes=15)) is None


def test_a_lapsed_lockout_starts_the_count_again() -> None:
    account = credential()
    for _ in range(3):
        account.record_failure(NOW, POLICY)
    later = NOW + timedelta(minutes=20)
    assert not account.record_failure(later, POLICY)
    assert account.failed_attempts == 1
    assert account.locked_until is None


def test_a_sign_in_or_an_unlock_clears_failures() -> None:
    account = credential()
    account.record_failure(NOW, POLICY)
    account.record_failure(NOW, POLICY)
    account.record_sign_in(NOW, totp_step=42)
    assert (account.failed_attempts, account.last_totp_step, account.last_signed_in_at) == (
        0,
        42,
        NOW,
    )
    for _ in range(3):
        account.record_failure(NOW, POLICY)
    account.unlock()
    assert not account.locked(NOW)


def test_an_account_signs_in_only_once_activated() -> None:
    account = credential()
    assert not account.activated
    account.activate(password_hash="$argon2id$x", totp_secret="S", now=NOW)
    assert account.activated
