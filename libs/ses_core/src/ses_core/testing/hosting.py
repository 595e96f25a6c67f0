"""Run services in-process against real servers, and sign tokens for any actor.

A suite starts a :class:`~ses_core.platform.runtime.ServiceHost` with
:func:`hosted` (a free gRPC port, SQLite or PostgreSQL databases, the test's
``nats-server``), then talks to it over a real gRPC channel. :func:`bearer`
signs an access token for an actor with the host's own key ring, so a test
can act as any agency or company user without going through sign-in.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from ses_core.identity import Actor
from ses_core.platform.identity import KeyRing, TokenIssuer
from ses_core.platform.runtime import ServiceHost, ServicePlugin
from ses_core.platform.settings import Settings, load_settings
from ses_core.ports import Clock, SystemClock


def host_settings(
    data_dir: Path,
    *,
    nats_url: str,
    database_urls: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Settings for a test host: port 0 (free), the given broker and databases."""
    return load_settings(
        data_dir=data_dir,
        grpc={"port": 0, "shutdown_grace_seconds": 2.0},
        nats={"url": nats_url},
        database=dict(database_urls or {}),
        **overrides,
    )


@asynccontextmanager
async def hosted(
    settings: Settings,
    plugins: Sequence[ServicePlugin],
    *,
    clock: Clock | None = None,
) -> AsyncIterator[ServiceHost]:
    """A started host for the length of the block; stopped (drained) afterwards."""
    host = ServiceHost(settings, plugins, clock=clock or SystemClock())
    await host.start()
    try:
        yield host
    finally:
        await host.stop()


def bearer(settings: Settings, actor: Actor, *, amr: Sequence[str] = ("pwd", "otp")) -> str:
    """An ``authorization`` metadata value for ``actor``, signed by the host's key ring."""
    path = settings.identity.signing_key_path
    assert path is not None
    issuer = TokenIssuer(KeyRing.load_or_create(path), settings.identity.issuer)
    token = issuer.issue_access(actor, settings.identity.audience, amr=amr).token
    return f"Bearer {token}"


def metadata_for(
    settings: Settings, actor: Actor, *, idempotency_key: str | None = None
) -> tuple[tuple[str, str], ...]:
    """gRPC call metadata acting as ``actor`` (and an idempotency key when given)."""
    pairs = [("authorization", bearer(settings, actor))]
    if idempotency_key is not None:
        pairs.append(("idempotency-key", idempotency_key))
    return tuple(pairs)
