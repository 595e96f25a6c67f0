"""Webhook signatures as the Standard Webhooks specification defines them.

Every POST of the notify service carries three headers:

* ``webhook-id``: the delivery id, the same on every retry of one delivery (drop ids
  you have seen: a crash between the POST and its record repeats a delivery);
* ``webhook-timestamp``: when this attempt was signed, in integer Unix seconds;
* ``webhook-signature``: ``v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">``, once
  per signing secret of the endpoint, space-separated (two while a secret is rotated).

Secrets are ``whsec_`` followed by the base64 of the HMAC key, so the specification's
libraries for any language verify these deliveries as they are. In Python::

    from ses_sdk import verify_webhook

    payload = verify_webhook(request.headers, request.body, ["whsec_..."])

This module imports nothing but the standard library and the SDK's errors: receivers
need no server code, and the notify service signs with the same
:func:`webhook_signature` that :func:`verify_webhook` checks against.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets as random_bytes
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from ses_sdk._errors import InvalidArgument, Unauthenticated

WEBHOOK_ID_HEADER = "webhook-id"
WEBHOOK_TIMESTAMP_HEADER = "webhook-timestamp"
WEBHOOK_SIGNATURE_HEADER = "webhook-signature"
SECRET_PREFIX = "whsec_"
SIGNATURE_VERSION = "v1"
DEFAULT_TOLERANCE = timedelta(minutes=5)
# The specification asks for keys of 24 to 64 bytes.
SECRET_BYTES = 32


class WebhookVerificationFailed(Unauthenticated):
    """A delivery is not authentic, or too old or too new to trust: answer it with 401.

    ``reason`` says which: ``webhook_headers_missing``, ``webhook_timestamp_invalid``,
    ``webhook_timestamp_too_old``, ``webhook_timestamp_too_new``,
    ``webhook_signature_mismatch``.
    """


def new_webhook_secret() -> str:
    """A fresh signing secret, ``whsec_`` + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(random_bytes.token_bytes(SECRET_BYTES)).decode()


def webhook_signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """One ``webhook-signature`` entry: ``v1,`` + base64 HMAC-SHA256 of ``id.timestamp.body``."""
    digest = _digest(_key(secret), message_id, str(timestamp), body)
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode()}"


def _digest(key: bytes, message_id: str, timestamp: str, body: bytes) -> bytes:
    # The one computation behind signing and verifying.
    signed = f"{message_id}.{timestamp}.".encode() + body
    return hmac.new(key, signed, hashlib.sha256).digest()


def sign_webhook(
    secrets: Sequence[str], message_id: str, at: datetime, body: bytes
) -> dict[str, str]:
    """The three Standard Webhooks headers for ``body``, signed under every secret."""
    if not secrets:
        raise ValueError("Sign with at least one secret.")
    timestamp = int(_aware(at).timestamp())
    return {
        WEBHOOK_ID_HEADER: message_id,
        WEBHOOK_TIMESTAMP_HEADER: str(timestamp),
        WEBHOOK_SIGNATURE_HEADER: " ".join(
            webhook_signature(secret, message_id, timestamp, body) for secret in secrets
        ),
    }


def verify_webhook(
    headers: Mapping[str, str],
    body: bytes,
    secrets: str | Sequence[str],
    *,
    tolerance: timedelta = DEFAULT_TOLERANCE,
    now: datetime | None = None,
) -> Any:
    """The delivery's JSON payload, once ``body`` proved signed by one of ``secrets``.

    ``headers`` are the request's headers (names in any case); ``body`` its exact bytes,
    before any parsing; ``secrets`` the endpoint's secret, or several while one is being
    rotated. A delivery whose ``webhook-timestamp`` is further than ``tolerance`` from
    ``now`` (default: the system clock) is refused, so a captured delivery cannot be
    replayed later. Raises :class:`WebhookVerificationFailed`, or ``InvalidArgument``
    (reason ``webhook_secret_invalid``) for a secret that is not ``whsec_<base64>``.
    """
    keys = [_key(secret) for secret in ([secrets] if isinstance(secrets, str) else secrets)]
    if not keys:
        raise ValueError("Give at least one secret to verify with.")
    found = {name.lower(): value for name, value in headers.items()}
    message_id = found.get(WEBHOOK_ID_HEADER, "")
    timestamp_text = found.get(WEBHOOK_TIMESTAMP_HEADER, "").strip()
    signatures = found.get(WEBHOOK_SIGNATURE_HEADER, "")
    if not (message_id and timestamp_text and signatures):
        raise WebhookVerificationFailed(
            "The request lacks the webhook-id, webhook-timestamp or webhook-signature "
            "header: it was not sent by SES.",
            reason="webhook_headers_missing",
        )
    _check_timestamp(timestamp_text, _aware(now or datetime.now(UTC)), tolerance)
    presented = _presented_digests(signatures)
    for key in keys:
        expected = _digest(key, message_id, timestamp_text, body)
        if any(hmac.compare_digest(expected, digest) for digest in presented):
            return json.loads(body)
    raise WebhookVerificationFailed(
        "No webhook-signature matches the body under the secrets given: the body was "
        "altered, or the endpoint's secret is another one.",
        reason="webhook_signature_mismatch",
    )


def _check_timestamp(text: str, now: datetime, tolerance: timedelta) -> None:
    # Eleven digits reach the year 5138: anything longer is not a timestamp.
    if not (text.isascii() and text.isdigit() and len(text) <= 11):
        raise WebhookVerificationFailed(
            f"webhook-timestamp {text[:20]!r} is not a Unix time in seconds.",
            reason="webhook_timestamp_invalid",
        )
    sent = datetime.fromtimestamp(int(text), UTC)
    if sent < now - tolerance:
        raise WebhookVerificationFailed(
            f"The delivery was signed at {sent.isoformat()}, more than {tolerance} ago: "
            "refused as a possible replay.",
            reason="webhook_timestamp_too_old",
        )
    if sent > now + tolerance:
        raise WebhookVerificationFailed(
            f"The delivery claims to be signed at {sent.isoformat()}, more than {tolerance} "
            "ahead of this machine's clock: check both clocks.",
            reason="webhook_timestamp_too_new",
        )


def _presented_digests(header: str) -> list[bytes]:
    digests = []
    for entry in header.split():
        version, _, encoded = entry.partition(",")
        if version != SIGNATURE_VERSION:
            continue  # another scheme (v1a is asymmetric): not ours to check
        try:
            digests.append(base64.b64decode(encoded, validate=True))
        except binascii.Error:
            continue
    return digests


def _key(secret: str) -> bytes:
    encoded = secret.strip().removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except binascii.Error:
        key = b""
    if not key:
        raise InvalidArgument(
            "A webhook signing secret is whsec_ followed by base64, as CreateWebhookEndpoint "
            "and CreateWebhookSigningSecret return it.",
            reason="webhook_secret_invalid",
        )
    return key


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"Give a timezone-aware datetime, not the naive {at.isoformat()}.")
    return at
