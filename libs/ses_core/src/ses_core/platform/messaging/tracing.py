"""Trace context over NATS headers: a getter/setter pair for the OpenTelemetry propagators.

Whatever propagator the process configured (W3C ``traceparent``/``tracestate`` and baggage
by default) reads and writes message headers through these. Header names are matched
without regard to case, as in HTTP.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping

from opentelemetry import propagate
from opentelemetry.context import Context
from opentelemetry.propagators.textmap import Getter, Setter


class NatsHeadersGetter(Getter[Mapping[str, str] | None]):
    def get(self, carrier: Mapping[str, str] | None, key: str) -> list[str] | None:
        if not carrier:
            return None
        wanted = key.lower()
        for name, value in carrier.items():
            if name.lower() == wanted:
                return [value]
        return None

    def keys(self, carrier: Mapping[str, str] | None) -> list[str]:
        return list(carrier or {})


class NatsHeadersSetter(Setter[MutableMapping[str, str]]):
    def set(self, carrier: MutableMapping[str, str], key: str, value: str) -> None:
        carrier[key] = value


nats_headers_getter = NatsHeadersGetter()
nats_headers_setter = NatsHeadersSetter()


def inject_trace_context(
    headers: MutableMapping[str, str], context: Context | None = None
) -> MutableMapping[str, str]:
    """Write the current (or given) trace context into ``headers``; returns them."""
    propagate.inject(headers, context=context, setter=nats_headers_setter)
    return headers


def extract_trace_context(headers: Mapping[str, str] | None) -> Context:
    """The trace context the headers carry (an empty context when they carry none)."""
    return propagate.extract(headers, getter=nats_headers_getter, context=Context())
