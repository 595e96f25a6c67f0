"""Trace context over NATS headers: what one side injects, the other side extracts."""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from ses_core.platform.messaging.tracing import (
    extract_trace_context,
    inject_trace_context,
    nats_headers_getter,
)

tracer = TracerProvider().get_tracer("test")  # local provider: the global one is untouched


def test_injected_headers_carry_the_current_span_to_the_extracting_side():
    with tracer.start_as_current_span("publish") as span:
        headers = inject_trace_context({"ses-tenant": "tenant-a"})

    assert headers["ses-tenant"] == "tenant-a"
    assert headers["traceparent"].split("-")[1] == f"{span.get_span_context().trace_id:032x}"
    remote = trace.get_current_span(extract_trace_context(headers)).get_span_context()
    assert remote.trace_id == span.get_span_context().trace_id
    assert remote.span_id == span.get_span_context().span_id
    assert remote.is_remote


def test_header_names_are_matched_regardless_of_case():
    with tracer.start_as_current_span("publish") as span:
        headers = inject_trace_context({})
    shouted = {name.upper(): value for name, value in headers.items()}

    remote = trace.get_current_span(extract_trace_context(shouted)).get_span_context()
    assert remote.trace_id == span.get_span_context().trace_id
    assert nats_headers_getter.get(shouted, "TraceParent") == [headers["traceparent"]]


def test_missing_headers_extract_to_no_parent_even_inside_another_span():
    with tracer.start_as_current_span("unrelated"):
        for headers in (None, {}, {"traceparent": "garbage"}):
            context = extract_trace_context(headers)
            assert not trace.get_current_span(context).get_span_context().is_valid
