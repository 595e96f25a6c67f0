"""Webhook signatures: HMAC-SHA256 over the exact body bytes."""

from __future__ import annotations

import hashlib
import hmac

from ses_core.notifications import sign_body, signature_matches


def test_the_signature_is_hmac_sha256_of_the_body_in_hex() -> None:
    body = b'{"topic":"response_submitted"}'
    expected = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert sign_body("s3cret", body) == f"sha256={expected}"


def test_only_the_same_body_and_secret_match() -> None:
    body = b'{"a":1}'
    signature = sign_body("key", body)
    assert signature_matches("key", body, signature)
    assert signature_matches("key", body, f" {signature} ")
    assert not signature_matches("key", b'{"a":2}', signature)
    assert not signature_matches("other", body, signature)
