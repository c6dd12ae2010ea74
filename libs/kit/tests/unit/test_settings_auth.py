"""Settings fail fast on unsafe values; tokens are verified strictly."""

from __future__ import annotations

import time

import jwt
import pytest
from lianxin.kit.auth import AuthError, JwtVerifier, Principal, issue_token
from lianxin.kit.settings import KitSettings
from pydantic import ValidationError

SECRET = "dev-only-" + "x" * 40
BASE = {"database_url": "postgresql+asyncpg://u@h/db", "kafka_bootstrap": "127.0.0.1:9092"}


def settings(**kw: object) -> KitSettings:
    return KitSettings(**{**BASE, "environment": "dev", "jwt_secret": SECRET, **kw})  # type: ignore[arg-type]


@pytest.mark.parametrize(("override", "message"), [
    ({"database_url": "postgresql://u@h/db"}, "postgresql\\+asyncpg"),
    ({"jwt_secret": "short"}, "at least 32"),
    ({"jwt_secret": None}, "exactly one"),
    ({"environment": "production"}, "dev-stack secret"),
    ({"jwt_public_key": "-----BEGIN PUBLIC KEY-----"}, "exactly one"),
])
def test_unsafe_settings_are_refused_with_the_variable_named(override: dict[str, object],
                                                             message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        settings(**override)


def test_settings_read_lianxin_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIANXIN_DATABASE_URL", "postgresql+asyncpg://u@h/people")
    monkeypatch.setenv("LIANXIN_KAFKA_BOOTSTRAP", "k:9092")
    monkeypatch.setenv("LIANXIN_JWT_SECRET", "p" * 32)
    s = KitSettings()  # type: ignore[call-arg]
    assert (s.database_url, s.kafka_bootstrap, s.environment) == (
        "postgresql+asyncpg://u@h/people", "k:9092", "production")


def test_round_trip_token_gives_principal() -> None:
    token = issue_token(secret=SECRET, subject="cadre-7", role="cadre", org_scope=["t1"])
    p = JwtVerifier(settings()).from_header(f"Bearer {token}")
    assert p == Principal("cadre-7", "cadre", ("t1",))
    assert p.sees_path(["county", "t1", "v3"]) and not p.sees_path(["county", "t2"])


def test_permissions_travel_in_the_token() -> None:
    token = issue_token(secret=SECRET, subject="c", role="cadre", permissions=["pii:read"])
    assert JwtVerifier(settings()).verify(token).permissions == frozenset({"pii:read"})


@pytest.mark.parametrize(("claims", "message"), [
    ({"exp": int(time.time()) - 10}, "expired"),
    ({"aud": "someone-else"}, "not valid"),
    ({"iss": "evil"}, "not valid"),
    ({"role": "emperor"}, "role"),
    ({"org_scope": "t1"}, "org_scope"),
    ({"permissions": "pii:read"}, "permissions"),
])
def test_bad_tokens_are_refused(claims: dict[str, object], message: str) -> None:
    base = {"sub": "s", "role": "cadre", "org_scope": [], "iss": "lianxin", "aud": "lianxin",
            "exp": int(time.time()) + 60}
    token = jwt.encode({**base, **claims}, SECRET, algorithm="HS256")
    with pytest.raises(AuthError, match=message):
        JwtVerifier(settings()).verify(token)


def test_token_signed_with_another_key_is_refused() -> None:
    token = issue_token(secret="y" * 40, subject="s", role="admin")
    with pytest.raises(AuthError):
        JwtVerifier(settings()).verify(token)


@pytest.mark.parametrize("header", ["Basic abc", "Bearer ", "token"])
def test_malformed_header_is_refused(header: str) -> None:
    with pytest.raises(AuthError, match="Bearer"):
        JwtVerifier(settings()).from_header(header)


def test_no_header_is_anonymous() -> None:
    assert JwtVerifier(settings()).from_header(None) is None


async def test_a_websocket_client_signs_in_with_connection_init() -> None:
    """graphql-transport-ws carries no headers per operation: the token comes in the payload."""
    from lianxin.kit.graphql import context_getter

    verifier = JwtVerifier(settings())
    token = issue_token(secret=SECRET, subject="screen-1", role="screen")
    ctx = context_getter(verifier, None, None)
    ctx.connection_params = {"authorization": f"Bearer {token}"}
    with pytest.raises(AuthError):
        ctx.require()  # stored only: the server signs in when it accepts connection_init
    await ctx.sign_in_from_connection()
    assert ctx.require().subject == "screen-1"
    forged = context_getter(verifier, None, None)
    forged.connection_params = {"authorization": "Bearer not-a-token"}
    await forged.sign_in_from_connection()
    with pytest.raises(AuthError):
        forged.require()


def test_a_verified_token_is_remembered_until_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    verifier = JwtVerifier(settings())
    token = issue_token(secret=SECRET, subject="u1", role="cadre", org_scope=["o1"], ttl_seconds=60)
    decoded: list[str] = []
    real = jwt.decode
    monkeypatch.setattr(jwt, "decode", lambda t, *a, **kw: decoded.append(t) or real(t, *a, **kw))
    first = verifier.verify(token)
    assert verifier.verify(token) == first and decoded == [token]  # checked once, then known
    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(AuthError, match="expired"):
        verifier.verify(token)  # the remembered token expires like any other
    assert token not in verifier._verified  # forgotten: the next use is checked in full


def test_a_refused_token_is_never_remembered() -> None:
    verifier = JwtVerifier(settings())
    forged = issue_token(secret="another-secret-of-at-least-32-characters!!", subject="u1",
                         role="admin")
    for _ in range(2):
        with pytest.raises(AuthError, match="not valid"):
            verifier.verify(forged)


def test_the_remembered_tokens_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    import lianxin.kit.auth as auth

    monkeypatch.setattr(auth, "VERIFIED_CACHE_SIZE", 3)
    verifier = JwtVerifier(settings())
    tokens = [issue_token(secret=SECRET, subject=f"u{i}", role="cadre") for i in range(5)]
    for token in tokens:
        verifier.verify(token)
    assert list(verifier._verified) == tokens[2:]
