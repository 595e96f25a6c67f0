"""Reading the audit log: who may read which entries, a page at a time or as an export.

Who (``ses_core.permissions``, ``VIEW_AUDIT_LOG``): an Agency Account Administrator reads
their agency's chain; a company's Account Administrator reads the entries whose
organisation is the company (its own users' actions, reads and refusals), in every chain,
optionally narrowed to one agency's. An agency administrator naming another agency gets
NOT_FOUND, like every other look into another agency.

Exports are JSON Lines (``ExportLines``; the format is in ``protos/ses/enrollment/v1/
audit.proto`` and the README): an ``export`` line, the entries in append order, then the
signed checkpoints of the agency's chain that the exported entries reach. A company's
export carries no checkpoints: its entries are a part of other chains, whose heads are
the agencies' business.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select

from ses_core.audit import AuditEntry, canonical_time
from ses_core.identity import Actor, Side
from ses_core.permissions import Action, Resource, ResourceKind, require
from ses_enrollment.audit import store
from ses_enrollment.audit.tables import audit_entries
from ses_enrollment.handlers.common import Deps
from ses_enrollment.paging import decode_token, encode_token, filters_hash, page_size

EXPORT_FORMAT = "ses-audit-export/1"
CHUNK_BYTES = 64 * 1024
_C = audit_entries.c


@dataclass(frozen=True)
class AuditScope:
    """The entries one reader may read: one agency's chain, or one company's part."""

    agency_id: str | None = None
    company_id: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = []
        if self.agency_id is not None:
            where.append(_C.chain == self.agency_id)
        if self.company_id is not None:
            where.append(_C.organization_id == self.company_id)
        return where

    def described(self) -> dict[str, str]:
        return {
            name: value
            for name, value in (("agency_id", self.agency_id), ("company_id", self.company_id))
            if value is not None
        }


def scope_for(actor: Actor, agency_id: str) -> AuditScope:
    """What ``actor`` may read, narrowed to ``agency_id`` when given (module docstring)."""
    agency_id = agency_id.strip()
    if actor.side is Side.COMPANY:
        require(
            actor,
            Action.VIEW_AUDIT_LOG,
            Resource(kind=ResourceKind.AUDIT_LOG, company_id=actor.company_id),
        )
        return AuditScope(agency_id=agency_id or None, company_id=actor.company_id)
    wanted = agency_id or actor.tenant_id
    require(actor, Action.VIEW_AUDIT_LOG, Resource(kind=ResourceKind.AUDIT_LOG, tenant_id=wanted))
    return AuditScope(agency_id=wanted)


@dataclass(frozen=True)
class ListAuditEntries:
    page_size: int = 0
    page_token: str = ""
    start_time: datetime | None = None
    end_time: datetime | None = None
    user_id: str = ""
    resource_id: str = ""
    agency_id: str = ""


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    next_page_token: str


def list_audit_entries(deps: Deps, actor: Actor, command: ListAuditEntries) -> AuditPage:
    scope = scope_for(actor, command.agency_id)
    size = page_size(command.page_size)
    fingerprint = filters_hash(
        "audit",
        scope.described(),
        command.start_time,
        command.end_time,
        command.user_id.strip(),
        command.resource_id.strip(),
    )
    after = decode_token(command.page_token, fingerprint, int)
    statement = _filtered(select(audit_entries).where(*scope.conditions()), command)
    with deps.sessions.begin() as session:
        rows = session.execute(store.entries_after(statement, after, size + 1)).mappings().all()
    page = rows[:size]
    token = encode_token(int(page[-1]["id"]), fingerprint) if len(rows) > size else ""
    return AuditPage([store.entry_of(row) for row in page], token)


def _filtered(statement: Select[Any], command: ListAuditEntries) -> Select[Any]:
    if command.start_time is not None:
        statement = statement.where(_C.occurred_at >= command.start_time)
    if command.end_time is not None:
        statement = statement.where(_C.occurred_at < command.end_time)
    if user_id := command.user_id.strip():
        statement = statement.where(_C.user_id == user_id)
    if resource_id := command.resource_id.strip():
        concerned = or_(_C.resource_id == resource_id, _C.complaint_id == resource_id)
        statement = statement.where(concerned)
    return statement


class ExportLines:
    """One export: its JSON Lines in chunks of whole lines (``chunks`` reads as it goes)."""

    def __init__(self, deps: Deps, scope: AuditScope) -> None:
        self._deps = deps
        self._scope = scope

    def chunks(self) -> Iterator[bytes]:
        buffer = bytearray(_line({"type": "export", "format": EXPORT_FORMAT, **self._header()}))
        reached: dict[str, int] = {}
        statement = select(audit_entries).where(*self._scope.conditions())
        for entry in store.iterate(self._deps.sessions, statement):
            reached[entry.chain] = max(entry.sequence, reached.get(entry.chain, 0))
            buffer += _line(entry.line())
            if len(buffer) >= CHUNK_BYTES:
                yield bytes(buffer)
                buffer.clear()
        if self._scope.company_id is None:
            with self._deps.sessions.begin() as session:
                for chain, last in sorted(reached.items()):
                    for stored in store.checkpoints_of(session, chain):
                        if stored.checkpoint.sequence <= last:
                            buffer += _line(_checkpoint_line(stored))
        if buffer:
            yield bytes(buffer)

    def _header(self) -> dict[str, Any]:
        return {"exported_at": canonical_time(self._deps.now()), **self._scope.described()}


def open_export(deps: Deps, actor: Actor, agency_id: str) -> ExportLines:
    """An export of what ``actor`` may read (refused here, before anything is sent)."""
    return ExportLines(deps, scope_for(actor, agency_id))


def _checkpoint_line(stored: store.StoredCheckpoint) -> dict[str, Any]:
    return {
        "type": "checkpoint",
        **stored.checkpoint.claims(),
        "key_id": stored.key_id,
        "jws": stored.signature,
    }


def _line(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
