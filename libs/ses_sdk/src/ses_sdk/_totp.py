"""Time-based one-time passwords (RFC 6238) from a base32 secret, with the standard library.

SES authenticators are the common kind: HMAC-SHA1, six digits, 30-second steps from the
Unix epoch, the secret in base32 as activation returns it (``totp_secret``). Each code is
accepted once: signing in twice within one step needs the next step's code.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct
from datetime import datetime

STEP_SECONDS = 30
DIGITS = 6


def totp_code(secret: str, at: datetime) -> str:
    """The six-digit code an authenticator shows for ``secret`` at ``at`` (timezone-aware)."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"Give a timezone-aware time, not the naive {at.isoformat()}.")
    counter = int(at.timestamp()) // STEP_SECONDS
    digest = hmac.new(_key(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**DIGITS).zfill(DIGITS)


def _key(secret: str) -> bytes:
    cleaned = "".join(secret.split()).upper()
    try:
        key = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except binascii.Error:
        key = b""
    if not key:
        raise ValueError(
            "A TOTP secret is the base32 text activation returned (totp_secret), "
            "e.g. JBSWY3DPEHPK3PXP."
        )
    return key
