"""Signing webhook bodies: HMAC-SHA256 over the exact bytes of the body.

The notify service sends ``X-SES-Signature: sha256=<hex digest>``; an integrator
recomputes it with the secret it was given and compares in constant time
(:func:`signature_matches`). The body carries the delivery id, so a receiver can
also drop a redelivered notification.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-SES-Signature"
DELIVERY_HEADER = "X-SES-Delivery"
TOPIC_HEADER = "X-SES-Topic"
_SCHEME = "sha256="


def sign_body(secret: str, body: bytes) -> str:
    """The ``X-SES-Signature`` value for ``body``."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return _SCHEME + digest


def signature_matches(secret: str, body: bytes, signature: str) -> bool:
    """Whether ``signature`` is the signature of ``body`` under ``secret``."""
    return hmac.compare_digest(sign_body(secret, body), signature.strip())
