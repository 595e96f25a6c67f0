"""Fixtures for the gRPC kit tests: signing keys, a verifier, a directory and real servers.

Tokens prove identity only; the actor of a call is what the directory (a real
``user_authority`` table in a SQLite file) says. ``manager`` and ``company_user`` are
stated there; ``state`` states any other actor (or another authority for one of them).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import grpc.aio
import pytest
from grpckit_support import StartServer, StateActor, ThingServicer
from sqlalchemy import Engine

from ses_core.accounts import UserAuthority
from ses_core.identity import Actor, AgencyRole, ComplaintsPermission
from ses_core.platform.authority import (
    SqlAuthorityDirectory,
    authority_metadata,
    state_authority,
)
from ses_core.platform.db import create_database_engine, session_factory, sqlite_url
from ses_core.platform.grpc import AuthorityRouter, GrpcServer, ServerConfig, create_server
from ses_core.platform.identity import KeyRing, StaticJwks, TokenIssuer, TokenVerifier
from ses_core.ports import SystemClock

ISSUER = "urn:ses:test-identity"
AUDIENCE = "ses"


@pytest.fixture
def keyring() -> KeyRing:
    return KeyRing.generate()


@pytest.fixture
def issuer(keyring: KeyRing) -> TokenIssuer:
    return TokenIssuer(keyring, ISSUER)


@pytest.fixture
def verifier(keyring: KeyRing) -> TokenVerifier:
    return TokenVerifier(StaticJwks(keyring.jwks()), issuer=ISSUER, audience=AUDIENCE)


@pytest.fixture
def manager() -> Actor:
    return Actor.agency_user("u-manager", "agency-ny", AgencyRole.COMPLAINT_MANAGER)


@pytest.fixture
def company_user() -> Actor:
    return Actor.company_user(
        "u-company", "company-42", ComplaintsPermission.MANAGE, complaints_contact=True
    )


@pytest.fixture
def servicer() -> ThingServicer:
    return ThingServicer()


@pytest.fixture
def directory_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_database_engine(sqlite_url(tmp_path, "directory"))
    authority_metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def state(directory_engine: Engine) -> StateActor:
    """``state(actor, active=True)``: state ``actor``'s authority in the directory."""

    def state_actor(actor: Actor, *, active: bool = True, email: str = "") -> UserAuthority:
        with session_factory(directory_engine)() as session, session.begin():
            authority = UserAuthority.of(actor, email=email, active=active)
            return state_authority(session, authority, SystemClock().now())

    return state_actor


@pytest.fixture
def directory(
    directory_engine: Engine, state: StateActor, manager: Actor, company_user: Actor
) -> SqlAuthorityDirectory:
    state(manager)
    state(company_user)
    return SqlAuthorityDirectory(directory_engine, wait_seconds=0.3, poll_interval=0.05)


@pytest.fixture
async def start_server(
    servicer: ThingServicer, verifier: TokenVerifier, directory: SqlAuthorityDirectory
) -> AsyncIterator[StartServer]:
    """Start a real server on a free port hosting the test service; stopped at teardown."""
    started: list[tuple[GrpcServer, grpc.aio.Channel]] = []

    async def start(**options: Any) -> tuple[GrpcServer, grpc.aio.Channel]:
        options.setdefault("verifier", verifier)
        if options["verifier"] is not None:
            options.setdefault("authority", AuthorityRouter(default=directory))
        server = create_server(
            ServerConfig(address="127.0.0.1:0"), [servicer.registration()], **options
        )
        await server.start()
        channel = grpc.aio.insecure_channel(server.address)
        started.append((server, channel))
        return server, channel

    yield start
    for server, channel in started:
        await channel.close()
        await server.stop(grace=0)
