"""Key rotation and external issuers, with the keys served over real HTTP."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import grpc
import jwt
import pytest
from grpckit_support import StartServer, StateActor, actor_json, call, failure, metadata

from ses_core.errors import Unavailable
from ses_core.identity import Actor
from ses_core.platform.identity import (
    KeyRing,
    OidcJwks,
    RemoteJwks,
    TokenIssuer,
    TokenVerifier,
    verifier_from_settings,
)
from ses_core.platform.settings import IdentitySettings
from ses_core.testing import error_reason

pytestmark = pytest.mark.integration


class JsonSite:
    """A real HTTP server answering GETs from a dict of path → JSON document."""

    def __init__(self) -> None:
        self.documents: dict[str, Any] = {}
        self.hits: Counter[str] = Counter()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.hits[self.path] += 1
                document = site.documents.get(self.path)
                body = json.dumps(document).encode()
                self.send_response(200 if document is not None else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str) -> str:
        return self.base_url + path


@pytest.fixture
def site() -> Iterator[JsonSite]:
    site = JsonSite()
    site.thread.start()
    yield site
    site.httpd.shutdown()
    site.httpd.server_close()


async def test_rotation_keeps_the_previous_key_valid_and_drops_the_one_before(
    start_server: StartServer, site: JsonSite, manager: Actor
) -> None:
    ring = KeyRing.generate()
    site.documents["/jwks"] = ring.jwks()
    issuer = TokenIssuer(ring, "urn:ses:test-identity")
    verifier = TokenVerifier(
        RemoteJwks(site.url("/jwks"), min_refresh_interval=0),
        issuer="urn:ses:test-identity",
        audience="ses",
    )
    _, channel = await start_server(verifier=verifier)
    token_1 = issuer.issue_access(manager.identity(), "ses").token
    assert await call(channel, "WhoAmI", md=metadata(token_1))
    assert site.hits["/jwks"] == 1

    issuer.keyring = ring.rotate()
    site.documents["/jwks"] = issuer.keyring.jwks()
    token_2 = issuer.issue_access(manager.identity(), "ses").token
    assert await call(channel, "WhoAmI", md=metadata(token_2))
    assert site.hits["/jwks"] == 2, "an unknown kid must make the verifier refetch the JWKS"
    assert await call(channel, "WhoAmI", md=metadata(token_1)), "previous key still valid"

    issuer.keyring = issuer.keyring.rotate()
    site.documents["/jwks"] = issuer.keyring.jwks()
    assert await call(
        channel, "WhoAmI", md=metadata(issuer.issue_access(manager.identity(), "ses").token)
    )
    error = await failure(channel, "WhoAmI", md=metadata(token_1))
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    assert error_reason(error) == "token_key_unknown"


async def test_unknown_kids_do_not_refetch_more_often_than_the_minimum_interval(
    site: JsonSite, manager: Actor
) -> None:
    site.documents["/jwks"] = KeyRing.generate().jwks()
    verifier = TokenVerifier(
        RemoteJwks(site.url("/jwks"), min_refresh_interval=3600),
        issuer="urn:ses:test-identity",
        audience="ses",
    )
    for _ in range(5):
        stranger = TokenIssuer(KeyRing.generate(), "urn:ses:test-identity")
        with pytest.raises(Exception, match="not \\(or no longer\\) trusted"):
            await verifier.verify(stranger.issue_access(manager.identity(), "ses").token)
    assert site.hits["/jwks"] == 1


class ExternalIssuer:
    """An OIDC issuer (think Keycloak or Okta) served from ``site``, minting its own tokens:
    a subject of its own, an e-mail address and how the user signed in; no SES claims."""

    def __init__(self, site: JsonSite) -> None:
        self.ring = KeyRing.generate()
        self.url = site.url("/realms/ses")
        site.documents["/realms/ses/.well-known/openid-configuration"] = {
            "issuer": self.url,
            "jwks_uri": site.url("/realms/ses/certs"),
        }
        site.documents["/realms/ses/certs"] = self.ring.jwks()

    def token(self, **claims: object) -> str:
        now = int(datetime.now(UTC).timestamp())
        key = self.ring.current
        payload = {
            "iss": self.url,
            "aud": "ses",
            "sub": "f3b9c1d2-external-subject",
            "iat": now,
            "exp": now + 300,
            "amr": ["pwd", "otp"],
            **claims,
        }
        return jwt.encode(payload, key.private_key, algorithm="ES256", headers={"kid": key.kid})

    def verifier(self, **settings: Any) -> TokenVerifier:
        return verifier_from_settings(
            IdentitySettings(oidc_issuer=self.url, audience="ses", **settings)
        )


MANAGER_EMAIL = "Max.Manager@Agency.example"


async def test_one_setting_switches_verification_to_an_external_oidc_issuer(
    start_server: StartServer, site: JsonSite, state: StateActor, manager: Actor
) -> None:
    state(manager, email=MANAGER_EMAIL)
    external = ExternalIssuer(site)
    _, channel = await start_server(verifier=external.verifier())

    # Only a verified e-mail address and a second factor: SES maps it to its own user.
    token = external.token(email="max.manager@agency.example", email_verified=True)
    assert Actor.model_validate(actor_json(await call(channel, "WhoAmI", md=metadata(token)))) == (
        manager
    )
    embedded = TokenIssuer(external.ring, "urn:ses:identity").issue_access(
        manager.identity(), "ses"
    )
    error = await failure(channel, "WhoAmI", md=metadata(embedded.token))
    assert error_reason(error) == "token_issuer_wrong"


async def test_an_external_issuer_may_name_the_ses_user_id_as_subject(
    start_server: StartServer, site: JsonSite, manager: Actor
) -> None:
    external = ExternalIssuer(site)
    _, channel = await start_server(verifier=external.verifier(oidc_user_match="subject"))

    token = external.token(sub=manager.user_id, amr=["hwk"])
    assert actor_json(await call(channel, "WhoAmI", md=metadata(token)))["user_id"] == "u-manager"


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"email": MANAGER_EMAIL, "email_verified": False}, "token_email_unverified"),
        ({}, "token_email_missing"),
        ({"email": MANAGER_EMAIL, "amr": ["pwd"]}, "mfa_required"),
        ({"email": "nobody@agency.example"}, "account_unknown"),
    ],
)
async def test_an_external_token_that_names_no_ses_user_is_unauthenticated(
    start_server: StartServer,
    site: JsonSite,
    state: StateActor,
    manager: Actor,
    claims: dict[str, object],
    reason: str,
) -> None:
    state(manager, email=MANAGER_EMAIL)
    external = ExternalIssuer(site)
    _, channel = await start_server(verifier=external.verifier())

    error = await failure(channel, "WhoAmI", md=metadata(external.token(**claims)))

    assert (error.code(), error_reason(error)) == (
        grpc.StatusCode.UNAUTHENTICATED,
        reason,
    )


async def test_a_discovery_document_for_another_issuer_is_not_trusted(site: JsonSite) -> None:
    site.documents["/.well-known/openid-configuration"] = {
        "issuer": "https://attacker.example",
        "jwks_uri": site.url("/certs"),
    }
    with pytest.raises(Unavailable, match="expected issuer"):
        await OidcJwks(site.base_url).key_for("any")
    assert site.hits["/certs"] == 0


async def test_an_unreachable_jwks_is_unavailable_not_unauthenticated(
    start_server: StartServer, site: JsonSite, issuer: TokenIssuer, manager: Actor
) -> None:
    verifier = TokenVerifier(
        RemoteJwks(site.url("/missing")), issuer="urn:ses:test-identity", audience="ses"
    )
    _, channel = await start_server(verifier=verifier)
    error = await failure(
        channel, "WhoAmI", md=metadata(issuer.issue_access(manager.identity(), "ses").token)
    )
    assert error.code() == grpc.StatusCode.UNAVAILABLE
    assert error_reason(error) == "jwks_unavailable"
