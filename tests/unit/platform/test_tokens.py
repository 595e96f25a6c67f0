"""Identity tokens: keys, rotation, issuing, claims ⇄ actor and verification rules."""

from __future__ import annotations

import stat
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest

from ses_core.errors import Unauthenticated
from ses_core.identity import Actor, AgencyRole, ComplaintsPermission
from ses_core.platform.identity import (
    KeyRing,
    KeyRingFileJwks,
    OidcJwks,
    RemoteJwks,
    SigningKey,
    StaticJwks,
    TokenIssuer,
    TokenVerifier,
    actor_claims,
    actor_from_claims,
    jwks_source_from_settings,
    refresh_token_matches,
)
from ses_core.platform.settings import IdentitySettings

ISSUER = "urn:ses:test-identity"

ACTORS = [
    Actor.agency_user("u-1", "agency-ny", AgencyRole.COMPLAINT_SUPERVISOR),
    Actor.company_user(
        "u-2",
        "company-42",
        ComplaintsPermission.MANAGE,
        account_admin=True,
        complaints_contact=True,
    ),
    Actor.company_user("u-3", "company-42", ComplaintsPermission.VIEW),
    Actor.platform_operator("u-4"),
]


def _verifier(ring: KeyRing, **options: Any) -> TokenVerifier:
    return TokenVerifier(StaticJwks(ring.jwks()), issuer=ISSUER, audience="ses", **options)


@pytest.mark.parametrize("actor", ACTORS, ids=lambda a: a.user_id)
async def test_an_issued_token_verifies_back_to_the_same_actor(actor: Actor) -> None:
    ring = KeyRing.generate()
    issued = TokenIssuer(ring, ISSUER).issue_access(actor, "ses")
    verified = await _verifier(ring).verify(issued.token)
    assert verified.actor == actor
    assert verified.token_id == issued.token_id
    assert verified.expires_at == issued.expires_at
    assert verified.amr == ("pwd", "otp")


def test_access_tokens_carry_the_registered_and_ses_claims() -> None:
    ring = KeyRing.generate()
    now = datetime(2030, 3, 4, 15, 0, tzinfo=UTC)
    issued = TokenIssuer(ring, ISSUER, clock=lambda: now).issue_access(
        ACTORS[1], "ses", ttl=timedelta(minutes=5)
    )
    header = jwt.get_unverified_header(issued.token)
    claims = jwt.decode(issued.token, options={"verify_signature": False})
    assert header == {"alg": "ES256", "kid": ring.current.kid, "typ": "JWT"}
    stamp = int(now.timestamp())
    assert claims == {
        "iss": ISSUER,
        "aud": "ses",
        "sub": "u-2",
        "iat": stamp,
        "nbf": stamp,
        "exp": stamp + 300,
        "jti": issued.token_id,
        "amr": ["pwd", "otp"],
        "side": "company",
        "company": "company-42",
        "permission": "manage",
        "roles": ["account_admin", "complaints_contact"],
    }


def test_agency_claims_name_the_tenant_and_the_one_role() -> None:
    assert actor_claims(ACTORS[0]) == {
        "sub": "u-1",
        "side": "agency",
        "tenant": "agency-ny",
        "roles": ["complaint_supervisor"],
    }


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "u-1", "side": "agency", "roles": ["complaint_manager"]},  # no tenant
        {"sub": "u-1", "side": "agency", "tenant": "t", "roles": "complaint_manager"},
        {
            "sub": "u-1",
            "side": "agency",
            "tenant": "t",
            "roles": ["complaint_manager", "complaint_viewer"],
        },
        {"sub": "u-1", "side": "martian", "roles": []},
        {"sub": "", "side": "platform", "roles": ["platform_operator"]},
    ],
)
def test_claims_that_describe_no_valid_user_are_unauthenticated(
    claims: Mapping[str, Any],
) -> None:
    with pytest.raises(Unauthenticated) as refused:
        actor_from_claims(claims)
    assert refused.value.reason == "token_claims_invalid"
    assert refused.value.message.startswith("The access token does not describe a SES user (")


async def test_mfa_is_required_unless_switched_off() -> None:
    ring = KeyRing.generate()
    token = TokenIssuer(ring, ISSUER).issue_access(ACTORS[0], "ses", amr=["pwd"]).token
    with pytest.raises(Unauthenticated, match="without a second factor"):
        await _verifier(ring).verify(token)
    assert (await _verifier(ring, require_mfa=False).verify(token)).actor == ACTORS[0]


def test_a_verifier_refuses_to_be_configured_with_symmetric_algorithms() -> None:
    with pytest.raises(ValueError, match="HS256"):
        _verifier(KeyRing.generate(), algorithms=frozenset({"ES256", "HS256"}))


def test_an_access_token_needs_a_positive_lifetime() -> None:
    with pytest.raises(ValueError, match="positive lifetime"):
        TokenIssuer(KeyRing.generate(), ISSUER).issue_access(ACTORS[0], "ses", ttl=timedelta(0))


def test_the_key_id_is_derived_from_the_public_key() -> None:
    key = SigningKey.generate()
    again = SigningKey.from_pem(key.to_pem())
    assert again.kid == key.kid
    assert SigningKey.generate().kid != key.kid
    jwk = key.public_jwk()
    assert set(jwk) == {"kty", "crv", "x", "y", "kid", "use", "alg"}
    assert (jwk["kty"], jwk["crv"], jwk["alg"], jwk["use"]) == ("EC", "P-256", "ES256", "sig")


def test_rotation_keeps_one_previous_key_and_drops_the_one_before() -> None:
    first = KeyRing.generate()
    second = first.rotate()
    third = second.rotate()
    kids = lambda ring: [jwk["kid"] for jwk in ring.jwks()["keys"]]  # noqa: E731
    assert kids(second) == [second.current.kid, first.current.kid]
    assert kids(third) == [third.current.kid, second.current.kid]
    assert kids(third.retire_previous()) == [third.current.kid]


def test_the_key_ring_file_is_private_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "identity" / "signing-keys.json"
    ring = KeyRing.load_or_create(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert KeyRing.load_or_create(path).jwks() == ring.jwks()
    rotated = ring.rotate()
    rotated.save(path)
    assert KeyRing.load(path).jwks() == rotated.jwks()


def test_a_damaged_key_ring_file_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "signing-keys.json"
    path.write_text("{not json")
    with pytest.raises(ValueError, match="Restore the file from backup, or move it away"):
        KeyRing.load(path)


def test_refresh_tokens_are_opaque_and_stored_as_digests() -> None:
    issuer = TokenIssuer(KeyRing.generate(), ISSUER)
    first, second = issuer.issue_refresh(), issuer.issue_refresh()
    assert first.value.startswith("sesrt_")
    assert first.value != second.value
    assert first.digest != first.value
    assert len(first.digest) == 64
    assert refresh_token_matches(first.value, first.digest)
    assert not refresh_token_matches(second.value, first.digest)
    with pytest.raises(jwt.DecodeError):
        jwt.get_unverified_header(first.value)


class CountingFetcher:
    """Stands in for HTTP: serves the current document and counts the requests."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self.requests = 0
        self.fail = False

    async def __call__(self, url: str) -> Mapping[str, Any]:
        self.requests += 1
        if self.fail:
            raise OSError("connection refused")
        return self.document


async def test_a_remote_jwks_is_fetched_once_and_cached() -> None:
    ring = KeyRing.generate()
    fetcher = CountingFetcher(ring.jwks())
    verifier = TokenVerifier(
        RemoteJwks("https://keys.example/jwks", fetch=fetcher), issuer=ISSUER, audience="ses"
    )
    token = TokenIssuer(ring, ISSUER).issue_access(ACTORS[0], "ses").token
    for _ in range(5):
        await verifier.verify(token)
    assert fetcher.requests == 1


async def test_cached_keys_keep_working_while_the_provider_is_down() -> None:
    ring = KeyRing.generate()
    fetcher = CountingFetcher(ring.jwks())
    source = RemoteJwks(
        "https://keys.example/jwks", fetch=fetcher, cache_seconds=1, min_refresh_interval=0
    )
    assert await source.key_for(ring.current.kid) is not None
    fetcher.fail = True
    source._fetched_at -= 10  # the cache is now stale, so the next lookup refetches
    assert await source.key_for(ring.current.kid) is not None
    assert fetcher.requests == 2


async def test_the_key_ring_file_source_picks_up_a_rotation(tmp_path: Path) -> None:
    path = tmp_path / "signing-keys.json"
    ring = KeyRing.load_or_create(path)
    source = KeyRingFileJwks(path, min_refresh_interval=0)
    assert await source.key_for(ring.current.kid) is not None
    rotated = ring.rotate()
    rotated.save(path)
    assert await source.key_for(rotated.current.kid) is not None
    assert await source.key_for(ring.current.kid) is not None


def test_settings_choose_the_key_source(tmp_path: Path) -> None:
    assert isinstance(
        jwks_source_from_settings(IdentitySettings(oidc_issuer="https://kc.example/realms/ses")),
        OidcJwks,
    )
    assert isinstance(
        jwks_source_from_settings(IdentitySettings(jwks_url="https://k.example/jwks")), RemoteJwks
    )
    local = jwks_source_from_settings(IdentitySettings(signing_key_path=tmp_path / "k.json"))
    assert isinstance(local, KeyRingFileJwks)
