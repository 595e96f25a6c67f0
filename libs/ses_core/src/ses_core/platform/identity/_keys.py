"""Signing keys and the key ring that makes rotation safe.

Choices:

* ES256 (ECDSA on P-256): small signatures, supported by every JWT library
  and every OIDC relying party we expect to meet.
* The key id (``kid``) is the RFC 7638 JWK thumbprint of the public key, so it
  is derived, never configured, and two processes holding the same key agree
  on its id.
* A ring holds the *current* key (signs) and at most one *previous* key
  (still verifies). Rotating makes a new current key and demotes the old one;
  the key before that is dropped and tokens it signed are rejected from then
  on. Access tokens live minutes, so rotating no more often than the access
  token lifetime never rejects a token that is still in date.
* The ring is saved as JSON with mode 0600, written to a temporary file and
  renamed into place so a reader never sees half a file.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

SIGNING_ALGORITHM = "ES256"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def jwk_thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 thumbprint of an EC public JWK: the required members, sorted, no spaces."""
    canonical = {name: jwk[name] for name in ("crv", "kty", "x", "y")}
    digest = hashlib.sha256(json.dumps(canonical, separators=(",", ":")).encode()).digest()
    return _b64url(digest)


@dataclass(frozen=True)
class SigningKey:
    """A private ES256 key and its derived key id."""

    private_key: ec.EllipticCurvePrivateKey

    def __post_init__(self) -> None:
        if not isinstance(self.private_key.curve, ec.SECP256R1):
            raise ValueError(
                f"ES256 needs a P-256 key; this one is on {self.private_key.curve.name}."
            )

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(ec.generate_private_key(ec.SECP256R1()))

    @classmethod
    def from_pem(cls, pem: str | bytes) -> SigningKey:
        data = pem.encode() if isinstance(pem, str) else pem
        key = serialization.load_pem_private_key(data, password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError("The signing key must be an EC (P-256) private key in PEM form.")
        return cls(key)

    def to_pem(self) -> str:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii")

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = ECAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        jwk = {name: jwk[name] for name in ("kty", "crv", "x", "y")}
        return {**jwk, "kid": jwk_thumbprint(jwk), "use": "sig", "alg": SIGNING_ALGORITHM}

    @property
    def kid(self) -> str:
        kid: str = self.public_jwk()["kid"]
        return kid


@dataclass(frozen=True)
class KeyRing:
    """The current signing key and, during a rotation, the previous one."""

    current: SigningKey
    previous: SigningKey | None = None

    @classmethod
    def generate(cls) -> KeyRing:
        return cls(SigningKey.generate())

    def rotate(self, new_key: SigningKey | None = None) -> KeyRing:
        """A ring signing with ``new_key`` (a fresh one by default) that still verifies the
        current key's tokens; the previous key is dropped."""
        return KeyRing(new_key or SigningKey.generate(), previous=self.current)

    def retire_previous(self) -> KeyRing:
        return KeyRing(self.current)

    @property
    def keys(self) -> tuple[SigningKey, ...]:
        return (self.current,) if self.previous is None else (self.current, self.previous)

    def jwks(self) -> dict[str, Any]:
        """The public keys as a JWKS document, current key first."""
        return {"keys": [key.public_jwk() for key in self.keys]}

    def save(self, path: Path) -> None:
        document = {
            "current": self.current.to_pem(),
            "previous": self.previous.to_pem() if self.previous else None,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(document, handle, indent=2)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path) -> KeyRing:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            previous = document.get("previous")
            return cls(
                SigningKey.from_pem(document["current"]),
                SigningKey.from_pem(previous) if previous else None,
            )
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ValueError(
                f"Cannot read the signing key ring at {path}: {error}. Restore the file from "
                "backup, or move it away to start with a new key (signed-in users sign in again)."
            ) from error

    @classmethod
    def load_or_create(cls, path: Path) -> KeyRing:
        """The ring saved at ``path``; a new one is generated and saved on first start."""
        if path.exists():
            return cls.load(path)
        ring = cls.generate()
        ring.save(path)
        return ring
