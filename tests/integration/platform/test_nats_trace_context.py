"""Trace context crosses NATS: command span -> publish span -> consumer span, one trace."""

from __future__ import annotations

import pytest
from opentelemetry import trace
from opentelemetry.trace import SpanKind

from ses_core.testing import eventually, running

pytestmark = pytest.mark.integration


def process_spans(exporter):
    return [span for span in exporter.get_finished_spans() if span.name.endswith(" process")]


def publish_and_process_spans(exporter):
    """Both spans by name once both have finished, else None.

    The relay's PRODUCER span ends when it reads the PubAck, which may come after the
    consumer has applied the message and ended its span.
    """
    spans = {span.name: span for span in exporter.get_finished_spans()}
    wanted = ("ses.testing.v1.bumped publish", "ses.testing.v1.bumped process")
    return spans if all(name in spans for name in wanted) else None


async def test_the_consumer_span_continues_the_trace_of_the_command(
    tally_service, js, span_exporter
):
    with trace.get_tracer("test").start_as_current_span("CreateTally") as command:
        tally_service.create_tally(bumps=1)
    handler_trace_ids: list[int] = []

    def handler(event, uow):
        handler_trace_ids.append(trace.get_current_span().get_span_context().trace_id)
        tally_service.record_received(event, uow)

    async with (
        running(tally_service.relay(js).run()),
        running(tally_service.consumer(js, handler).run()),
    ):
        await eventually(lambda: len(tally_service.received()) == 1)
        spans = await eventually(lambda: publish_and_process_spans(span_exporter))

    trace_id = command.get_span_context().trace_id
    assert handler_trace_ids == [trace_id]
    publish = spans["ses.testing.v1.bumped publish"]
    process = spans["ses.testing.v1.bumped process"]
    assert (publish.kind, process.kind) == (SpanKind.PRODUCER, SpanKind.CONSUMER)
    assert publish.context.trace_id == process.context.trace_id == trace_id
    assert publish.parent.span_id == command.get_span_context().span_id
    assert process.parent.span_id == publish.context.span_id
    assert process.attributes["messaging.consumer.group.name"] == "tally-audit"


async def test_a_message_without_trace_headers_starts_a_new_trace(tally_service, js, span_exporter):
    await js.publish(
        "ses.testing.v1.bumped",
        b'{"tally_id": "t", "value": 1}',
        headers={"Nats-Msg-Id": "no-trace", "ses-tenant": "tenant-a"},
    )
    with trace.get_tracer("test").start_as_current_span("unrelated") as unrelated:
        async with running(tally_service.consumer(js).run()):
            await eventually(lambda: process_spans(span_exporter))

    [process] = process_spans(span_exporter)
    assert len(tally_service.received()) == 1
    assert process.parent is None
    assert process.context.trace_id != unrelated.get_span_context().trace_id
