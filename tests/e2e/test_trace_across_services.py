"""One trace from an RPC to the consumer of the event it emits (issue 3, telemetry).

The enrollment and complaints services run in one host on a real ``nats-server`` and
SQLite. An agency Complaint Manager registers a company over a real, instrumented
``grpc.aio`` channel; the enrollment service commits ``CompanyRegistered`` to its outbox,
the relay publishes it to JetStream, and the complaints service's ``complaints-directory``
consumer applies it to its directory. The spans of those four steps must form one trace:

    CLIENT RegisterCompany -> SERVER RegisterCompany -> PRODUCER publish -> CONSUMER process

The gRPC hop carries the context in ``traceparent`` metadata (instrumentation package);
the outbox stores the committing span's context in the row's headers (no span of its
own, so the PRODUCER's parent is the SERVER span); the relay re-injects its PRODUCER span
into the NATS headers, which the consumer extracts.

Spans are read from an in-memory exporter on the process's SDK tracer provider. The global
provider can be set only once per process and ``setup_telemetry`` keeps its first result
(a host started earlier in the run may have set it up with telemetry off), so the fixture
hands the host a ``Telemetry`` over that provider: the gRPC interceptors and the messaging
kit (which uses the global provider) then write to the same exporter.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import grpc.aio
import pytest
import pytest_asyncio
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanContext, SpanKind, StatusCode
from sqlalchemy import select

from ses.common.v1 import common_pb2 as common
from ses.enrollment.v1 import enrollment_pb2 as epb
from ses.enrollment.v1 import enrollment_pb2_grpc as epb_grpc
from ses_complaints import tables as complaints_tables
from ses_complaints.bootstrap import plugin as complaints_plugin
from ses_complaints.consumers import DIRECTORY_CONSUMER
from ses_core.accounts import CompanyRegistered
from ses_core.identity import Actor, AgencyRole
from ses_core.platform import telemetry as telemetry_module
from ses_core.platform.db import create_database_engine
from ses_core.platform.runtime import ServiceHost
from ses_core.platform.telemetry import Telemetry
from ses_core.testing import NatsServerProcess, eventually
from ses_core.testing.hosting import host_settings, hosted, metadata_for
from ses_enrollment.bootstrap import plugin as enrollment_plugin

pytestmark = pytest.mark.integration

RPC = "/ses.enrollment.v1.EnrollmentService/RegisterCompany"
SUBJECT = CompanyRegistered.subject()
MANAGER = Actor.agency_user("u-trace-manager", "agency-trace", AgencyRole.COMPLAINT_MANAGER)


@functools.cache
def _memory_exporter() -> InMemorySpanExporter:
    """An in-memory exporter on the global SDK provider, installing one if none is set."""
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        trace.set_tracer_provider(TracerProvider())
        provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        pytest.skip("A non-SDK global tracer provider is installed; spans cannot be read.")
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


@pytest.fixture
def telemetry(monkeypatch: pytest.MonkeyPatch) -> Iterator[Telemetry]:
    exporter = _memory_exporter()
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    exporter.clear()
    installed = Telemetry(service_name="ses", tracer_provider=provider, span_exporter=exporter)
    # What setup_telemetry returns for the rest of this test: the host's gRPC server
    # instrumentation records into the same provider as the messaging kit.
    monkeypatch.setattr(telemetry_module, "_installed", installed)
    yield installed
    exporter.clear()


@pytest_asyncio.fixture
async def host(tmp_path: Path, telemetry: Telemetry) -> AsyncIterator[ServiceHost]:
    with NatsServerProcess(tmp_path / "nats") as broker:
        # "memory" is what a host on its own would need; here setup_telemetry returns the
        # fixture's Telemetry (same exporter kind, on the process's provider).
        settings = host_settings(
            tmp_path / "data", nats_url=broker.url, telemetry={"exporter": "memory"}
        )
        async with hosted(settings, [enrollment_plugin, complaints_plugin]) as started:
            yield started


def _spans(exporter: InMemorySpanExporter, name: str, kind: SpanKind) -> list[ReadableSpan]:
    return [s for s in exporter.get_finished_spans() if s.name == name and s.kind is kind]


def _directory_consumer_spans(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    return [
        span
        for span in _spans(exporter, f"{SUBJECT} process", SpanKind.CONSUMER)
        if (span.attributes or {}).get("messaging.consumer.group.name") == DIRECTORY_CONSUMER
    ]


def _ids(span: ReadableSpan) -> tuple[int, int]:
    assert span.context is not None
    return span.context.trace_id, span.context.span_id


def _parent(span: ReadableSpan) -> SpanContext:
    """The span's parent, which here always came over the wire (metadata or headers)."""
    assert span.parent is not None, f"{span.name} has no parent"
    assert span.parent.is_remote, f"{span.name}'s parent is not a propagated context"
    return span.parent


async def test_an_rpc_its_event_and_the_consumer_that_applies_it_share_one_trace(
    host: ServiceHost, telemetry: Telemetry
) -> None:
    exporter = telemetry.span_exporter
    assert exporter is not None
    async with grpc.aio.insecure_channel(
        host.address, interceptors=telemetry.grpc_client_interceptors()
    ) as channel:
        response = await epb_grpc.EnrollmentServiceStub(channel).RegisterCompany(
            epb.RegisterCompanyRequest(
                nmls_id="7654321",
                legal_name="Traceable Lending LLC",
                kind=epb.COMPANY_KIND_NMLS_REGISTERED,
                address=common.Address(
                    address_lines=["1 Span Street"],
                    city="Albany",
                    state_code="NY",
                    postal_code="12207",
                ),
            ),
            metadata=metadata_for(host.settings, MANAGER),
        )
    company_id = response.company.company_id

    # Each span ends on its own schedule: the SERVER span after the client has its answer,
    # the PRODUCER span when the relay reads the PubAck, which can be after the consumer
    # has applied the event. Wait until all four have finished.
    def four_hops() -> list[list[ReadableSpan]] | None:
        hops = [
            _spans(exporter, RPC, SpanKind.CLIENT),
            _spans(exporter, RPC, SpanKind.SERVER),
            _spans(exporter, f"{SUBJECT} publish", SpanKind.PRODUCER),
            _directory_consumer_spans(exporter),
        ]
        return hops if all(hops) else None

    hops = await eventually(four_hops, message="the four spans of the RPC and its event")
    [client], [server], [producer], [consumer] = hops

    trace_id, client_id = _ids(client)
    assert {_ids(span)[0] for span in (server, producer, consumer)} == {trace_id}
    # The chain, hop by hop: gRPC metadata, outbox headers, NATS headers.
    assert client.parent is None
    assert _parent(server).span_id == client_id
    assert _parent(producer).span_id == _ids(server)[1]
    assert _parent(consumer).span_id == _ids(producer)[1]

    # The spans are of this RPC's event, and the consumer applied it.
    assert producer.attributes is not None
    assert consumer.attributes is not None
    event_id = producer.attributes["messaging.message.id"]
    assert consumer.attributes["messaging.message.id"] == event_id
    assert producer.attributes["ses.tenant_id"] == MANAGER.tenant_id
    assert consumer.status.status_code is not StatusCode.ERROR
    engine = create_database_engine(host.settings.database.url_for("complaints"))
    try:
        with engine.connect() as connection:
            table = complaints_tables.directory_companies
            legal_name = connection.execute(
                select(table.c.legal_name).where(table.c.company_id == company_id)
            ).scalar_one()
    finally:
        engine.dispose()
    assert legal_name == "Traceable Lending LLC"
