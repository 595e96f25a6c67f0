"""Signed file grants: what the complaints service issues and the files service trusts."""

from __future__ import annotations

import os
import stat
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ses_core.errors import PermissionDenied
from ses_core.platform.grants import (
    EXPIRED_MESSAGE,
    INVALID_MESSAGE,
    FileGrant,
    FileGrantAction,
    GrantSigner,
    load_or_create_grant_secret,
)

NOW = datetime(2026, 11, 27, 15, 30, 12, 345678, tzinfo=UTC)
SECRET = bytes(range(32))


def grant(**changes: object) -> FileGrant:
    values: dict[str, object] = {
        "file_id": "file-1",
        "action": FileGrantAction.DOWNLOAD,
        "user_id": "u-1",
        "tenant_id": "agency-a",
        "expires_at": NOW + timedelta(minutes=5),
    }
    values.update(changes)
    return FileGrant(**values)  # type: ignore[arg-type]


def test_a_grant_survives_the_round_trip_exactly():
    signer = GrantSigner(SECRET)
    original = grant()

    assert signer.verify(signer.issue(original), now=NOW) == original


def test_tokens_are_compact_and_url_safe():
    token = GrantSigner(SECRET).issue(grant())

    assert len(token) < 250
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


def test_the_action_may_be_given_as_its_plain_string():
    signer = GrantSigner(SECRET)

    verified = signer.verify(signer.issue(grant(action="attach")), now=NOW)

    assert verified.action is FileGrantAction.ATTACH


@pytest.mark.parametrize("part", ["payload", "mac"])
def test_an_altered_token_is_refused_as_not_valid(part: str):
    signer = GrantSigner(SECRET)
    payload, mac = signer.issue(grant()).split(".")
    other_payload, _ = signer.issue(grant(file_id="file-2")).split(".")
    altered = f"{other_payload}.{mac}" if part == "payload" else f"{payload}.{mac[:-2]}AA"

    with pytest.raises(PermissionDenied) as refused:
        signer.verify(altered, now=NOW)

    assert refused.value.reason == "grant_invalid"
    assert refused.value.message == INVALID_MESSAGE


def test_a_token_signed_with_another_secret_is_refused():
    forged = GrantSigner(b"x" * 32).issue(grant())

    with pytest.raises(PermissionDenied, match="not valid"):
        GrantSigner(SECRET).verify(forged, now=NOW)


@pytest.mark.parametrize(
    "token", ["", ".", "abc", "abc.def", "é.é", "a" * 5000, "é.AAAA", "0ü", "😀" * 253]
)
def test_garbage_is_refused_as_not_valid(token: str):
    with pytest.raises(PermissionDenied) as refused:
        GrantSigner(SECRET).verify(token, now=NOW)

    assert refused.value.reason == "grant_invalid"


def test_a_grant_is_valid_until_just_before_its_expiry():
    signer = GrantSigner(SECRET)
    token = signer.issue(grant())
    expires_at = NOW + timedelta(minutes=5)

    signer.verify(token, now=expires_at - timedelta(microseconds=1))
    with pytest.raises(PermissionDenied) as refused:
        signer.verify(token, now=expires_at)

    assert refused.value.reason == "grant_expired"
    assert refused.value.message == EXPIRED_MESSAGE
    assert "new link" in refused.value.message


def test_issue_for_computes_the_expiry_from_the_ttl():
    token, issued = GrantSigner(SECRET).issue_for(
        file_id="f",
        action=FileGrantAction.DOWNLOAD,
        user_id="u",
        tenant_id="t",
        now=NOW,
        ttl=timedelta(minutes=5),
    )

    assert issued.expires_at == NOW + timedelta(minutes=5)
    assert GrantSigner(SECRET).verify(token, now=NOW) == issued


@pytest.mark.parametrize(
    "other",
    [
        {"file_id": "file-2"},
        {"user_id": "u-2"},
        {"action": FileGrantAction.ATTACH},
    ],
)
def test_require_refuses_a_grant_for_another_file_user_or_action(other: dict[str, str]):
    wanted = {"file_id": "file-1", "user_id": "u-1", "action": FileGrantAction.DOWNLOAD}
    wanted.update(other)

    with pytest.raises(PermissionDenied) as refused:
        grant().require(**wanted)  # type: ignore[arg-type]

    assert refused.value.reason == "grant_mismatch"


def test_grants_need_ids_and_an_aware_expiry():
    with pytest.raises(ValueError, match="file_id"):
        grant(file_id="")
    with pytest.raises(ValueError, match="timezone-aware"):
        grant(expires_at=datetime(2026, 1, 1))


def test_a_short_secret_is_refused():
    with pytest.raises(ValueError, match="at least 32"):
        GrantSigner(b"short")


def test_the_secret_is_created_once_private_and_then_reused(tmp_path: Path):
    path = tmp_path / "identity" / "file-grants.key"

    first = load_or_create_grant_secret(path)
    second = load_or_create_grant_secret(path)

    assert first == second
    assert len(first) == 32
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["file-grants.key"]


def test_processes_starting_together_agree_on_one_secret(tmp_path: Path):
    path = tmp_path / "file-grants.key"
    secrets: list[bytes] = []
    start = threading.Barrier(8)

    def load() -> None:
        start.wait()
        secrets.append(load_or_create_grant_secret(path))

    threads = [threading.Thread(target=load) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(set(secrets)) == 1


def test_a_truncated_secret_file_is_reported_with_the_fix(tmp_path: Path):
    path = tmp_path / "file-grants.key"
    path.write_bytes(b"tiny")

    with pytest.raises(ValueError, match="delete it"):
        load_or_create_grant_secret(path)
