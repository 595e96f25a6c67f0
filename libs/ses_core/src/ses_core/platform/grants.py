"""Signed file grants: short-lived tokens that let one user act on one stored file.

The complaints service decides who may see which file (restricted responses: only the
Company POC and the agency) and hands out a ``download`` grant naming the file and the
user; the files service verifies the grant and serves the bytes, so it needs no copy of
complaint permissions. The files service in turn gives the uploader an ``attach`` grant
for each file it completes: proof, checkable by the complaints service without a call,
that this user uploaded this file.

Token: ``<payload>.<mac>``, both base64url without padding (URL- and header-safe). The
payload is canonical JSON (sorted keys, no spaces) of the grant; the MAC is HMAC-SHA256
over the payload's base64url text with a secret both services share
(``settings.files.grant_secret_path``, created on first start by
:func:`load_or_create_grant_secret`). Expiry travels as integer microseconds since the
epoch, so a grant round-trips exactly.

Choices where the spec is silent:

* Every failure is ``PermissionDenied`` (gRPC PERMISSION_DENIED), as the files contract
  says: a forged or altered token (reason ``grant_invalid``), an expired one
  (``grant_expired``: ask for a new link) and one for another file, user or action
  (``grant_mismatch``). Forged and mismatched share their wording, so a probe learns
  nothing about which part was wrong.
* A grant is valid while ``now < expires_at``.
* ``tenant_id`` is the tenant the grant was issued under. Files of one complaint are
  uploaded by the agency and by the company, so the files service does not compare it
  with where a file is stored; it is there for audit logs and for the receiver's checks.
* ``restricted`` (key ``r``, present only when true, so grants issued before it existed
  verify unchanged) says the file belongs to a restricted response: the files service
  puts each download of it on the audit log, under ``tenant_id``.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from ses_core.errors import PermissionDenied

GRANT_SECRET_BYTES = 32
_VERSION = 1
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

INVALID_MESSAGE = "This download link is not valid; open the file from the complaint again."
EXPIRED_MESSAGE = (
    "This download link has expired; open the file from the complaint again to get a new link."
)


class FileGrantAction(StrEnum):
    """What a grant allows. ``download``: read the file's metadata and bytes (issued by
    the complaints service); ``attach``: attach the file to a complaint (issued by the
    files service to the uploader)."""

    DOWNLOAD = "download"
    ATTACH = "attach"


@dataclass(frozen=True)
class FileGrant:
    """Permission for ``user_id`` to do ``action`` on ``file_id`` until ``expires_at``."""

    file_id: str
    action: FileGrantAction
    user_id: str
    tenant_id: str
    expires_at: datetime
    restricted: bool = False

    def __post_init__(self) -> None:
        for name in ("file_id", "user_id", "tenant_id"):
            if not getattr(self, name):
                raise ValueError(f"A file grant needs a non-empty {name}.")
        object.__setattr__(self, "action", FileGrantAction(self.action))
        if self.expires_at.tzinfo is None or self.expires_at.utcoffset() is None:
            raise ValueError("A file grant's expires_at must be timezone-aware (UTC).")

    def require(self, *, file_id: str, user_id: str, action: FileGrantAction) -> None:
        """Refuse unless this grant is for exactly this file, user and action."""
        if (self.file_id, self.user_id, self.action) != (file_id, user_id, action):
            raise PermissionDenied(INVALID_MESSAGE, reason="grant_mismatch")


class GrantSigner:
    """Issues and verifies grant tokens with one shared secret (at least 32 bytes)."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < GRANT_SECRET_BYTES:
            raise ValueError(
                f"A grant secret needs at least {GRANT_SECRET_BYTES} random bytes; got "
                f"{len(secret)}."
            )
        self._secret = bytes(secret)

    def issue(self, grant: FileGrant) -> str:
        payload = _b64encode(_canonical_json(grant))
        return f"{payload}.{_b64encode(self._mac(payload))}"

    def issue_for(
        self,
        *,
        file_id: str,
        action: FileGrantAction,
        user_id: str,
        tenant_id: str,
        now: datetime,
        ttl: timedelta,
        restricted: bool = False,
    ) -> tuple[str, FileGrant]:
        """A token valid for ``ttl`` from ``now``, and the grant it encodes."""
        grant = FileGrant(file_id, action, user_id, tenant_id, now + ttl, restricted)
        return self.issue(grant), grant

    def verify(self, token: str, *, now: datetime) -> FileGrant:
        """The grant ``token`` encodes; ``PermissionDenied`` if forged, altered or expired."""
        if not token.isascii():  # every token this signer issues is base64url
            raise _invalid()
        payload, _, mac = token.partition(".")
        try:
            given = _b64decode(mac)
        except ValueError:
            raise _invalid() from None
        if not payload or not hmac.compare_digest(given, self._mac(payload)):
            raise _invalid()
        grant = _decode_payload(payload)
        if now >= grant.expires_at:
            raise PermissionDenied(EXPIRED_MESSAGE, reason="grant_expired")
        return grant

    def _mac(self, payload: str) -> bytes:
        return hmac.new(self._secret, payload.encode("ascii"), hashlib.sha256).digest()


def load_or_create_grant_secret(path: Path) -> bytes:
    """The shared grant secret at ``path``; 32 random bytes written there (mode 0600) if absent.

    Several processes may start at once on one data directory: the secret is written
    to a private temporary file and linked into place, so a reader never sees half a
    secret and exactly one writer wins.
    """
    try:
        return _read_secret(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(secrets.token_bytes(GRANT_SECRET_BYTES))
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process won: use its secret
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return _read_secret(path)


def _read_secret(path: Path) -> bytes:
    secret = path.read_bytes()
    if len(secret) < GRANT_SECRET_BYTES:
        raise ValueError(
            f"The file-grant secret {path} holds {len(secret)} bytes; it needs at least "
            f"{GRANT_SECRET_BYTES} random bytes (delete it to have a new one created)."
        )
    return secret


def _canonical_json(grant: FileGrant) -> bytes:
    document: dict[str, object] = {
        "a": grant.action.value,
        "e": _micros(grant.expires_at),
        "f": grant.file_id,
        "t": grant.tenant_id,
        "u": grant.user_id,
        "v": _VERSION,
    }
    if grant.restricted:
        document["r"] = True
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _decode_payload(payload: str) -> FileGrant:
    try:
        document: Any = json.loads(_b64decode(payload))
        if not isinstance(document, dict) or document.get("v") != _VERSION:
            raise ValueError("unknown grant version")
        micros, restricted = document["e"], document.get("r", False)
        if not isinstance(micros, int) or not isinstance(restricted, bool):
            raise ValueError("expiry is not an integer, or the restriction not a boolean")
        return FileGrant(
            file_id=str(document["f"]),
            action=FileGrantAction(document["a"]),
            user_id=str(document["u"]),
            tenant_id=str(document["t"]),
            expires_at=_EPOCH + timedelta(microseconds=micros),
            restricted=restricted,
        )
    except (ValueError, KeyError, TypeError, OverflowError):
        # Only reachable with a valid MAC, i.e. a token we signed in another format.
        raise _invalid() from None


def _micros(at: datetime) -> int:
    delta = at.astimezone(UTC) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    if not text.isascii():
        raise ValueError("not base64url")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValueError("not base64url") from error


def _invalid() -> PermissionDenied:
    return PermissionDenied(INVALID_MESSAGE, reason="grant_invalid")


__all__ = [
    "EXPIRED_MESSAGE",
    "GRANT_SECRET_BYTES",
    "INVALID_MESSAGE",
    "FileGrant",
    "FileGrantAction",
    "GrantSigner",
    "load_or_create_grant_secret",
]
