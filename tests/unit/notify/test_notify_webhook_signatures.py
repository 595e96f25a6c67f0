"""Webhook signatures as Standard Webhooks defines them, checked against its reference
library (``standardwebhooks``) and the specification's published example."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from standardwebhooks.webhooks import Webhook

from ses_sdk import (
    WEBHOOK_SIGNATURE_HEADER,
    InvalidArgument,
    WebhookVerificationFailed,
    new_webhook_secret,
    sign_webhook,
    verify_webhook,
)
from ses_sdk._webhooks import webhook_signature

AT = datetime(2031, 3, 3, 14, 0, tzinfo=UTC)
BODY = b'{"delivery_id":"d-1","topic":"response_submitted"}'


def test_the_specifications_example_signs_to_its_published_signature() -> None:
    # The example of the Standard Webhooks specification and its libraries' tests.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    signature = webhook_signature(
        secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}'
    )
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_the_reference_library_computes_the_same_signature_for_our_secrets() -> None:
    secret = new_webhook_secret()
    headers = sign_webhook([secret], "d-1", AT, BODY)
    reference = Webhook(secret).sign("d-1", AT, BODY.decode())
    assert headers == {
        "webhook-id": "d-1",
        "webhook-timestamp": str(int(AT.timestamp())),
        "webhook-signature": reference,
    }


def test_secrets_are_whsec_and_32_random_bytes() -> None:
    first, second = new_webhook_secret(), new_webhook_secret()
    assert first.startswith("whsec_")
    assert first != second
    assert len(base64.b64decode(first.removeprefix("whsec_"))) == 32


def test_a_signed_delivery_verifies_and_yields_its_payload() -> None:
    secret = new_webhook_secret()
    headers = sign_webhook([secret], "d-1", AT, BODY)
    assert verify_webhook(headers, BODY, secret, now=AT) == json.loads(BODY)
    # Header names in any case, as HTTP servers hand them over.
    upper = {name.title(): value for name, value in headers.items()}
    assert verify_webhook(upper, BODY, [secret], now=AT + timedelta(minutes=4))


def test_during_a_rotation_each_secret_verifies_on_its_own() -> None:
    old, new = new_webhook_secret(), new_webhook_secret()
    headers = sign_webhook([old, new], "d-1", AT, BODY)
    entries = headers[WEBHOOK_SIGNATURE_HEADER].split(" ")
    assert entries == [Webhook(secret).sign("d-1", AT, BODY.decode()) for secret in (old, new)]
    for secret in (old, new):
        assert verify_webhook(headers, BODY, [secret], now=AT)
    assert verify_webhook(headers, BODY, [new_webhook_secret(), new], now=AT)


@pytest.mark.parametrize(
    ("offset", "reason"),
    [
        (timedelta(minutes=5, seconds=1), "webhook_timestamp_too_old"),
        (timedelta(days=-1), "webhook_timestamp_too_new"),
    ],
)
def test_a_replay_outside_the_tolerance_is_refused(offset: timedelta, reason: str) -> None:
    secret = new_webhook_secret()
    headers = sign_webhook([secret], "d-1", AT, BODY)
    with pytest.raises(WebhookVerificationFailed) as refused:
        verify_webhook(headers, BODY, secret, now=AT + offset)
    assert refused.value.reason == reason
    assert refused.value.code is grpc.StatusCode.UNAUTHENTICATED
    # The edge of the tolerance is still inside it, and the tolerance is the caller's.
    assert verify_webhook(headers, BODY, secret, now=AT + timedelta(minutes=5))
    assert verify_webhook(headers, BODY, secret, now=AT + offset, tolerance=timedelta(days=2))


def test_an_altered_body_or_another_secret_does_not_verify() -> None:
    secret = new_webhook_secret()
    headers = sign_webhook([secret], "d-1", AT, BODY)
    for body, secrets in ((BODY + b" ", secret), (BODY, new_webhook_secret())):
        with pytest.raises(WebhookVerificationFailed) as refused:
            verify_webhook(headers, body, secrets, now=AT)
        assert refused.value.reason == "webhook_signature_mismatch"
    replaced_id = {**headers, "webhook-id": "d-2"}
    with pytest.raises(WebhookVerificationFailed):
        verify_webhook(replaced_id, BODY, secret, now=AT)


def test_missing_or_malformed_headers_are_refused_by_name() -> None:
    secret = new_webhook_secret()
    headers = sign_webhook([secret], "d-1", AT, BODY)
    for missing in headers:
        partial = {name: value for name, value in headers.items() if name != missing}
        with pytest.raises(WebhookVerificationFailed) as refused:
            verify_webhook(partial, BODY, secret, now=AT)
        assert refused.value.reason == "webhook_headers_missing"
    for timestamp in ("1.5e9", "-1", "99999999999999"):
        with pytest.raises(WebhookVerificationFailed) as refused:
            verify_webhook({**headers, "webhook-timestamp": timestamp}, BODY, secret, now=AT)
        assert refused.value.reason == "webhook_timestamp_invalid"
    # Entries of other versions and undecodable ones are skipped, not fatal.
    noisy = f"v1a,abc v1,@@@ {headers['webhook-signature']}"
    assert verify_webhook({**headers, "webhook-signature": noisy}, BODY, secret, now=AT)


def test_a_secret_that_is_not_whsec_base64_is_a_usage_error() -> None:
    with pytest.raises(InvalidArgument) as refused:
        verify_webhook({}, BODY, "whsec_!!!", now=AT)
    assert refused.value.reason == "webhook_secret_invalid"
    secret = new_webhook_secret()
    headers = sign_webhook([secret], "d-1", AT, BODY)
    with pytest.raises(ValueError, match="naive"):
        verify_webhook(headers, BODY, secret, now=datetime(2031, 3, 3))
