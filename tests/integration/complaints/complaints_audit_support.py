"""The complaints and enrollment services hosted together, so that the audit log fills.

Every service records through its outbox; the enrollment service keeps the log. A test
acts through the complaints service (``complaints_support``) and reads the log back
through ``AuditService`` as an administrator, polling until the entries it expects are
on file (they travel through the event stream).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc.aio
from complaints_support import Harness, agency_events, company_events
from sqlalchemy import Engine, func, select

from ses.enrollment.v1 import audit_pb2 as audit_pb
from ses.enrollment.v1 import audit_pb2_grpc as audit_grpc
from ses_complaints.bootstrap import plugin as complaints_plugin
from ses_core.identity import Actor
from ses_core.platform.db import create_database_engine
from ses_core.ports import FixedClock
from ses_core.testing import NatsServerProcess, eventually
from ses_core.testing.hosting import host_settings, hosted
from ses_enrollment.audit.tables import audit_entries
from ses_enrollment.bootstrap import EnrollmentPlugin

Entry = audit_pb.AuditEntry


@dataclass
class AuditWorld:
    """The complaints harness, plus the enrollment database that holds the log."""

    h: Harness
    log_engine: Engine

    @property
    def audit(self) -> audit_grpc.AuditServiceStub:
        return audit_grpc.AuditServiceStub(self.h.channel)

    async def entries(self, reader: Actor, **filters: Any) -> list[Entry]:
        """Every entry ``reader`` may list with ``filters``, all pages."""
        found: list[Entry] = []
        token = ""
        while True:
            request = audit_pb.ListAuditEntriesRequest(page_size=200, page_token=token, **filters)
            page = await self.audit.ListAuditEntries(request, metadata=self.h.md(reader))
            found.extend(page.entries)
            token = page.next_page_token
            if not token:
                return found

    async def on_file(
        self, reader: Actor, wanted: Callable[[Entry], bool], what: str, *, count: int = 1
    ) -> list[Entry]:
        """The entries ``wanted`` selects, once there are ``count`` of them."""

        async def matching() -> list[Entry]:
            chosen = [entry for entry in await self.entries(reader) if wanted(entry)]
            return chosen if len(chosen) >= count else []

        return await eventually(matching, timeout=60, message=what)

    def stored_count(self, **where: str) -> int:
        statement = select(func.count()).select_from(audit_entries)
        for column, value in where.items():
            statement = statement.where(audit_entries.c[column] == value)
        with self.log_engine.connect() as connection:
            return int(connection.execute(statement).scalar_one())

    def filed_event_ids(self) -> list[str]:
        """The event ids on file, in the order they were appended."""
        statement = select(audit_entries.c.event_id).order_by(audit_entries.c.id)
        with self.log_engine.connect() as connection:
            return [str(event_id) for event_id in connection.execute(statement).scalars()]

    async def call_as(self, method: str, request: Any, actor: Actor, request_id: str) -> Any:
        """Call the complaints service with our own ``x-request-id``."""
        metadata = (*self.h.md(actor), ("x-request-id", request_id))
        return await getattr(self.h.stub, method)(request, metadata=metadata)


def new_request_id(what: str) -> str:
    return f"{what}-{uuid.uuid4().hex[:12]}"


def by_request(request_id: str) -> Callable[[Entry], bool]:
    return lambda entry: entry.request_id == request_id


async def start_world(
    tmp: Path, urls: dict[str, str], *, extra: Sequence[Any] = ()
) -> AsyncIterator[AuditWorld]:
    with NatsServerProcess(tmp / "nats") as broker:
        settings = host_settings(tmp / "data", nats_url=broker.url, database_urls=urls)
        engine = create_database_engine(urls["complaints"])
        log_engine = create_database_engine(urls["enrollment"])
        clock = FixedClock(datetime.now(UTC))
        plugins = [EnrollmentPlugin(), complaints_plugin, *extra]
        async with hosted(settings, plugins, clock=clock) as host:
            channel = grpc.aio.insecure_channel(host.address)
            harness = Harness(
                host=host, settings=settings, channel=channel, engine=engine, clock=clock
            )
            await harness.publish(*agency_events(), *company_events())
            try:
                yield AuditWorld(harness, log_engine)
            finally:
                await channel.close()
                engine.dispose()
                log_engine.dispose()
