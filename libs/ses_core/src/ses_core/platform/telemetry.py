"""OpenTelemetry tracing and metrics, set up once per process when it starts.

``setup_telemetry(settings)`` builds the providers the settings ask for and
installs them as the process-wide OpenTelemetry providers; later calls return
the same ``Telemetry`` (OpenTelemetry allows one global provider per process).
``build_telemetry`` builds the same thing without touching the globals, for
tests and for components handed their providers explicitly.

Exporters (``SES_TELEMETRY__EXPORTER``): ``none`` (telemetry off: nothing is
installed and the gRPC instrumentation is not added), ``console`` (spans and
metrics printed, batched), ``otlp`` (OTLP/gRPC to ``otlp_endpoint``, e.g. an
OpenTelemetry Collector), ``memory`` (kept in memory for tests to inspect).
Trace context travels in W3C ``traceparent`` headers: gRPC metadata through
the instrumentation interceptors, NATS headers through the messaging kit.
"""

from __future__ import annotations

import importlib
import logging
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from opentelemetry import metrics, trace

from ses_core.platform.settings import Settings, TelemetrySettings

# The SDK, its exporters and the gRPC instrumentation are imported when telemetry is on:
# the default (``none``) installs none of them, and importing them cost every start about
# 0.1 s.
if TYPE_CHECKING:
    import grpc.aio
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

logger = logging.getLogger(__name__)

_METRIC_EXPORT_INTERVAL_MS = 60_000


@dataclass
class Telemetry:
    """The providers of one process (or one test) and what tests may inspect."""

    service_name: str
    tracer_provider: TracerProvider | None = None
    meter_provider: MeterProvider | None = None
    span_exporter: InMemorySpanExporter | None = None
    metric_reader: InMemoryMetricReader | None = None
    installed_globally: bool = field(default=False, compare=False)

    @property
    def enabled(self) -> bool:
        return self.tracer_provider is not None

    def tracer(self, name: str) -> trace.Tracer:
        return trace.get_tracer(name, tracer_provider=self.tracer_provider)

    def meter(self, name: str) -> metrics.Meter:
        return metrics.get_meter(name, meter_provider=self.meter_provider)

    def grpc_server_interceptor(self) -> grpc.aio.ServerInterceptor | None:
        """The OpenTelemetry ``grpc.aio`` server interceptor, or None when telemetry is off."""
        if self.tracer_provider is None:
            return None
        from opentelemetry.instrumentation.grpc import aio_server_interceptor

        interceptor: grpc.aio.ServerInterceptor = aio_server_interceptor(  # type: ignore[no-untyped-call, unused-ignore]
            tracer_provider=self.tracer_provider
        )
        return interceptor

    def grpc_client_interceptors(self) -> list[grpc.aio.ClientInterceptor]:
        """Interceptors for ``grpc.aio`` channels so calls carry the trace to the server."""
        if self.tracer_provider is None:
            return []
        from opentelemetry.instrumentation.grpc import aio_client_interceptors

        interceptors: list[grpc.aio.ClientInterceptor] = aio_client_interceptors(  # type: ignore[no-untyped-call, unused-ignore]
            tracer_provider=self.tracer_provider
        )
        return interceptors

    def force_flush(self) -> None:
        if self.tracer_provider is not None:
            self.tracer_provider.force_flush()
        if self.meter_provider is not None:
            self.meter_provider.force_flush()

    def shutdown(self) -> None:
        if self.tracer_provider is not None:
            self.tracer_provider.shutdown()
        if self.meter_provider is not None:
            self.meter_provider.shutdown()


def build_telemetry(
    settings: TelemetrySettings, *, tracer_provider: TracerProvider | None = None
) -> Telemetry:
    """Providers for ``settings``, not installed globally.

    ``tracer_provider``: an SDK provider that already exists (installed by
    ``opentelemetry-instrument`` or a test); the configured exporter is added to it
    instead of a second provider being built, so every span lands in one place.
    """
    if not settings.enabled:
        return Telemetry(service_name=settings.service_name)
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import (
        InMemoryMetricReader,
        MetricReader,
        PeriodicExportingMetricReader,
    )
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    resource = Resource.create({SERVICE_NAME: settings.service_name})
    if tracer_provider is None:
        tracer_provider = TracerProvider(resource=resource)
    memory_spans: InMemorySpanExporter | None = None
    memory_metrics: InMemoryMetricReader | None = None
    readers: list[MetricReader] = []
    if settings.exporter == "memory":
        memory_spans = InMemorySpanExporter()
        tracer_provider.add_span_processor(SimpleSpanProcessor(memory_spans))
        memory_metrics = InMemoryMetricReader()
        readers.append(memory_metrics)
    else:
        span_exporter, metric_exporter = _exporters(settings)
        tracer_provider.add_span_processor(BatchSpanProcessor(span_exporter))
        readers.append(
            PeriodicExportingMetricReader(
                metric_exporter, export_interval_millis=_METRIC_EXPORT_INTERVAL_MS
            )
        )
    return Telemetry(
        service_name=settings.service_name,
        tracer_provider=tracer_provider,
        meter_provider=MeterProvider(resource=resource, metric_readers=readers),
        span_exporter=memory_spans,
        metric_reader=memory_metrics,
    )


def _exporters(settings: TelemetrySettings) -> tuple[SpanExporter, Any]:
    if settings.exporter == "console":
        from opentelemetry.sdk.metrics.export import ConsoleMetricExporter
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter(), ConsoleMetricExporter()
    # Imported here: the OTLP exporter pulls in its own gRPC channel machinery, which a
    # process that does not export should not pay for at start.
    traces = importlib.import_module("opentelemetry.exporter.otlp.proto.grpc.trace_exporter")
    metric = importlib.import_module("opentelemetry.exporter.otlp.proto.grpc.metric_exporter")
    endpoint = {"endpoint": settings.otlp_endpoint} if settings.otlp_endpoint else {}
    span_exporter: SpanExporter = traces.OTLPSpanExporter(**endpoint)
    return span_exporter, metric.OTLPMetricExporter(**endpoint)


_lock = threading.Lock()
_installed: Telemetry | None = None


def setup_telemetry(settings: Settings | TelemetrySettings) -> Telemetry:
    """Set up this process's telemetry once; later calls return the first result.

    "Once" counts from the first call that turns telemetry on: a process whose first
    host ran with the exporter ``none`` may still switch it on later. When an SDK tracer
    provider is already installed globally, the exporter is added to it.
    """
    global _installed
    wanted = settings.telemetry if isinstance(settings, Settings) else settings
    with _lock:
        if _installed is not None and (_installed.enabled or not wanted.enabled):
            if wanted.service_name != _installed.service_name:
                logger.warning(
                    "telemetry is already set up for %s; ignoring the request for %s",
                    _installed.service_name,
                    wanted.service_name,
                )
            return _installed
        if not wanted.enabled:
            _installed = build_telemetry(wanted)
            return _installed
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.trace import TracerProvider

        existing = trace.get_tracer_provider()
        reuse = existing if isinstance(existing, TracerProvider) else None
        telemetry = build_telemetry(wanted, tracer_provider=reuse)
        if telemetry.tracer_provider is not None and telemetry.meter_provider is not None:
            if reuse is None:
                trace.set_tracer_provider(telemetry.tracer_provider)
            if not isinstance(metrics.get_meter_provider(), MeterProvider):
                metrics.set_meter_provider(telemetry.meter_provider)
            telemetry.installed_globally = True
        _installed = telemetry
        return telemetry


__all__ = ["Telemetry", "build_telemetry", "setup_telemetry"]
