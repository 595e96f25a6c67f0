"""Channels, tokens and call metadata shared by the sync and asyncio clients."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import grpc
import grpc.aio

MIB = 1024 * 1024

TokenSource = str | Callable[[], str]
"""An access token, or a function returning a current one (called before every call)."""

# Keepalive matches the server's policy (pings at most every 10 s) so that a dead
# connection is noticed during a long upload instead of hanging.
CHANNEL_OPTIONS: list[tuple[str, int]] = [
    ("grpc.max_receive_message_length", 4 * MIB),
    ("grpc.max_send_message_length", 4 * MIB),
    ("grpc.keepalive_time_ms", 30_000),
    ("grpc.keepalive_timeout_ms", 10_000),
]


def call_metadata(
    token: TokenSource, *, idempotency_key: str | None = None
) -> tuple[tuple[str, str], ...]:
    value = token() if callable(token) else token
    bearer = value if value.lower().startswith("bearer ") else f"Bearer {value}"
    pairs = [("authorization", bearer)]
    if idempotency_key is not None:
        pairs.append(("idempotency-key", idempotency_key))
    return tuple(pairs)


def new_idempotency_key() -> str:
    return str(uuid.uuid4())


def open_channel(target: str) -> grpc.Channel:
    """A plaintext channel (loopback, or a mesh that terminates TLS); pass your own
    ``grpc.secure_channel`` for TLS."""
    return grpc.insecure_channel(target, options=CHANNEL_OPTIONS)


def open_aio_channel(target: str) -> grpc.aio.Channel:
    return grpc.aio.insecure_channel(target, options=CHANNEL_OPTIONS)
