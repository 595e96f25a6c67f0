"""Verifying a chain: which entry was modified, removed, inserted or reordered.

``verify_chain`` walks a chain's entries in the order of their sequence numbers and
reports each problem once, naming the sequence numbers involved:

- **modified**: an entry whose content no longer hashes to its stored hash;
- **altered and re-hashed**: an entry whose successor is chained to another hash;
- **removed**: a gap in the sequence numbers, or a link to an entry that is gone;
- **inserted**: an entry no successor is chained to, the next one being chained to the
  entry before it;
- **reordered**: two entries whose sequence numbers were swapped (each is chained where
  the other stands);
- **renumbered**: entries whose content hashes under a neighbouring number (what is left
  of a removal or insertion that renumbered the rest), reported as one run;
- **truncated**: a signed checkpoint naming an entry the chain no longer has, or the
  chain's head record naming more entries than are left.

Checkpoints (``SignedCheckpoint``) bind a sequence number to a hash under a signature
the caller has already checked (``signature_problem`` says what failed, if anything): a
chain rewritten consistently from some entry on (every hash recomputed) still differs
from the checkpoint after it, and a chain cut short still lacks the entry a checkpoint
names. Entries after the last checkpoint are only as safe as the head record, which a
person with write access to the database can change too: sign checkpoints often.

One pass, entries held in memory: a chain of a million entries takes a few hundred MB.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ses_core.audit._chain import GENESIS_HASH, AuditEntry, ChainHead, canonical_time


@dataclass(frozen=True)
class Finding:
    """One problem: the chain, the first sequence number it concerns, and what is wrong."""

    chain: str
    sequence: int | None
    problem: str

    def __str__(self) -> str:
        where = f"entry {self.sequence}" if self.sequence is not None else "chain"
        return f"{self.chain}: {where}: {self.problem}"


@dataclass(frozen=True)
class Checkpoint:
    """A chain's head at one moment, as signed."""

    chain: str
    sequence: int
    head_hash: str
    signed_at: datetime

    def claims(self) -> dict[str, object]:
        """The signed payload (JWS claims) of this checkpoint."""
        return {
            "chain": self.chain,
            "sequence": self.sequence,
            "head_hash": self.head_hash,
            "signed_at": canonical_time(self.signed_at),
        }


@dataclass(frozen=True)
class SignedCheckpoint:
    """A stored checkpoint and the result of checking its signature (None: valid)."""

    checkpoint: Checkpoint
    signature_problem: str | None = None


def verify_chain(
    chain: str,
    entries: Sequence[AuditEntry],
    checkpoints: Sequence[SignedCheckpoint] = (),
    head: ChainHead | None = None,
) -> list[Finding]:
    """Every problem of ``chain`` (empty when it is intact). ``head`` is the chain's head
    record, when the store keeps one."""
    walk = _Walk(chain, sorted(entries, key=lambda entry: entry.sequence))
    walk.run()
    findings = walk.findings
    findings += _check_checkpoints(chain, walk, checkpoints)
    if head is not None:
        findings += _check_head(chain, walk, head)
    return findings


@dataclass
class _Walk:
    chain: str
    entries: list[AuditEntry]
    findings: list[Finding] = field(default_factory=list)
    _renumbered: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.position_of = {entry.hash: index for index, entry in enumerate(self.entries)}
        self.successors: dict[str, list[int]] = {}
        for index, entry in enumerate(self.entries):
            self.successors.setdefault(entry.previous_hash, []).append(index)
        self.by_sequence: dict[int, AuditEntry] = {}

    @property
    def last_sequence(self) -> int:
        return self.entries[-1].sequence if self.entries else 0

    def report(self, sequence: int | None, problem: str) -> None:
        self.findings.append(Finding(self.chain, sequence, problem))

    def run(self) -> None:
        previous_hash, expected, swapped = GENESIS_HASH, 1, set[int]()
        for index in range(len(self.entries)):
            entry = self.entries[index]
            gap = False
            if index not in swapped:
                if entry.sequence > expected:
                    self._flush_renumbered()
                    self._missing(expected, entry.sequence - 1)
                    expected, gap = entry.sequence, True
                elif entry.sequence < expected:
                    self.report(entry.sequence, "its sequence number repeats an earlier one")
            if entry.previous_hash != previous_hash and not gap and index not in swapped:
                partner = self._swap_partner(index, previous_hash, expected)
                if partner is not None:
                    self._flush_renumbered()
                    other = self.entries[partner]
                    self.report(
                        expected,
                        f"entries {expected} and {other.sequence} were swapped (reordered): "
                        f"each is chained where the other stands",
                    )
                    self.entries[index], self.entries[partner] = other, entry
                    swapped |= {index, partner}
                    entry = other
                else:
                    self._flush_renumbered()
                    self._broken_link(index, entry, expected)
            if not entry.hash_is_valid(sequence=expected):
                if any(entry.hash_is_valid(sequence=expected + d) for d in (1, -1)):
                    self._renumbered.append(expected)
                else:
                    self._flush_renumbered()
                    self.report(expected, "modified: its content no longer matches its hash")
            else:
                self._flush_renumbered()
            self.by_sequence[expected] = entry
            previous_hash, expected = entry.hash, expected + 1
        self._flush_renumbered()

    def _swap_partner(self, index: int, previous_hash: str, expected: int) -> int | None:
        """The later entry chained where ``index`` stands, if putting it there fits."""
        for partner in self.successors.get(previous_hash, []):
            if partner > index and self.entries[partner].hash_is_valid(sequence=expected):
                return partner
        return None

    def _broken_link(self, index: int, entry: AuditEntry, expected: int) -> None:
        before = self.position_of.get(entry.previous_hash)
        if before is not None and before < index - 1:
            first, last = self.entries[before + 1].sequence, self.entries[index - 1].sequence
            what = f"entry {first} was" if first == last else f"entries {first}-{last} were"
            self.report(
                first,
                f"{what} inserted: the entry after it is chained to entry "
                f"{self.entries[before].sequence}",
            )
        elif index == 0:
            self.report(expected, "the chain's first entry is chained to another entry")
        else:
            self.report(
                expected,
                f"not chained to entry {expected - 1}: entry {expected - 1} was altered and "
                f"re-hashed, or an entry between them was removed",
            )

    def _missing(self, first: int, last: int) -> None:
        what = f"entry {first} is" if first == last else f"entries {first}-{last} are"
        self.report(first, f"{what} missing (removed)")

    def _flush_renumbered(self) -> None:
        if not self._renumbered:
            return
        first, last = self._renumbered[0], self._renumbered[-1]
        what = f"entry {first}" if first == last else f"entries {first}-{last}"
        self.report(
            first,
            f"{what} carry another sequence number than the one hashed (renumbered after "
            "an entry was removed or inserted)",
        )
        self._renumbered.clear()


def _check_checkpoints(
    chain: str, walk: _Walk, checkpoints: Sequence[SignedCheckpoint]
) -> list[Finding]:
    findings: list[Finding] = []
    for signed in sorted(checkpoints, key=lambda c: c.checkpoint.sequence):
        checkpoint = signed.checkpoint
        when = canonical_time(checkpoint.signed_at)
        if signed.signature_problem is not None:
            findings.append(
                Finding(
                    chain,
                    checkpoint.sequence,
                    f"the checkpoint signed at {when} does not verify: {signed.signature_problem}",
                )
            )
            continue
        entry = walk.by_sequence.get(checkpoint.sequence)
        if entry is None and checkpoint.sequence > walk.last_sequence:
            findings.append(
                Finding(
                    chain,
                    walk.last_sequence + 1,
                    f"entries {walk.last_sequence + 1}-{checkpoint.sequence} and any after "
                    f"them are missing (truncated): the checkpoint signed at {when} covers "
                    f"{checkpoint.sequence} entries",
                )
            )
        elif entry is None:
            findings.append(
                Finding(
                    chain,
                    checkpoint.sequence,
                    f"missing, although the checkpoint signed at {when} covers it",
                )
            )
        elif entry.hash != checkpoint.head_hash:
            findings.append(
                Finding(
                    chain,
                    checkpoint.sequence,
                    f"differs from the checkpoint signed at {when}: the chain up to it was "
                    "rewritten",
                )
            )
    return findings


def _check_head(chain: str, walk: _Walk, head: ChainHead) -> list[Finding]:
    last = walk.last_sequence
    if head.sequence > last:
        return [
            Finding(
                chain,
                last + 1,
                f"entries {last + 1}-{head.sequence} are missing at the end (truncated): the "
                f"chain's head record says it has {head.sequence} entries",
            )
        ]
    if head.sequence < last:
        return [
            Finding(
                chain,
                head.sequence + 1,
                f"entries {head.sequence + 1}-{last} were added after the chain's recorded "
                "head, outside the audit log's writer (forged)",
            )
        ]
    tail = walk.by_sequence.get(last)
    if tail is not None and tail.hash != head.hash:
        return [Finding(chain, last, "differs from the chain's head record")]
    return []
