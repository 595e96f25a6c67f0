"""The hash chain: each entry's hash covers its content and the previous entry's hash.

Canonical form (what a receiver recomputes offline, with nothing but SHA-256 and JSON):
the entry as a JSON object of the fields below, keys sorted, no spaces
(``separators=(",", ":")``), non-ASCII characters as themselves, encoded as UTF-8.
Instants are UTC strings with microseconds, ``2026-12-03T14:05:09.123456Z``; ``roles``
is a list of strings; every other value is a string except ``sequence`` (an integer).

    chain, sequence, recorded_at, previous_hash,
    event_id, occurred_at, source, action, outcome, reason,
    user_id, side, organization_id, roles,
    resource_kind, resource_id, complaint_id,
    request_id, client_address, forwarded_for

``hash`` = lowercase hex SHA-256 of those bytes. The first entry of a chain has sequence
1 and ``previous_hash`` = 64 zeros (``GENESIS_HASH``). Because the chain name and the
sequence number are hashed, an entry cannot be moved to another chain or renumbered
unnoticed; because the previous hash is, none can be removed, inserted or reordered.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from ses_core.audit._records import AuditRecord, Outcome

GENESIS_HASH = "0" * 64


def canonical_time(at: datetime) -> str:
    """An instant as the canonical form writes it (UTC, microseconds, ``Z``)."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> datetime:
    """An instant from its canonical (or any RFC 3339) text; always aware."""
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"{text!r} names no time zone.")
    return parsed.astimezone(UTC)


def canonical_json(document: Mapping[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def content_hash(content: Mapping[str, Any]) -> str:
    """The hash of an entry's canonical content (every field but ``hash``)."""
    return hashlib.sha256(canonical_json(content)).hexdigest()


@dataclass(frozen=True, kw_only=True)
class AuditEntry:
    """A record in its place: chain, sequence number, when appended, and the two hashes."""

    chain: str
    sequence: int
    recorded_at: datetime
    record: AuditRecord
    previous_hash: str
    hash: str

    def content(self, *, sequence: int | None = None) -> dict[str, Any]:
        """The canonical content (``sequence`` replaced when given, to test a renumbering)."""
        return entry_content(
            self.chain,
            self.sequence if sequence is None else sequence,
            self.recorded_at,
            self.record,
            self.previous_hash,
        )

    def hash_is_valid(self, *, sequence: int | None = None) -> bool:
        return content_hash(self.content(sequence=sequence)) == self.hash

    def line(self) -> dict[str, Any]:
        """The entry as an export line: its content, ``hash`` and ``"type": "entry"``."""
        return {"type": "entry", **self.content(), "hash": self.hash}


def entry_content(
    chain: str, sequence: int, recorded_at: datetime, record: AuditRecord, previous_hash: str
) -> dict[str, Any]:
    content: dict[str, Any] = {}
    for field in fields(record):
        value = getattr(record, field.name)
        if isinstance(value, datetime):
            value = canonical_time(value)
        elif isinstance(value, Outcome):
            value = value.value
        elif isinstance(value, tuple):
            value = list(value)
        content[field.name] = value
    return content | {
        "chain": chain,
        "sequence": sequence,
        "recorded_at": canonical_time(recorded_at),
        "previous_hash": previous_hash,
    }


@dataclass(frozen=True)
class ChainHead:
    """The last entry of a chain: where the next one goes."""

    chain: str
    sequence: int = 0
    hash: str = GENESIS_HASH


def seal(head: ChainHead, record: AuditRecord, recorded_at: datetime) -> AuditEntry:
    """``record`` appended after ``head``: the next sequence number, chained to its hash."""
    sequence = head.sequence + 1
    content = entry_content(head.chain, sequence, recorded_at, record, head.hash)
    return AuditEntry(
        chain=head.chain,
        sequence=sequence,
        recorded_at=recorded_at,
        record=record,
        previous_hash=head.hash,
        hash=content_hash(content),
    )


def entry_from_line(line: Mapping[str, Any]) -> AuditEntry:
    """An entry back from its export line (``AuditEntry.line``); ValueError if malformed."""
    try:
        record = AuditRecord(
            event_id=str(line["event_id"]),
            occurred_at=parse_time(str(line["occurred_at"])),
            source=str(line["source"]),
            action=str(line["action"]),
            outcome=Outcome(line["outcome"]),
            reason=str(line["reason"]),
            user_id=str(line["user_id"]),
            side=str(line["side"]),
            organization_id=str(line["organization_id"]),
            roles=tuple(str(role) for role in line["roles"]),
            resource_kind=str(line["resource_kind"]),
            resource_id=str(line["resource_id"]),
            complaint_id=str(line["complaint_id"]),
            request_id=str(line["request_id"]),
            client_address=str(line["client_address"]),
            forwarded_for=str(line["forwarded_for"]),
        )
        return AuditEntry(
            chain=str(line["chain"]),
            sequence=int(line["sequence"]),
            recorded_at=parse_time(str(line["recorded_at"])),
            record=record,
            previous_hash=str(line["previous_hash"]),
            hash=str(line["hash"]),
        )
    except (KeyError, TypeError) as error:
        raise ValueError(f"Not an audit entry line: {error!r} is missing or wrong.") from None
