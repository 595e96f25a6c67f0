"""Verifying the stored log: every chain recomputed, every checkpoint checked.

``verify_log`` is what ``ses audit verify`` and the checkpoint signer run: for each chain
(every one with entries, a head record or a checkpoint), its entries in order, its
checkpoints with their signatures checked against the trusted keys, and its head record
go through ``ses_core.audit.verify_chain``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from ses_core.audit import Finding, verify_chain
from ses_core.platform.identity import Jwk
from ses_enrollment.audit import store
from ses_enrollment.audit.signatures import checked


@dataclass
class Verification:
    """What was checked, and what is wrong (nothing when ``findings`` is empty)."""

    chains: int = 0
    entries: int = 0
    checkpoints: int = 0
    findings: list[Finding] = field(default_factory=list)


def verify_stored_chain(
    session: Session,
    chain: str,
    keys: Mapping[str, Jwk],
    into: Verification | None = None,
    *,
    unknown_keys_as_claims: bool = False,
) -> list[Finding]:
    """``chain``'s problems (``signatures.checked`` says what ``unknown_keys_as_claims``
    changes)."""
    entries = store.chain_entries(session, chain)
    checkpoints = [
        checked(stored, keys, unknown_keys_as_claims=unknown_keys_as_claims)
        for stored in store.checkpoints_of(session, chain)
    ]
    findings = verify_chain(chain, entries, checkpoints, store.head_of(session, chain))
    if into is not None:
        into.chains += 1
        into.entries += len(entries)
        into.checkpoints += len(checkpoints)
        into.findings += findings
    return findings


def verify_log(
    session: Session, keys: Mapping[str, Jwk], chains: Sequence[str] | None = None
) -> Verification:
    """Verify ``chains`` (every chain of the log when None)."""
    result = Verification()
    for chain in store.chains(session) if chains is None else chains:
        verify_stored_chain(session, chain, keys, into=result)
    return result
