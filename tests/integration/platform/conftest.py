"""A tiny "tally" service built only from the platform kit, on real servers.

A tally is an aggregate with a counter; ``bump()`` changes it and raises ``Bumped``. The
service has its own table, repository, unit of work and Alembic migrations (written to a
temporary directory, first revision calling ``create_platform_tables_v1``) exactly as a
real service would. ``received_events`` is the effect table of the consumer-side tests:
one row per event a handler applied, never unique, so a double application would show.

Fixtures: ``migrations_dir``, ``tally_service`` (migrated database + helpers),
``nats_client`` / ``js`` (connected to ``nats_server`` with the SES streams created) and
``span_exporter`` (finished spans, in memory).
"""

from __future__ import annotations

import textwrap
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pytest
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pydantic import BaseModel, Field
from sqlalchemy import Column, Engine, Integer, String, Table, func, insert, select
from sqlalchemy.engine import RowMapping

from ses_core.events import DomainEvent
from ses_core.platform.db import (
    JsonDocument,
    OutboxStore,
    SqlUnitOfWork,
    TenantScopedRepository,
    new_metadata,
    outbox_table,
    session_factory,
    upgrade_to_head,
)
from ses_core.platform.messaging import (
    EventCodec,
    EventConsumer,
    InboundEvent,
    JetStreamPublisher,
    JsonEventCodec,
    OutboxRelay,
    connect,
    ensure_streams,
)
from ses_core.platform.messaging.consumer import EventHandler
from ses_core.testing import NatsServerProcess

metadata = new_metadata()

tallies_table = Table(
    "tallies",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(100), nullable=False, index=True),
    Column("value", Integer, nullable=False),
    Column("document", JsonDocument, nullable=False),
)

received_table = Table(
    "received_events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("consumer", String(100), nullable=False),
    Column("event_id", String(64), nullable=False),
    Column("tenant_id", String(100), nullable=False),
    Column("tally_id", String(36), nullable=False),
    Column("value", Integer, nullable=False),
)

FIRST_REVISION = '''
"""Tallies, received events and the platform tables.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from ses_core.platform.db import JsonDocument, create_platform_tables_v1, drop_platform_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables_v1()
    op.create_table(
        "tallies",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("tenant_id", sa.String(100), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("document", JsonDocument, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tallies"),
    )
    op.create_index("ix_tallies_tenant_id", "tallies", ["tenant_id"])
    op.create_table(
        "received_events",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("consumer", sa.String(100), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("tenant_id", sa.String(100), nullable=False),
        sa.Column("tally_id", sa.String(36), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_received_events"),
    )


def downgrade() -> None:
    op.drop_table("received_events")
    op.drop_index("ix_tallies_tenant_id", table_name="tallies")
    op.drop_table("tallies")
    drop_platform_tables_v1()
'''

ENV_PY = """
from sqlalchemy import MetaData

from ses_core.platform.db.migrations import run_migrations

run_migrations(MetaData())
"""


class Bumped(DomainEvent):
    context: ClassVar[str] = "testing"

    tally_id: str
    value: int


class Tally(BaseModel):
    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    label: str = ""
    value: int = 0
    events: list[DomainEvent] = Field(default_factory=list, exclude=True)

    def bump(self) -> None:
        self.value += 1
        self.events.append(Bumped(tally_id=self.id, value=self.value))


class TallyRepository(TenantScopedRepository[Tally]):
    table = tallies_table
    aggregate_name = "tally"

    def _to_row(self, aggregate: Tally) -> dict[str, Any]:
        return {
            "id": aggregate.id,
            "value": aggregate.value,
            "document": aggregate.model_dump(mode="json"),
        }

    def _from_row(self, row: RowMapping) -> Tally:
        return Tally.model_validate(row["document"])

    def list_all(self) -> list[Tally]:
        return self._load_all(self._select().order_by(tallies_table.c.id))


class TallyUnitOfWork(SqlUnitOfWork):
    tallies: TallyRepository

    def _open_repositories(self) -> None:
        self.tallies = self.repository(TallyRepository)


@dataclass
class TallyService:
    """The composition root of the tally service, plus read helpers for assertions.

    Test modules reach the service's types through it (``tally_service.Tally``): they
    cannot import this conftest.
    """

    Tally: ClassVar = Tally
    Bumped: ClassVar = Bumped
    UnitOfWork: ClassVar = TallyUnitOfWork
    metadata: ClassVar = metadata
    tallies_table: ClassVar = tallies_table
    received_table: ClassVar = received_table

    engine: Engine
    codec: EventCodec = field(default_factory=JsonEventCodec)
    on_commit: Callable[[], None] | None = None

    def __post_init__(self) -> None:
        self.sessions = session_factory(self.engine)
        self.outbox_store = OutboxStore(self.engine)

    def uow(self, tenant_id: str = "tenant-a") -> TallyUnitOfWork:
        return TallyUnitOfWork(
            self.sessions, tenant_id=tenant_id, codec=self.codec, on_commit=self.on_commit
        )

    def create_tally(self, tenant_id: str = "tenant-a", bumps: int = 1) -> Tally:
        with self.uow(tenant_id) as uow:
            tally = Tally()
            uow.tallies.add(tally)
            for _ in range(bumps):
                tally.bump()
            uow.commit()
        return tally

    def rows(self, table: Table) -> list[dict[str, Any]]:
        with self.engine.connect() as connection:
            result = connection.execute(select(table).order_by(*table.primary_key.columns))
            return [dict(row) for row in result.mappings()]

    def count(self, table: Table) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(table)).scalar_one())

    def outbox(self) -> list[dict[str, Any]]:
        return self.rows(outbox_table)

    def relay(self, js: JetStreamContext, **options: Any) -> OutboxRelay:
        relay = OutboxRelay(self.outbox_store, JetStreamPublisher(js, timeout=2.0), **options)
        self.on_commit = relay.notify
        return relay

    def consumer(
        self,
        js: JetStreamContext,
        handler: EventHandler[TallyUnitOfWork] | None = None,
        *,
        durable_name: str = "tally-audit",
        **options: Any,
    ) -> EventConsumer[TallyUnitOfWork]:
        settings: dict[str, Any] = {"max_attempts": 3, "backoff": (0.2,), "fetch_timeout": 1.0}
        settings.update(options)
        return EventConsumer(
            js,
            durable_name=durable_name,
            filter_subjects=["ses.testing.v1.>"],
            handler=handler or self.record_received,
            unit_of_work=self.uow,
            codec=self.codec,
            **settings,
        )

    def record_received(self, event: InboundEvent, uow: TallyUnitOfWork) -> None:
        """The consumer-side effect: one received_events row per applied event."""
        bumped = event.decode(Bumped)
        uow.session.execute(
            insert(received_table).values(
                consumer="tally-audit",
                event_id=event.event_id,
                tenant_id=event.tenant_id,
                tally_id=bumped.tally_id,
                value=bumped.value,
            )
        )

    def received(self) -> list[dict[str, Any]]:
        return self.rows(received_table)


def write_migrations(directory: Path) -> Path:
    (directory / "versions").mkdir(parents=True)
    (directory / "env.py").write_text(textwrap.dedent(ENV_PY))
    (directory / "versions" / "0001_initial.py").write_text(textwrap.dedent(FIRST_REVISION))
    return directory


@pytest.fixture
def migrations_dir(tmp_path: Path) -> Path:
    return write_migrations(tmp_path / "migrations")


@pytest.fixture
def tally_service(engine: Engine, migrations_dir: Path) -> TallyService:
    upgrade_to_head(engine, migrations_dir)
    return TallyService(engine)


@pytest.fixture
async def nats_client(nats_server: NatsServerProcess) -> AsyncIterator[NatsClient]:
    client = await connect(nats_server.url, name="platform-tests")
    yield client
    await client.close()


@pytest.fixture
async def js(nats_client: NatsClient) -> JetStreamContext:
    context = nats_client.jetstream()
    await ensure_streams(context)
    return context


_exporter: InMemorySpanExporter | None = None


@pytest.fixture
def span_exporter() -> Iterator[InMemorySpanExporter]:
    """Finished spans of this test. Reuses the process's SDK provider if one is installed
    (the global provider can be set only once per process)."""
    global _exporter
    if _exporter is None:
        provider = trace.get_tracer_provider()
        if not isinstance(provider, TracerProvider):
            trace.set_tracer_provider(TracerProvider())
            provider = trace.get_tracer_provider()
        if not isinstance(provider, TracerProvider):
            pytest.skip("A non-SDK global tracer provider is installed; spans cannot be read.")
        _exporter = InMemorySpanExporter()
        provider.add_span_processor(SimpleSpanProcessor(_exporter))
    _exporter.clear()
    yield _exporter
    _exporter.clear()
