"""JetStream topology, connections and the publisher the outbox relay uses.

Streams (created or updated idempotently by :func:`ensure_streams`):

* ``SES_EVENTS`` holds every domain event, subjects ``ses.>``, file storage, a duplicate
  window of 30 minutes (dedupe on ``Nats-Msg-Id`` = event id) and limits retention: events
  stay for ``max_age`` whether or not anyone consumed them, so a consumer created later or
  offline for a while still finds them.
* ``SES_DEADLETTER`` holds the events a consumer gave up on, subjects ``deadletter.>``
  (``deadletter.<durable>.<original subject>``). A separate stream rather than a
  ``ses.deadletter...`` subject: a consumer of ``SES_EVENTS`` can never receive a dead
  letter, whatever its filter, and dead letters keep their own (longer) retention.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

import nats
import nats.errors
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError, NoStreamResponseError, ServiceUnavailableError
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_delay, wait_exponential

from ses_core.ports import OutboundMessage

_log = logging.getLogger(__name__)

EVENTS_STREAM = "SES_EVENTS"
EVENTS_SUBJECTS = ("ses.>",)
DEADLETTER_STREAM = "SES_DEADLETTER"
DEADLETTER_SUBJECTS = ("deadletter.>",)
DUPLICATE_WINDOW = timedelta(minutes=30)
# How long SES_EVENTS keeps an event: also how long a re-created durable consumer can be
# handed an old event again (see RetentionSettings.processed_events).
EVENTS_MAX_AGE = timedelta(days=30)
MSG_ID_HEADER = "Nats-Msg-Id"

# Errors that mean "the broker is away or not ready yet"; worth waiting out.
TRANSIENT_NATS_ERRORS: tuple[type[BaseException], ...] = (
    nats.errors.TimeoutError,
    nats.errors.ConnectionClosedError,
    nats.errors.ConnectionReconnectingError,
    nats.errors.NoRespondersError,
    nats.errors.NoServersError,
    nats.errors.StaleConnectionError,
    NoStreamResponseError,
    ServiceUnavailableError,
    TimeoutError,
    OSError,
)


def deadletter_subject(durable_name: str, original_subject: str) -> str:
    return f"deadletter.{durable_name}.{original_subject}"


def _stream_config(
    name: str, description: str, subjects: Sequence[str], max_age: timedelta, replicas: int
) -> StreamConfig:
    return StreamConfig(
        name=name,
        description=description,
        subjects=list(subjects),
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        discard=DiscardPolicy.OLD,
        duplicate_window=DUPLICATE_WINDOW.total_seconds(),
        max_age=max_age.total_seconds(),
        num_replicas=replicas,
    )


def events_stream_config(*, max_age: timedelta = EVENTS_MAX_AGE, replicas: int = 1) -> StreamConfig:
    return _stream_config(
        EVENTS_STREAM,
        "SES domain events, published from each service's outbox.",
        EVENTS_SUBJECTS,
        max_age,
        replicas,
    )


def deadletter_stream_config(
    *, max_age: timedelta = timedelta(days=90), replicas: int = 1
) -> StreamConfig:
    return _stream_config(
        DEADLETTER_STREAM,
        "Events a consumer gave up on after its last attempt; for people to inspect.",
        DEADLETTER_SUBJECTS,
        max_age,
        replicas,
    )


async def ensure_streams(
    js: JetStreamContext,
    *,
    events_max_age: timedelta = EVENTS_MAX_AGE,
    deadletter_max_age: timedelta = timedelta(days=90),
    replicas: int = 1,
) -> None:
    """Create both streams, or bring an existing one's configuration up to date.

    ``replicas`` is the stream replication factor: 1 for the embedded server, 3 on a
    production JetStream cluster (``SES_NATS__STREAM_REPLICAS``).
    """
    for config in (
        events_stream_config(max_age=events_max_age, replicas=replicas),
        deadletter_stream_config(max_age=deadletter_max_age, replicas=replicas),
    ):
        try:
            await js.add_stream(config)
        except BadRequestError:
            # Exists with another configuration (e.g. a changed max_age): update in place.
            await js.update_stream(config)


ConnectionWatcher = Callable[[bool], Awaitable[None]]


def server_urls(url: str | list[str]) -> list[str]:
    """The servers of ``SES_NATS__URL``: one URL, or a cluster's URLs separated by commas.

    nats-py parses a string as a single URL, so a cluster's list is split here; the client
    then reconnects to whichever server of the list (or of those the cluster announces)
    answers.
    """
    if isinstance(url, list):
        return url
    return [part.strip() for part in url.split(",") if part.strip()]


async def connect(
    url: str | list[str],
    *,
    name: str,
    connect_deadline: float = 30.0,
    on_connection_change: ConnectionWatcher | None = None,
) -> NatsClient:
    """A client that reconnects forever once connected, and retries the first connection
    for ``connect_deadline`` seconds (the embedded server may still be starting).

    ``on_connection_change(False)`` is awaited when the connection is lost and
    ``on_connection_change(True)`` once it is re-established (e.g. to report health).
    """

    async def on_error(error: Exception) -> None:
        _log.warning("NATS connection %s: %s", name, error)

    async def on_disconnect() -> None:
        _log.warning("NATS connection %s lost; reconnecting.", name)
        if on_connection_change is not None:
            await on_connection_change(False)

    async def on_reconnect() -> None:
        _log.info("NATS connection %s re-established.", name)
        if on_connection_change is not None:
            await on_connection_change(True)

    async def attempt() -> NatsClient:
        return await nats.connect(
            server_urls(url),
            name=name,
            allow_reconnect=True,
            max_reconnect_attempts=-1,
            reconnect_time_wait=0.5,
            connect_timeout=2,
            error_cb=on_error,
            disconnected_cb=on_disconnect,
            reconnected_cb=on_reconnect,
        )

    retrying = AsyncRetrying(
        retry=retry_if_exception_type(TRANSIENT_NATS_ERRORS),
        wait=wait_exponential(multiplier=0.1, max=2.0),
        stop=stop_after_delay(connect_deadline),
        reraise=True,
    )
    client: NatsClient = await retrying(attempt)
    return client


class JetStreamPublisher:
    """:class:`~ses_core.ports.EventPublisher` over JetStream: returns after the PubAck."""

    def __init__(self, js: JetStreamContext, *, timeout: float = 5.0) -> None:
        self._js = js
        self._timeout = timeout

    async def publish(self, message: OutboundMessage) -> None:
        headers = {**message.headers, MSG_ID_HEADER: message.message_id}
        ack = await self._js.publish(
            message.subject,
            message.payload,
            timeout=self._timeout,
            stream=EVENTS_STREAM,
            headers=headers,
        )
        if ack.duplicate:
            _log.debug("Event %s was already in the stream; deduplicated.", message.message_id)
