"""Why the embedded nats-server cannot run: each one sentence, with what to do about it."""

from __future__ import annotations

from ses_core.errors import ErrorKind, SesError


class NatsServerError(SesError):
    """nats-server is missing, would not start, or would not stop."""

    kind = ErrorKind.UNAVAILABLE
    default_reason = "nats_server_failed"


class StoreInUse(NatsServerError):
    """Another process already runs a nats-server on this JetStream store."""

    default_reason = "nats_store_in_use"
