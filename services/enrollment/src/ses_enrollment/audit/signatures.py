"""Checkpoint signatures: a JWS over a chain's head, made and checked with the key ring.

A checkpoint is a compact JWS (ES256) over ``{"chain", "sequence", "head_hash",
"signed_at"}`` (``ses_core.audit.Checkpoint.claims``), with ``kid`` (the signing key's
id) and ``typ: "ses-audit-checkpoint"`` in its header, signed with the current key of the
identity key ring (``SES_IDENTITY__SIGNING_KEY_PATH``), the ring whose public keys
``AuthService.GetJwks`` publishes. Anyone holding that JWKS checks one with any JWT
library, without SES.

Trusted keys (``trusted_keys``): the ring's current and previous key, plus any JWKS a
person gives ``ses audit verify --jwks``. The ring keeps one previous key only: keep the
JWKS of every key it held, or checkpoints signed by a dropped key are reported as signed
by an untrusted key. With an external OIDC issuer the ring is created anyway, for the
checkpoints alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jwt

from ses_core.audit import Checkpoint, SignedCheckpoint
from ses_core.platform.identity import SIGNING_ALGORITHM, Jwk, KeyRing, signing_keys
from ses_enrollment.audit.store import StoredCheckpoint

CHECKPOINT_TYPE = "ses-audit-checkpoint"


class CheckpointSigner:
    """Signs checkpoints with the ring's current key."""

    def __init__(self, ring: KeyRing) -> None:
        self._ring = ring

    def sign(self, checkpoint: Checkpoint) -> StoredCheckpoint:
        key = self._ring.current
        signature = jwt.encode(
            checkpoint.claims(),
            key.private_key,
            algorithm=SIGNING_ALGORITHM,
            headers={"kid": key.kid, "typ": CHECKPOINT_TYPE},
        )
        return StoredCheckpoint(checkpoint, key.kid, signature)


def trusted_keys(*jwks_documents: Mapping[str, Any]) -> dict[str, Jwk]:
    """The public keys of these JWKS documents (a ring's ``jwks()``, archived ones) by id."""
    keys: dict[str, Jwk] = {}
    for document in jwks_documents:
        keys.update(signing_keys(document))
    return keys


def signature_problem(stored: StoredCheckpoint, keys: Mapping[str, Jwk]) -> str | None:
    """None when the JWS is a valid signature, by a trusted key, of what the row says."""
    kid = key_id_of(stored)
    if kid is None:
        return "its signature is not a JWS (forged or altered)"
    jwk = keys.get(kid)
    if jwk is None:
        return f"it is signed with key {kid!r}, which is not trusted (give its JWKS to --jwks)"
    try:
        claims = jwt.decode(
            stored.signature,
            jwt.PyJWK(dict(jwk), algorithm=SIGNING_ALGORITHM),
            algorithms=[SIGNING_ALGORITHM],
        )
    except (jwt.InvalidTokenError, jwt.PyJWKError):
        return "its signature does not verify (forged or altered)"
    if claims != stored.checkpoint.claims():
        return "the signed values differ from the stored ones (altered)"
    return None


def key_id_of(stored: StoredCheckpoint) -> str | None:
    """The ``kid`` the checkpoint's JWS header names (None when it is not a JWS)."""
    try:
        return str(jwt.get_unverified_header(stored.signature).get("kid", ""))
    except jwt.InvalidTokenError:
        return None


def checked(
    stored: StoredCheckpoint, keys: Mapping[str, Jwk], *, unknown_keys_as_claims: bool = False
) -> SignedCheckpoint:
    """The checkpoint with the result of checking its signature.

    ``unknown_keys_as_claims``: a checkpoint signed with a key outside ``keys`` is taken
    as an unsigned claim about the chain (still compared with it) instead of a problem.
    The signer of new checkpoints wants that: its ring forgets keys as it rotates, and an
    old checkpoint it can no longer check says nothing against the chain's integrity.
    """
    if unknown_keys_as_claims and key_id_of(stored) not in keys:
        return SignedCheckpoint(stored.checkpoint)
    return SignedCheckpoint(stored.checkpoint, signature_problem(stored, keys))
