"""Fixtures for the gRPC kit tests: signing keys, a verifier and real grpc.aio servers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc.aio
import pytest
from grpckit_support import StartServer, ThingServicer

from ses_core.identity import Actor, AgencyRole, ComplaintsPermission
from ses_core.platform.grpc import GrpcServer, ServerConfig, create_server
from ses_core.platform.identity import KeyRing, StaticJwks, TokenIssuer, TokenVerifier

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
async def start_server(
    servicer: ThingServicer, verifier: TokenVerifier
) -> AsyncIterator[StartServer]:
    """Start a real server on a free port hosting the test service; stopped at teardown."""
    started: list[tuple[GrpcServer, grpc.aio.Channel]] = []

    async def start(**options: Any) -> tuple[GrpcServer, grpc.aio.Channel]:
        options.setdefault("verifier", verifier)
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
