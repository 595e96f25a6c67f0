"""The relay and the consumers record what they did as OpenTelemetry metrics."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry.sdk.metrics.export import InMemoryMetricReader

from ses_core.testing import eventually, running

pytestmark = pytest.mark.integration


def _sums(reader: InMemoryMetricReader, name: str) -> dict[tuple[tuple[str, Any], ...], float]:
    """The current value of counter ``name`` per attribute set."""
    totals: dict[tuple[tuple[str, Any], ...], float] = {}
    data = reader.get_metrics_data()
    for resource in data.resource_metrics if data else ():
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                if metric.name == name:
                    for point in metric.data.data_points:
                        key = tuple(sorted((point.attributes or {}).items()))
                        totals[key] = totals.get(key, 0) + point.value
    return totals


async def test_published_and_handled_events_are_counted(tally_service, js, metric_reader):
    applied_key = (("consumer", "tally-audit"), ("outcome", "applied"))
    published_before = sum(_sums(metric_reader, "ses.outbox.published").values())
    applied_before = _sums(metric_reader, "ses.events.handled").get(applied_key, 0)

    tally_service.create_tally(bumps=3)
    relay = tally_service.relay(js)
    assert await relay.relay_pending() == 3
    async with running(tally_service.consumer(js).run()):
        await eventually(lambda: len(tally_service.received()) == 3)
        # The consumer counts a delivery after its ack, which follows the commit the
        # test has just seen: wait for the count too.
        await eventually(
            lambda: (
                _sums(metric_reader, "ses.events.handled").get(applied_key, 0) >= applied_before + 3
            ),
            message="three applied deliveries counted",
        )

    published = sum(_sums(metric_reader, "ses.outbox.published").values())
    handled = _sums(metric_reader, "ses.events.handled")
    assert published - published_before == 3
    assert handled[applied_key] - applied_before == 3
    durations = [
        metric
        for resource in metric_reader.get_metrics_data().resource_metrics
        for scope in resource.scope_metrics
        for metric in scope.metrics
        if metric.name == "ses.events.handling_time"
    ]
    assert durations, "the consumer records how long applying an event took"
