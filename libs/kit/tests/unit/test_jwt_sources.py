"""The three key sources (shared secret, PEM public key, JWKS URL): tokens verify against each,
the algorithm is pinned (no `none`, no HS256 made with a public key, no other algorithm than
the configured one), iss/aud/exp are checked whatever the source, and a JWKS that cannot be
fetched turns into AuthError — remembered for a while, so requests do not queue on it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from lianxin.kit.auth import AuthError, JwksKeys, JwtVerifier, Principal
from lianxin.kit.settings import KitSettings
from pydantic import ValidationError

SECRET = "s" * 40
BASE = {"database_url": "postgresql+asyncpg://u@h/db", "kafka_bootstrap": "127.0.0.1:9092"}
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())


def pem(private_key: Any) -> str:
    return private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def settings(**kw: object) -> KitSettings:
    return KitSettings(**{**BASE, "environment": "dev", **kw})  # type: ignore[arg-type]


def claims(**overrides: object) -> dict[str, object]:
    """Good claims with some replaced (None: left out)."""
    base = {"sub": "cadre-1", "role": "cadre", "org_scope": ["t1"], "iss": "lianxin",
            "aud": "lianxin", "exp": int(time.time()) + 60, **overrides}
    return {k: v for k, v in base.items() if v is not None}


# --- a JWKS endpoint on a local thread -------------------------------------------------------
@dataclass
class Jwks:
    """What the local identity provider serves; `hits` counts fetches."""

    url: str = ""
    keys: list[dict[str, Any]] = field(default_factory=list)
    failing: bool = False
    hits: int = 0


@pytest.fixture
def jwks() -> Iterator[Jwks]:
    state = Jwks(keys=[{**RSAAlgorithm.to_jwk(RSA_KEY.public_key(), as_dict=True),
                        "kid": "rsa-1", "alg": "RS256", "use": "sig"}])

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.hits += 1
            body = b"down" if state.failing else json.dumps({"keys": state.keys}).encode()
            self.send_response(503 if state.failing else 200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


# --- one verifier and one signer per source --------------------------------------------------
Source = tuple[JwtVerifier, Callable[..., str]]


def source(kind: str, jwks: Jwks) -> Source:
    if kind == "secret":
        return JwtVerifier(settings(jwt_secret=SECRET)), lambda **c: jwt.encode(
            claims(**c), SECRET, algorithm="HS256")
    if kind == "public_key":
        return JwtVerifier(settings(jwt_public_key=pem(RSA_KEY))), lambda **c: jwt.encode(
            claims(**c), RSA_KEY, algorithm="RS256")
    return JwtVerifier(settings(jwt_jwks_url=jwks.url)), lambda **c: jwt.encode(
        claims(**c), RSA_KEY, algorithm="RS256", headers={"kid": "rsa-1"})


SOURCES = ["secret", "public_key", "jwks"]


@pytest.mark.parametrize("kind", SOURCES)
def test_each_source_verifies_its_tokens(kind: str, jwks: Jwks) -> None:
    verifier, sign = source(kind, jwks)
    assert verifier.verify(sign()) == Principal("cadre-1", "cadre", ("t1",))


@pytest.mark.parametrize("kind", SOURCES)
async def test_each_source_verifies_without_blocking_the_loop(kind: str, jwks: Jwks) -> None:
    verifier, sign = source(kind, jwks)
    assert (await verifier.from_header_async(f"Bearer {sign()}")).subject == "cadre-1"  # type: ignore[union-attr]


@pytest.mark.parametrize("kind", SOURCES)
@pytest.mark.parametrize(("overrides", "message"), [
    ({"exp": int(time.time()) - 10}, "expired"),
    ({"aud": "someone-else"}, "(?i)audience"),
    ({"iss": "evil"}, "(?i)issuer"),
    ({"exp": None}, "exp"),
    ({"sub": None}, "sub"),
])
def test_issuer_audience_and_expiry_are_checked_whatever_the_source(
        kind: str, jwks: Jwks, overrides: dict[str, object], message: str) -> None:
    verifier, sign = source(kind, jwks)
    with pytest.raises(AuthError, match=message):
        verifier.verify(sign(**overrides))


def unsigned(payload: dict[str, object], **header: object) -> str:
    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()
    return f"{part({'alg': 'none', 'typ': 'JWT', **header})}.{part(payload)}."


@pytest.mark.parametrize("kind", SOURCES)
def test_alg_none_is_refused(kind: str, jwks: Jwks) -> None:
    verifier, _ = source(kind, jwks)
    with pytest.raises(AuthError, match="not valid"):
        verifier.verify(unsigned(claims(), kid="rsa-1"))


def test_hs256_made_with_the_public_key_is_refused() -> None:
    """The classic confusion attack: the public key (which anyone has) used as an HMAC secret."""
    public = pem(RSA_KEY)
    head = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=")
    body = base64.urlsafe_b64encode(json.dumps(claims(role="admin")).encode()).rstrip(b"=")
    mac = hmac.new(public.encode(), head + b"." + body, hashlib.sha256).digest()
    token = (head + b"." + body + b"." + base64.urlsafe_b64encode(mac).rstrip(b"=")).decode()
    with pytest.raises(AuthError, match="must be signed with RS256"):
        JwtVerifier(settings(jwt_public_key=public)).verify(token)


def test_only_the_pinned_algorithm_is_accepted(jwks: Jwks) -> None:
    rs384 = jwt.encode(claims(), RSA_KEY, algorithm="RS384")
    with pytest.raises(AuthError, match="RS256"):
        JwtVerifier(settings(jwt_public_key=pem(RSA_KEY))).verify(rs384)
    assert JwtVerifier(settings(jwt_public_key=pem(RSA_KEY), jwt_algorithm="RS384")).verify(rs384)
    hs512 = jwt.encode(claims(), SECRET * 2, algorithm="HS512")
    with pytest.raises(AuthError, match="HS256"):
        JwtVerifier(settings(jwt_secret=SECRET * 2)).verify(hs512)
    ps256 = jwt.encode(claims(), RSA_KEY, algorithm="PS256", headers={"kid": "rsa-1"})
    with pytest.raises(AuthError, match="RS256"):  # the JWKS key says RS256
        JwtVerifier(settings(jwt_jwks_url=jwks.url)).verify(ps256)


def test_the_algorithm_follows_the_public_key() -> None:
    assert settings(jwt_public_key=pem(RSA_KEY)).jwt_algorithm == "RS256"
    assert settings(jwt_public_key=pem(EC_KEY)).jwt_algorithm == "ES256"
    assert settings(jwt_secret=SECRET).jwt_algorithm == "HS256"
    token = jwt.encode(claims(), EC_KEY, algorithm="ES256")
    assert JwtVerifier(settings(jwt_public_key=pem(EC_KEY))).verify(token).subject == "cadre-1"


@pytest.mark.parametrize(("override", "message"), [
    ({"jwt_secret": SECRET, "jwt_jwks_url": "https://idp/jwks"}, "exactly one"),
    ({"jwt_public_key": "-----BEGIN PUBLIC KEY-----\nxx\n-----END PUBLIC KEY-----"}, "not a PEM"),
    ({"jwt_public_key": pem(rsa.generate_private_key(public_exponent=65537, key_size=1024))},
     "under 2048"),
    ({"jwt_secret": SECRET, "jwt_algorithm": "none"}, "unsigned"),
    ({"jwt_secret": SECRET, "jwt_algorithm": "RS256"}, "HS256"),
    ({"jwt_public_key": pem(RSA_KEY), "jwt_algorithm": "HS256"}, "must be one of"),
    ({"jwt_public_key": pem(RSA_KEY), "jwt_algorithm": "ES256"}, "does not fit"),
    ({"jwt_jwks_url": "file:///etc/passwd"}, "http"),
    ({"jwt_jwks_url": "http://idp/jwks", "environment": "production"}, "https in production"),
])
def test_unusable_key_settings_are_refused_naming_the_variable(override: dict[str, object],
                                                               message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        settings(**override)


# --- JWKS specifics ---------------------------------------------------------------------------
def test_jwks_keys_are_cached(jwks: Jwks) -> None:
    verifier, sign = source("jwks", jwks)
    for _ in range(3):
        verifier.verify(sign())
    assert jwks.hits == 1


@pytest.mark.parametrize(("header", "message"), [
    ({"kid": "rsa-unknown"}, "not one the identity provider publishes"),
    ({}, "no 'kid'"),
])
def test_a_token_naming_no_published_key_is_refused(jwks: Jwks, header: dict[str, str],
                                                    message: str) -> None:
    verifier = JwtVerifier(settings(jwt_jwks_url=jwks.url))
    with pytest.raises(AuthError, match=message):
        verifier.verify(jwt.encode(claims(), RSA_KEY, algorithm="RS256", headers=header))


def test_a_jwks_outage_fails_fast_after_the_first_attempt(jwks: Jwks) -> None:
    jwks.failing = True
    keys = JwksKeys(jwks.url, timeout=2, retry_after=3600)
    token = jwt.encode(claims(), RSA_KEY, algorithm="RS256", headers={"kid": "rsa-1"})
    with pytest.raises(AuthError, match="could not be fetched"):
        keys.key_for(token)
    with pytest.raises(AuthError, match="unavailable"):
        keys.key_for(token)
    assert jwks.hits == 1  # the second request did not wait on the provider again


def test_after_the_retry_window_the_keys_are_fetched_again(jwks: Jwks) -> None:
    jwks.failing = True
    keys = JwksKeys(jwks.url, timeout=2, retry_after=0)
    token = jwt.encode(claims(), RSA_KEY, algorithm="RS256", headers={"kid": "rsa-1"})
    with pytest.raises(AuthError):
        keys.key_for(token)
    jwks.failing = False
    assert keys.key_for(token).key_id == "rsa-1"


def test_an_unreachable_jwks_is_an_auth_error() -> None:
    keys = JwksKeys("http://127.0.0.1:9/jwks.json", timeout=1)  # discard port: refused
    token = jwt.encode(claims(), EC_KEY, algorithm="ES256", headers={"kid": "k"})
    with pytest.raises(AuthError, match="could not be fetched"):
        keys.key_for(token)


def test_ec_keys_from_a_jwks(jwks: Jwks) -> None:
    jwks.keys = [{**ECAlgorithm.to_jwk(EC_KEY.public_key(), as_dict=True), "kid": "ec-1",
                  "use": "sig"}]
    verifier = JwtVerifier(settings(jwt_jwks_url=jwks.url, jwt_algorithm="ES256"))
    token = jwt.encode(claims(), EC_KEY, algorithm="ES256", headers={"kid": "ec-1"})
    assert verifier.verify(token).subject == "cadre-1"
