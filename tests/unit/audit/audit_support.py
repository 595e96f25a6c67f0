"""Chains to tamper with: records and entries built the way the audit log builds them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from ses_core.audit import AuditEntry, AuditRecord, ChainHead, Outcome, content_hash, seal

T0 = datetime(2026, 12, 3, 14, 5, 9, 123456, tzinfo=UTC)


def record(n: int, **changes: object) -> AuditRecord:
    base = AuditRecord(
        event_id=f"event-{n}",
        occurred_at=T0 + timedelta(seconds=n),
        source="ses.complaints.v1.response_submitted",
        action="response_submitted",
        user_id=f"user-{n % 3}",
        side="company",
        organization_id="SES-000042",
        roles=("complaints:manage",),
        resource_kind="information_request",
        resource_id=f"ir-{n}",
        complaint_id="complaint-1",
        request_id=f"request-{n}",
        client_address="10.0.0.7:5555",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def chain(length: int, name: str = "agency-ny") -> list[AuditEntry]:
    head = ChainHead(name)
    entries = []
    for n in range(1, length + 1):
        entry = seal(head, record(n), T0 + timedelta(seconds=n, milliseconds=5))
        entries.append(entry)
        head = ChainHead(name, entry.sequence, entry.hash)
    return entries


def rehashed(entry: AuditEntry, **changes: object) -> AuditEntry:
    """``entry`` with ``changes`` and a hash recomputed to match (a careful forger)."""
    changed = replace(entry, **changes)  # type: ignore[arg-type]
    return replace(changed, hash=content_hash(changed.content()))


def refused(n: int) -> AuditRecord:
    return record(n, outcome=Outcome.REFUSED, reason="not_company_poc")
