"""Channels, tokens and call metadata shared by the sync and asyncio clients.

Channels use TLS unless asked not to (``insecure=True``, for a loopback address or a mesh
that terminates TLS itself), verified against the system's roots or ``root_certificates``
(PEM bytes, e.g. a private CA).
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import grpc
import grpc.aio

from ses_sdk._tokens import bearer

MIB = 1024 * 1024

TokenSource = str | Callable[[], str]
"""An access token, or a function returning a current one (called before every call)."""

AsyncTokenSource = TokenSource | Callable[[], Awaitable[str]]

# Keepalive matches the server's policy (pings at most every 10 s) so that a dead
# connection is noticed during a long upload instead of hanging. Reconnection backs off
# to 10 s at most (gRPC's default is 120 s), so a client retrying after a server restart
# finds it again within its retry budget.
CHANNEL_OPTIONS: list[tuple[str, int]] = [
    ("grpc.max_receive_message_length", 4 * MIB),
    ("grpc.max_send_message_length", 4 * MIB),
    ("grpc.keepalive_time_ms", 30_000),
    ("grpc.keepalive_timeout_ms", 10_000),
    ("grpc.initial_reconnect_backoff_ms", 200),
    ("grpc.max_reconnect_backoff_ms", 10_000),
]


def call_metadata(
    token: TokenSource, *, idempotency_key: str | None = None
) -> tuple[tuple[str, str], ...]:
    value = token() if callable(token) else token
    pairs = [("authorization", bearer(value))] if value else []
    if idempotency_key is not None:
        pairs.append(("idempotency-key", idempotency_key))
    return tuple(pairs)


async def call_metadata_async(
    token: AsyncTokenSource, *, idempotency_key: str | None = None
) -> tuple[tuple[str, str], ...]:
    value: Any = token() if callable(token) else token
    if inspect.isawaitable(value):
        value = await value
    return call_metadata(str(value), idempotency_key=idempotency_key)


def new_idempotency_key() -> str:
    return str(uuid.uuid4())


def _credentials(root_certificates: bytes | None) -> grpc.ChannelCredentials:
    return grpc.ssl_channel_credentials(root_certificates=root_certificates)


def open_channel(
    target: str,
    *,
    insecure: bool = False,
    root_certificates: bytes | None = None,
    options: Sequence[tuple[str, Any]] = (),
    interceptors: Sequence[Any] = (),
) -> grpc.Channel:
    """A channel to ``target`` (``host:port``): TLS unless ``insecure``."""
    chosen = [*CHANNEL_OPTIONS, *options]
    if insecure:
        channel = grpc.insecure_channel(target, options=chosen)
    else:
        channel = grpc.secure_channel(target, _credentials(root_certificates), options=chosen)
    return grpc.intercept_channel(channel, *interceptors) if interceptors else channel


def open_aio_channel(
    target: str,
    *,
    insecure: bool = False,
    root_certificates: bytes | None = None,
    options: Sequence[tuple[str, Any]] = (),
    interceptors: Sequence[Any] = (),
) -> grpc.aio.Channel:
    """An asyncio channel to ``target``: TLS unless ``insecure``."""
    chosen = [*CHANNEL_OPTIONS, *options]
    if insecure:
        return grpc.aio.insecure_channel(target, options=chosen, interceptors=interceptors)
    return grpc.aio.secure_channel(
        target, _credentials(root_certificates), options=chosen, interceptors=interceptors
    )
