"""Authentication over a real server: which tokens get through and what the others hear."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import grpc
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpckit_support import StartServer, actor_json, call, failure, metadata

from ses_core.errors import Unauthenticated
from ses_core.identity import Actor
from ses_core.platform.grpc import (
    acting_as,
    current_actor,
    current_actor_or_none,
)
from ses_core.platform.identity import KeyRing, SigningKey, TokenIssuer
from ses_core.testing import error_reason

pytestmark = pytest.mark.integration

ISSUER = "urn:ses:test-identity"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(header: dict[str, object], claims: dict[str, object]) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"


def _valid_claims(manager: Actor) -> dict[str, object]:
    now = int(datetime.now(UTC).timestamp())
    return {
        "iss": ISSUER,
        "aud": "ses",
        "sub": manager.user_id,
        "iat": now,
        "exp": now + 600,
        "side": "agency",
        "tenant": manager.tenant_id,
        "roles": ["complaint_manager"],
        "amr": ["pwd", "otp"],
    }


async def _refusal(start_server: StartServer, token: str | None) -> tuple[str, str]:
    _, channel = await start_server()
    error = await failure(channel, "WhoAmI", md=metadata(token))
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    return str(error_reason(error)), str(error.details())


async def test_a_valid_token_reaches_the_handler_as_the_actor(
    start_server: StartServer, issuer: TokenIssuer, manager: Actor
) -> None:
    _, channel = await start_server()
    token = issuer.issue_access(manager.identity(), "ses").token
    assert Actor.model_validate(actor_json(await call(channel, "WhoAmI", md=metadata(token)))) == (
        manager
    )


async def test_a_call_without_a_token_is_unauthenticated(start_server: StartServer) -> None:
    reason, details = await _refusal(start_server, None)
    assert reason == "token_missing"
    assert "authorization: Bearer" in details


async def test_a_server_streaming_call_is_authenticated_too(
    start_server: StartServer, issuer: TokenIssuer, manager: Actor
) -> None:
    _, channel = await start_server()
    stream = channel.unary_stream("/ses.test.v1.ThingService/ListThings")
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        _ = [item async for item in stream(b"", timeout=30)]
    assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
    token = issuer.issue_access(manager.identity(), "ses").token
    items = [item async for item in stream(b"", metadata=metadata(token), timeout=30)]
    assert items == [b"first", manager.user_id.encode()]


async def test_an_expired_token_is_unauthenticated(
    start_server: StartServer, keyring: KeyRing, manager: Actor
) -> None:
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    stale = TokenIssuer(keyring, ISSUER, clock=lambda: an_hour_ago).issue_access(
        manager.identity(), "ses"
    )
    reason, details = await _refusal(start_server, stale.token)
    assert (reason, details) == (
        "token_expired",
        "The access token has expired; refresh it or sign in again.",
    )


async def test_a_token_signed_by_another_key_under_a_trusted_kid_is_forged(
    start_server: StartServer, keyring: KeyRing, manager: Actor
) -> None:
    impostor = SigningKey.generate()
    forged = jwt.encode(
        _valid_claims(manager),
        impostor.private_key,
        algorithm="ES256",
        headers={"kid": keyring.current.kid},
    )
    reason, _ = await _refusal(start_server, forged)
    assert reason == "token_signature_invalid"


async def test_a_token_with_altered_claims_is_forged(
    start_server: StartServer, issuer: TokenIssuer, manager: Actor
) -> None:
    header, _, signature = issuer.issue_access(manager.identity(), "ses").token.split(".")
    escalated = {**_valid_claims(manager), "roles": ["complaint_supervisor"]}
    tampered = f"{header}.{_b64(json.dumps(escalated).encode())}.{signature}"
    reason, _ = await _refusal(start_server, tampered)
    assert reason == "token_signature_invalid"


async def test_a_token_for_another_audience_is_unauthenticated(
    start_server: StartServer, issuer: TokenIssuer, manager: Actor
) -> None:
    reason, details = await _refusal(
        start_server, issuer.issue_access(manager.identity(), "some-other-api").token
    )
    assert reason == "token_audience_wrong"
    assert "'ses'" in details


async def test_a_token_from_another_issuer_is_unauthenticated(
    start_server: StartServer, keyring: KeyRing, manager: Actor
) -> None:
    foreign = TokenIssuer(keyring, "https://elsewhere.example").issue_access(
        manager.identity(), "ses"
    )
    reason, _ = await _refusal(start_server, foreign.token)
    assert reason == "token_issuer_wrong"


async def test_alg_none_is_refused(
    start_server: StartServer, keyring: KeyRing, manager: Actor
) -> None:
    unsigned = (
        _unsigned({"alg": "none", "typ": "JWT", "kid": keyring.current.kid}, _valid_claims(manager))
        + "."
    )
    reason, details = await _refusal(start_server, unsigned)
    assert reason == "token_algorithm_rejected"
    assert "'none'" in details


async def test_hmac_signed_with_the_public_key_is_refused(
    start_server: StartServer, keyring: KeyRing, manager: Actor
) -> None:
    # The classic confusion attack: HS256 keyed with the server's *public* key.
    public_pem = keyring.current.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = _unsigned(
        {"alg": "HS256", "typ": "JWT", "kid": keyring.current.kid}, _valid_claims(manager)
    )
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    reason, _ = await _refusal(start_server, f"{signing_input}.{_b64(mac)}")
    assert reason == "token_algorithm_rejected"


async def test_a_token_signed_with_an_untrusted_key_id_is_refused(
    start_server: StartServer, manager: Actor
) -> None:
    stranger = TokenIssuer(KeyRing.generate(), ISSUER).issue_access(manager.identity(), "ses")
    reason, _ = await _refusal(start_server, stranger.token)
    assert reason == "token_key_unknown"


async def test_a_token_without_a_second_factor_is_refused(
    start_server: StartServer, issuer: TokenIssuer, manager: Actor
) -> None:
    reason, _ = await _refusal(
        start_server, issuer.issue_access(manager.identity(), "ses", amr=["pwd"]).token
    )
    assert reason == "mfa_required"


async def test_garbage_in_the_authorization_header_is_unauthenticated(
    start_server: StartServer,
) -> None:
    reason, _ = await _refusal(start_server, "not-a-jwt")
    assert reason == "token_malformed"


async def test_health_is_public(start_server: StartServer) -> None:
    _, channel = await start_server()
    reply = await health_pb2_grpc.HealthStub(channel).Check(
        health_pb2.HealthCheckRequest(service=""), timeout=30
    )
    assert reply.status == health_pb2.HealthCheckResponse.SERVING


async def test_public_methods_run_without_an_actor(start_server: StartServer) -> None:
    _, channel = await start_server(public_methods=["/ses.test.v1.ThingService/CreateThing"])
    assert (await call(channel, "CreateThing", b"x")).endswith(b"by anonymous: x")


async def test_actors_do_not_leak_between_calls(
    start_server: StartServer, issuer: TokenIssuer, manager: Actor
) -> None:
    _, channel = await start_server(public_methods=["/ses.test.v1.ThingService/CreateThing"])
    token = issuer.issue_access(manager.identity(), "ses").token
    assert await call(channel, "WhoAmI", md=metadata(token))
    # A public call right after an authenticated one runs with no actor at all.
    assert (await call(channel, "CreateThing", b"y")).endswith(b"by anonymous: y")


def test_outside_a_call_there_is_no_actor_unless_one_is_bound(manager: Actor) -> None:
    with pytest.raises(Unauthenticated, match="needs a signed-in user"):
        current_actor()
    with acting_as(manager):
        assert current_actor() == manager
    assert current_actor_or_none() is None
