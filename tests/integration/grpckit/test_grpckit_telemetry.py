"""Telemetry on: the gRPC instrumentation records server spans that join the caller's trace."""

from __future__ import annotations

import grpc
import grpc.aio
import pytest
from grpckit_support import StartServer, call, failure, metadata
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind, StatusCode

from ses_core.identity import Actor
from ses_core.platform import telemetry as telemetry_module
from ses_core.platform.identity import TokenIssuer
from ses_core.platform.settings import TelemetrySettings
from ses_core.platform.telemetry import Telemetry, build_telemetry, setup_telemetry
from ses_core.testing import eventually

pytestmark = pytest.mark.integration


@pytest.fixture
def telemetry() -> Telemetry:
    return build_telemetry(TelemetrySettings(exporter="memory", service_name="ses-test"))


async def finished_spans(telemetry: Telemetry, kind: SpanKind, count: int) -> list[ReadableSpan]:
    """The finished spans of ``kind``, once there are ``count`` of them, oldest first.

    A server span ends after the server has sent the status, so a client that has its
    answer may still find the span unfinished: wait for it rather than read at once.
    """
    exporter = telemetry.span_exporter
    assert exporter is not None

    def of_kind() -> list[ReadableSpan]:
        return [span for span in exporter.get_finished_spans() if span.kind is kind]

    await eventually(
        lambda: len(of_kind()) >= count, message=f"{count} finished {kind.name} span(s)"
    )
    spans = of_kind()
    assert len(spans) == count, spans
    return spans


async def test_an_rpc_leaves_a_server_span_in_the_callers_trace(
    start_server: StartServer, telemetry: Telemetry, issuer: TokenIssuer, manager: Actor
) -> None:
    server, _ = await start_server(telemetry=telemetry)
    assert telemetry.span_exporter is not None
    async with grpc.aio.insecure_channel(
        server.address, interceptors=telemetry.grpc_client_interceptors()
    ) as traced:
        token = issuer.issue_access(manager.identity(), "ses").token
        assert await call(traced, "GetThing", b"1", metadata(token)) == b"thing 1"
    [server_span] = await finished_spans(telemetry, SpanKind.SERVER, 1)
    [client_span] = await finished_spans(telemetry, SpanKind.CLIENT, 1)
    assert server_span.name == "/ses.test.v1.ThingService/GetThing"
    assert server_span.resource.attributes["service.name"] == "ses-test"
    assert server_span.context is not None
    assert client_span.context is not None
    assert server_span.context.trace_id == client_span.context.trace_id
    assert server_span.parent is not None
    assert server_span.parent.span_id == client_span.context.span_id


async def test_the_server_span_records_the_mapped_status(
    start_server: StartServer, telemetry: Telemetry
) -> None:
    _, channel = await start_server(telemetry=telemetry, verifier=None)
    assert (await failure(channel, "Fail", b"NotFound")).code() == grpc.StatusCode.NOT_FOUND
    [not_found] = await finished_spans(telemetry, SpanKind.SERVER, 1)
    assert (await failure(channel, "Fail", b"boom")).code() == grpc.StatusCode.INTERNAL
    _, internal = await finished_spans(telemetry, SpanKind.SERVER, 2)
    # OpenTelemetry's convention: a client's mistake is not a server error, a bug is.
    assert not_found.attributes is not None
    assert internal.attributes is not None
    assert not_found.attributes["rpc.grpc.status_code"] == grpc.StatusCode.NOT_FOUND.value[0]
    assert not_found.status.status_code == StatusCode.UNSET
    assert internal.attributes["rpc.grpc.status_code"] == grpc.StatusCode.INTERNAL.value[0]
    assert internal.status.status_code == StatusCode.ERROR


async def test_with_telemetry_off_no_instrumentation_is_added(start_server: StartServer) -> None:
    telemetry = build_telemetry(TelemetrySettings(exporter="none"))
    assert not telemetry.enabled
    assert telemetry.grpc_server_interceptor() is None
    _, channel = await start_server(telemetry=telemetry, verifier=None)
    assert await call(channel, "GetThing", b"2", metadata()) == b"thing 2"


def test_setup_telemetry_runs_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(telemetry_module, "_installed", None)
    first = setup_telemetry(TelemetrySettings(exporter="none", service_name="ses-a"))
    assert setup_telemetry(TelemetrySettings(exporter="none", service_name="ses-b")) is first
    assert first.service_name == "ses-a"
    assert not first.installed_globally


def test_choosing_otlp_exports_spans_to_the_configured_collector() -> None:
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

    built = build_telemetry(
        TelemetrySettings(exporter="otlp", otlp_endpoint="http://collector.invalid:4317")
    )
    try:
        processors = built.tracer_provider._active_span_processor._span_processors
        exporters = [processor.span_exporter for processor in processors]
        assert any(isinstance(exporter, OTLPSpanExporter) for exporter in exporters)
        assert built.enabled
    finally:
        built.shutdown()
