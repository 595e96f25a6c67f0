"""Run services in-process against real servers, and sign tokens for any actor.

A suite starts a :class:`~ses_core.platform.runtime.ServiceHost` with
:func:`hosted` (a free gRPC port, SQLite or PostgreSQL databases, the test's
``nats-server``), then talks to it over a real gRPC channel. :func:`bearer`
signs an access token for an actor with the host's own key ring, so a test
can act as any agency or company user without going through sign-in.

A token proves identity only; what the actor may do is read from each service's
directory (``ses_core.platform.authority``). So :func:`bearer` also states the
actor's authority (:func:`state_actor`) in every service database the settings
name that is already migrated, as the enrollment service would for a real user.
Call it after the host started. A real user's e-mail address and a deactivation
are kept. Services cache a user's authority for up to a second: a test that gives
one user id another authority waits for it to apply (or, better, changes users
through the enrollment service and polls).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from ses_core.accounts import UserAuthority
from ses_core.identity import Actor, Identity
from ses_core.platform.authority import find_authority, state_authority, user_authority_table
from ses_core.platform.db import create_database_engine, session_factory
from ses_core.platform.identity import KeyRing, TokenIssuer
from ses_core.platform.runtime import ServiceHost, ServicePlugin
from ses_core.platform.settings import SERVICES, Settings, load_settings
from ses_core.ports import Clock, SystemClock

# (database URL, user id) → the authority last stated there, so repeated tokens cost nothing.
_stated: dict[tuple[str, str], UserAuthority] = {}


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
    """An ``authorization`` metadata value for ``actor``, signed by the host's key ring,
    with ``actor``'s authority stated in the services' directories (:func:`state_actor`)."""
    state_actor(settings, actor)
    path = settings.identity.signing_key_path
    assert path is not None
    issuer = TokenIssuer(KeyRing.load_or_create(path), settings.identity.issuer)
    token = issuer.issue_access(actor.identity(), settings.identity.audience, amr=amr).token
    return f"Bearer {token}"


def state_actor(
    settings: Settings, actor: Actor, *, email: str = "", active: bool = True
) -> list[str]:
    """State ``actor``'s authority in every migrated service database of ``settings``, as
    the enrollment service does for its users; returns the services written to."""
    authority = UserAuthority.of(actor, email=email, active=active)
    written: list[str] = []
    for service in SERVICES:
        url = settings.database.url_for(service)
        if _stated.get((url, actor.user_id)) == authority:
            written.append(service)
        elif _state_in(url, authority):
            _stated[(url, actor.user_id)] = authority
            written.append(service)
    return written


def _kept(authority: UserAuthority, stored: UserAuthority | None) -> UserAuthority:
    """``authority``, keeping what a test token cannot know: a real user's e-mail address,
    and a deactivation (deactivation is final)."""
    if stored is None:
        return authority
    return authority.model_copy(
        update={
            "email": authority.email or stored.email,
            "active": authority.active and stored.active,
        }
    )


def _state_in(url: str, authority: UserAuthority) -> bool:
    database = make_url(url).database
    if url.startswith("sqlite") and not (database and Path(database).exists()):
        return False  # never create a database a host has not
    engine = create_database_engine(url)
    try:
        if not inspect(engine).has_table(user_authority_table.name):
            return False
        with session_factory(engine)() as session, session.begin():
            stored = find_authority(session, Identity(user_id=authority.user_id))
            wanted = _kept(authority, stored)
            if stored is None or stored.model_copy(update={"version": 0}) != wanted:
                state_authority(session, wanted, SystemClock().now())
        return True
    finally:
        engine.dispose()


def metadata_for(
    settings: Settings, actor: Actor, *, idempotency_key: str | None = None
) -> tuple[tuple[str, str], ...]:
    """gRPC call metadata acting as ``actor`` (and an idempotency key when given)."""
    pairs = [("authorization", bearer(settings, actor))]
    if idempotency_key is not None:
        pairs.append(("idempotency-key", idempotency_key))
    return tuple(pairs)
