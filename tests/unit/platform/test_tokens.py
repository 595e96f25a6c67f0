"""Identity tokens: keys, rotation, issuing, claims ⇄ identity and verification rules."""

from __future__ import annotations

import stat
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest

from ses_core.errors import Unauthenticated
from ses_core.identity import Actor, AgencyRole, ComplaintsPermission, Identity, Side
from ses_core.platform.identity import (
    KeyRing,
    KeyRingFileJwks,
    OidcJwks,
    RemoteJwks,
    SigningKey,
    StaticJwks,
    TokenIssuer,
    TokenVerifier,
    UserMatch,
    identity_claims,
    identity_from_claims,
    jwks_source_from_settings,
    refresh_token_matches,
    verifier_from_settings,
)
from ses_core.platform.settings import IdentitySettings

ISSUER = "urn:ses:test-identity"

IDENTITIES = [
    Identity(user_id="u-1", side=Side.AGENCY, organization_id="agency-ny"),
    Identity(user_id="u-2", side=Side.COMPANY, organization_id="company-42"),
    Identity(user_id="u-4", side=Side.PLATFORM),
]
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


@pytest.mark.parametrize("identity", IDENTITIES, ids=lambda i: i.user_id)
async def test_an_issued_token_verifies_back_to_the_same_identity(identity: Identity) -> None:
    ring = KeyRing.generate()
    issued = TokenIssuer(ring, ISSUER).issue_access(identity, "ses")
    verified = await _verifier(ring).verify(issued.token)
    assert verified.identity == identity
    assert verified.token_id == issued.token_id
    assert verified.expires_at == issued.expires_at
    assert verified.amr == ("pwd", "otp")


@pytest.mark.parametrize("actor", ACTORS, ids=lambda a: a.user_id)
def test_an_actor_is_issued_the_identity_of_its_user_and_organisation(actor: Actor) -> None:
    identity = actor.identity()
    assert (identity.user_id, identity.side) == (actor.user_id, actor.side)
    assert identity.organization_id == (actor.tenant_id or actor.company_id or "")


def test_access_tokens_carry_identity_claims_and_no_authority() -> None:
    ring = KeyRing.generate()
    now = datetime(2030, 3, 4, 15, 0, tzinfo=UTC)
    issued = TokenIssuer(ring, ISSUER, clock=lambda: now).issue_access(
        IDENTITIES[1], "ses", ttl=timedelta(minutes=5)
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
    }


def test_agency_claims_name_the_tenant() -> None:
    assert identity_claims(IDENTITIES[0]) == {"sub": "u-1", "side": "agency", "tenant": "agency-ny"}
    assert identity_claims(IDENTITIES[2]) == {"sub": "u-4", "side": "platform"}


def test_authority_claims_of_older_tokens_are_ignored() -> None:
    claims = {"sub": "u-1", "side": "agency", "tenant": "t", "roles": ["complaint_supervisor"]}
    assert identity_from_claims(claims) == Identity(
        user_id="u-1", side=Side.AGENCY, organization_id="t"
    )


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "u-1", "side": "agency"},  # no tenant
        {"sub": "u-1", "side": "company", "tenant": "t"},  # a company user names the company
        {"sub": "u-1", "side": "agency", "tenant": 7},
        {"sub": "u-1", "side": "martian"},
        {"sub": "", "side": "platform"},
    ],
)
def test_claims_that_name_no_user_are_unauthenticated(claims: Mapping[str, Any]) -> None:
    with pytest.raises(Unauthenticated) as refused:
        identity_from_claims(claims)
    assert refused.value.reason == "token_claims_invalid"
    assert refused.value.message.startswith("The access token does not name a SES user (")


@pytest.mark.parametrize(
    ("claims", "match", "identity"),
    [
        (
            {"sub": "ext-1", "email": "Ada@Agency.example", "email_verified": True},
            UserMatch.EMAIL,
            Identity(email="Ada@Agency.example"),
        ),
        ({"sub": "ext-1", "email": "ada@agency.example"}, UserMatch.EMAIL, None),
        ({"sub": "u-1", "email": "ada@agency.example"}, UserMatch.SUBJECT, Identity(user_id="u-1")),
    ],
)
def test_an_external_issuer_names_the_user_by_email_or_subject(
    claims: Mapping[str, Any], match: UserMatch, identity: Identity | None
) -> None:
    expected = identity or Identity(email="ada@agency.example")
    assert identity_from_claims(claims, match) == expected


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"sub": "ext-1"}, "token_email_missing"),
        ({"sub": "ext-1", "email": "not an address"}, "token_email_missing"),
        (
            {"sub": "ext-1", "email": "a@b.example", "email_verified": False},
            "token_email_unverified",
        ),
    ],
)
def test_an_external_token_without_a_usable_email_is_unauthenticated(
    claims: Mapping[str, Any], reason: str
) -> None:
    with pytest.raises(Unauthenticated) as refused:
        identity_from_claims(claims, UserMatch.EMAIL)
    assert refused.value.reason == reason


def test_settings_pick_how_tokens_name_users() -> None:
    external = IdentitySettings(oidc_issuer="https://kc.example/realms/ses")
    assert verifier_from_settings(external).user_match is UserMatch.EMAIL
    by_subject = IdentitySettings(oidc_issuer="https://kc.example", oidc_user_match="subject")
    assert verifier_from_settings(by_subject).user_match is UserMatch.SUBJECT
    published = IdentitySettings(jwks_url="https://k.example/jwks")
    assert verifier_from_settings(published).user_match is UserMatch.SES


def test_a_password_is_not_accepted_as_a_second_factor() -> None:
    with pytest.raises(ValueError, match="prove no second factor"):
        IdentitySettings(mfa_methods=["pwd", "otp"])


@pytest.mark.parametrize("amr", [["otp"], ["pwd", "mfa"], ["hwk"], ["swk"], ["sc"]])
async def test_the_default_second_factors_are_accepted(amr: list[str]) -> None:
    ring = KeyRing.generate()
    token = TokenIssuer(ring, ISSUER).issue_access(IDENTITIES[0], "ses", amr=amr).token
    verifier = _verifier(ring, mfa_methods=frozenset(IdentitySettings().mfa_methods))
    assert (await verifier.verify(token)).amr == tuple(amr)


async def test_mfa_is_required_unless_switched_off() -> None:
    ring = KeyRing.generate()
    token = TokenIssuer(ring, ISSUER).issue_access(IDENTITIES[0], "ses", amr=["pwd"]).token
    with pytest.raises(Unauthenticated, match="without a second factor"):
        await _verifier(ring).verify(token)
    assert (await _verifier(ring, require_mfa=False).verify(token)).identity == IDENTITIES[0]


def test_a_verifier_refuses_to_be_configured_with_symmetric_algorithms() -> None:
    with pytest.raises(ValueError, match="HS256"):
        _verifier(KeyRing.generate(), algorithms=frozenset({"ES256", "HS256"}))


def test_an_access_token_needs_a_positive_lifetime() -> None:
    with pytest.raises(ValueError, match="positive lifetime"):
        TokenIssuer(KeyRing.generate(), ISSUER).issue_access(IDENTITIES[0], "ses", ttl=timedelta(0))


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
    token = TokenIssuer(ring, ISSUER).issue_access(IDENTITIES[0], "ses").token
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
