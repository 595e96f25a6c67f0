"""``ses.enrollment.v1.AuditService``: the audit log, a page at a time or as JSON Lines.

Both RPCs change nothing; ``ExportAuditLog`` is declared read-only to the kit (its verb is
not one the kit recognises), so it is served during maintenance and never replayed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import grpc
from typing_extensions import override

from ses.enrollment.v1 import audit_pb2 as pb
from ses.enrollment.v1 import audit_pb2_grpc as pb_grpc
from ses_core.audit import AuditEntry, Outcome
from ses_core.platform.grpc import ServiceRegistration, current_actor
from ses_core.platform.grpc.timestamps import instant
from ses_enrollment.audit.reading import ListAuditEntries, list_audit_entries, open_export
from ses_enrollment.handlers.common import Deps
from ses_enrollment.mappers import timestamp

SERVICE_NAME = "ses.enrollment.v1.AuditService"
EXPORT_METHOD = f"/{SERVICE_NAME}/ExportAuditLog"

_OUTCOMES = {Outcome.DONE: pb.AUDIT_OUTCOME_DONE, Outcome.REFUSED: pb.AUDIT_OUTCOME_REFUSED}
_END = object()


class AuditServicer(pb_grpc.AuditServiceServicer):
    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    def registration(self) -> ServiceRegistration:
        def register(server: grpc.aio.Server) -> None:
            pb_grpc.add_AuditServiceServicer_to_server(self, server)

        return ServiceRegistration(SERVICE_NAME, register)

    @override
    async def ListAuditEntries(
        self, request: pb.ListAuditEntriesRequest, context: Any
    ) -> pb.ListAuditEntriesResponse:
        command = ListAuditEntries(
            page_size=request.page_size,
            page_token=request.page_token,
            start_time=instant(request.start_time, request.HasField("start_time"), "start_time"),
            end_time=instant(request.end_time, request.HasField("end_time"), "end_time"),
            user_id=request.user_id,
            resource_id=request.resource_id,
            agency_id=request.agency_id,
        )
        page = await asyncio.to_thread(list_audit_entries, self._deps, current_actor(), command)
        return pb.ListAuditEntriesResponse(
            entries=[audit_entry_message(entry) for entry in page.entries],
            next_page_token=page.next_page_token,
        )

    @override
    async def ExportAuditLog(
        self, request: pb.ExportAuditLogRequest, context: Any
    ) -> AsyncIterator[pb.ExportAuditLogResponse]:
        export = await asyncio.to_thread(
            open_export, self._deps, current_actor(), request.agency_id
        )
        chunks = export.chunks()
        while (chunk := await asyncio.to_thread(_next_chunk, chunks)) is not _END:
            assert isinstance(chunk, bytes)
            yield pb.ExportAuditLogResponse(chunk=chunk)


def _next_chunk(chunks: Iterator[bytes]) -> object:
    return next(chunks, _END)


def audit_entry_message(entry: AuditEntry) -> pb.AuditEntry:
    record = entry.record
    return pb.AuditEntry(
        chain=entry.chain,
        sequence=entry.sequence,
        recorded_at=timestamp(entry.recorded_at),
        event_id=record.event_id,
        occurred_at=timestamp(record.occurred_at),
        source=record.source,
        action=record.action,
        outcome=_OUTCOMES[record.outcome],
        reason=record.reason,
        user_id=record.user_id,
        side=record.side,
        organization_id=record.organization_id,
        roles=list(record.roles),
        resource_kind=record.resource_kind,
        resource_id=record.resource_id,
        complaint_id=record.complaint_id,
        request_id=record.request_id,
        client_address=record.client_address,
        forwarded_for=record.forwarded_for,
        previous_hash=entry.previous_hash,
        hash=entry.hash,
    )
