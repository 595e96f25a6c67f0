"""Assembling the handlers' dependencies, for the host (``build``) and the command line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy.engine import Engine

from ses_core.platform.db import session_factory
from ses_core.platform.identity import KeyRing, TokenIssuer
from ses_core.platform.messaging import EventCodec, ProtobufEventCodec
from ses_core.platform.runtime import ServiceContext
from ses_core.platform.settings import Settings
from ses_core.ports import Clock, SystemClock
from ses_enrollment.credentials import LockoutPolicy
from ses_enrollment.handlers.common import Deps, Tokens
from ses_enrollment.links import LinkMaker
from ses_enrollment.passwords import Passwords
from ses_enrollment.settings import EnrollmentSettings, load_enrollment_settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def make_deps(
    enrollment: EnrollmentSettings,
    engine: Engine,
    *,
    codec: EventCodec,
    clock: Clock,
    tokens: Tokens | None = None,
    on_commit: Callable[[], None] | None = None,
    authority_stated: Callable[[str], None] | None = None,
) -> Deps:
    hasher = PasswordHasher(
        time_cost=enrollment.argon2_time_cost,
        memory_cost=enrollment.argon2_memory_kib,
        parallelism=enrollment.argon2_parallelism,
    )
    return Deps(
        sessions=session_factory(engine),
        codec=codec,
        clock=clock,
        links=LinkMaker(enrollment.activation_link_base, enrollment.activation_link_ttl),
        passwords=Passwords(hasher),
        lockout=LockoutPolicy(enrollment.lockout_threshold, enrollment.lockout_duration),
        tokens=tokens,
        on_commit=on_commit,
        authority_stated=authority_stated,
    )


def tokens_for(context: ServiceContext) -> Tokens | None:
    """Token issuing with the host's key ring; None when an external OIDC issuer signs."""
    identity = context.settings.identity
    if identity.trust_source == "oidc":
        return None
    if identity.trust_source == "local":
        ring = context.load_key_ring()
    else:  # other services fetch this ring's JWKS from a URL; the ring still lives here
        ring = KeyRing.load_or_create(context.key_ring_path)
    return Tokens(
        issuer=TokenIssuer(ring, identity.issuer),
        audience=identity.audience,
        access_ttl=identity.access_token_ttl,
        refresh_ttl=identity.refresh_token_ttl,
    )


def offline_deps(settings: Settings, engine: Engine) -> Deps:
    """Dependencies for administrative commands (no broker: the service relays later)."""
    return make_deps(
        load_enrollment_settings(),
        engine,
        codec=ProtobufEventCodec(),
        clock=SystemClock(),
    )
