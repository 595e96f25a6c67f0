"""Anchoring: signing each chain's head now and then (``signatures`` says how).

``sign_checkpoints`` signs the head of every chain that moved since its last checkpoint,
each in a transaction of its own. A chain that does not verify is not signed (signing
would bless the tampering): the failure is logged, and ``ses audit verify`` says what is
wrong. Checkpoints signed with keys the ring no longer holds (it keeps one previous key)
are still compared with the chain, as unsigned claims: otherwise two rotations would
stop all signing. It runs every ``SES_ENROLLMENT__AUDIT_CHECKPOINT_INTERVAL`` (an hour by default)
in the running service (``checkpoint_loop``) and on demand with ``ses audit
checkpoint``. Several replicas may sign at once: a head signed twice is kept once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from ses_core.audit import Checkpoint
from ses_core.platform.identity import Jwk
from ses_core.ports import Clock
from ses_enrollment.audit import store
from ses_enrollment.audit.signatures import CheckpointSigner
from ses_enrollment.audit.verification import verify_stored_chain

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Signed:
    """A checkpoint made: the chain and the sequence number of its head."""

    chain: str
    sequence: int


def sign_checkpoints(
    sessions: sessionmaker[Session],
    signer: CheckpointSigner,
    clock: Clock,
    keys: Mapping[str, Jwk],
) -> list[Signed]:
    """Sign the head of every chain that moved since its last checkpoint."""
    with sessions.begin() as session:
        done = store.last_checkpointed(session)
        moved = [head for head in store.heads(session) if head.sequence > done.get(head.chain, 0)]
    signed: list[Signed] = []
    for head in moved:
        with sessions.begin() as session:
            findings = verify_stored_chain(session, head.chain, keys, unknown_keys_as_claims=True)
            if findings:
                _log.error(
                    "Audit chain %s does not verify (%d problem(s), the first: %s); its head "
                    "is not signed. Run `ses audit verify`.",
                    head.chain,
                    len(findings),
                    findings[0],
                )
                continue
            checkpoint = Checkpoint(head.chain, head.sequence, head.hash, clock.now())
            if store.add_checkpoint(session, signer.sign(checkpoint)):
                signed.append(Signed(head.chain, head.sequence))
    return signed


def checkpoint_loop(
    sessions: sessionmaker[Session],
    signer: CheckpointSigner,
    clock: Clock,
    keys: Mapping[str, Jwk],
    interval_seconds: float,
) -> Callable[[], Awaitable[None]]:
    """The service's background loop: ``sign_checkpoints`` every ``interval_seconds``."""

    async def loop() -> None:
        while True:
            await asyncio.sleep(interval_seconds)
            try:
                signed = await asyncio.to_thread(sign_checkpoints, sessions, signer, clock, keys)
                if signed:
                    _log.info("signed audit checkpoints of %d chain(s)", len(signed))
            except Exception:  # the next round tries again; the service keeps serving
                _log.exception("Signing audit checkpoints failed")

    return loop
