"""JWT verification and the principal every request runs as.

The gateway verifies tokens; each subgraph verifies them again (defence in depth), so a
subgraph reached directly is no weaker than the gateway. The key comes from exactly one source
(settings): a shared secret (dev stack, tests), a PEM public key, or the identity provider's
JWKS URL; the algorithm is pinned per source, never taken from the token.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import jwt
from lianxin.kit.errors import CodedError
from lianxin.kit.settings import KitSettings

log = logging.getLogger(__name__)

ROLES = ("resident", "cadre", "supervisor", "analyst", "screen", "admin", "system")


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: the token's subject, role and org scope (root ids of visible subtrees)."""

    subject: str
    role: str
    org_scope: tuple[str, ...] = ()
    # Extra grants beyond the role, e.g. "pii:read" (see lianxin.kit.audit).
    permissions: frozenset[str] = frozenset()

    @property
    def is_admin(self) -> bool:
        return self.role in ("admin", "system")

    def sees_path(self, path: Sequence[str]) -> bool:
        """True when an org unit with this materialised path lies inside the principal's scope."""
        return self.is_admin or any(unit in self.org_scope for unit in path)


SYSTEM = Principal(subject="system", role="system")


class AuthError(CodedError):
    """The token is missing, malformed, expired or not for us."""

    code = "UNAUTHENTICATED"


# JWKS: how long one request may wait for the identity provider, how often keys are fetched
# again (picks up rotations), and how long a failed fetch is remembered — while the provider is
# down requests are refused at once instead of each queueing for its own timeout.
JWKS_TIMEOUT_S = 3.0
JWKS_LIFESPAN_S = 300.0
JWKS_RETRY_AFTER_S = 10.0


class JwksKeys:
    """Signing keys by `kid` from a JWKS URL, cached by PyJWT's PyJWKClient (which also refetches
    at most every 30 s for an unknown kid, so forged kids cannot hammer the provider)."""

    def __init__(self, url: str, *, timeout: float = JWKS_TIMEOUT_S,
                 lifespan: float = JWKS_LIFESPAN_S, retry_after: float = JWKS_RETRY_AFTER_S) -> None:
        self.url = url
        self._client = jwt.PyJWKClient(url, cache_jwk_set=True, lifespan=lifespan, timeout=timeout)
        self._retry_after = retry_after
        self._lock = threading.Lock()  # one fetch at a time; the others then read the cache
        self._down_until = 0.0

    def key_for(self, token: str) -> jwt.PyJWK:
        """The key the token names (blocking: may fetch the key set); AuthError otherwise."""
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.InvalidTokenError as exc:
            raise AuthError(f"the token is not valid: {exc}") from exc
        if not isinstance(kid, str) or not kid:
            raise AuthError("the token has no 'kid' header naming its signing key")
        with self._lock:
            if time.monotonic() < self._down_until:
                raise AuthError("the identity provider's signing keys are unavailable; "
                                "try again in a few seconds")
            try:
                return self._client.get_signing_key(kid)
            except jwt.PyJWKClientConnectionError as exc:
                self._down_until = time.monotonic() + self._retry_after
                log.warning("fetching the JWKS from %s failed: %s", self.url, exc)
                raise AuthError("the identity provider's signing keys could not be fetched; "
                                "try again in a few seconds") from exc
            except (jwt.PyJWKClientError, jwt.PyJWKSetError) as exc:
                raise AuthError(f"the token's signing key {kid!r} is not one the identity "
                                f"provider publishes ({exc})") from exc


VERIFIED_CACHE_SIZE = 4096  # tokens remembered as verified (a client sends its token many times)


class JwtVerifier:
    """Verifies bearer tokens against the configured key, algorithm, issuer and audience.

    A token verified once is remembered (up to VERIFIED_CACHE_SIZE, least recently used out)
    with its principal until it expires: the same bytes always verify the same way, and
    checking the signature and claims again cost about a tenth of a small request's CPU
    (bench/RESULTS.md, P2). Only its expiry is checked again on each use."""

    def __init__(self, settings: KitSettings) -> None:
        assert settings.jwt_algorithm is not None  # pinned by settings validation
        self._algorithms = [settings.jwt_algorithm]
        self.jwks = JwksKeys(settings.jwt_jwks_url) if settings.jwt_jwks_url else None
        self._key: str = ""
        if settings.jwt_secret is not None:
            self._key = settings.jwt_secret.get_secret_value()
        elif settings.jwt_public_key is not None:
            self._key = settings.jwt_public_key
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()
        self._verified_lock = threading.Lock()  # verify() may run in threads too

    def verify(self, token: str) -> Principal:
        """Return the token's principal or raise AuthError saying what is wrong. With a JWKS URL
        this may block on a fetch (at most JWKS_TIMEOUT_S): async code uses `verify_async`."""
        known = self._remembered(token)
        if known is not None:
            return known
        return self._decode(token, self.jwks.key_for(token) if self.jwks else self._key)

    async def verify_async(self, token: str) -> Principal:
        """`verify` without blocking the event loop: a JWKS lookup runs in a worker thread."""
        known = self._remembered(token)
        if known is not None:
            return known
        if self.jwks is None:
            return self._decode(token, self._key)
        return self._decode(token, await asyncio.to_thread(self.jwks.key_for, token))

    def _remembered(self, token: str) -> Principal | None:
        with self._verified_lock:
            entry = self._verified.get(token)
            if entry is None:
                return None
            principal, expires = entry
            if time.time() < expires:
                self._verified.move_to_end(token)
                return principal
            del self._verified[token]
        raise AuthError("the token has expired; sign in again")

    def _remember(self, token: str, principal: Principal, expires: float) -> None:
        with self._verified_lock:
            self._verified[token] = (principal, expires)
            if len(self._verified) > VERIFIED_CACHE_SIZE:
                self._verified.popitem(last=False)

    def _decode(self, token: str, key: Any) -> Principal:
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=self._algorithms,
                issuer=self._issuer,
                audience=self._audience,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise AuthError("the token has expired; sign in again") from exc
        except jwt.InvalidAlgorithmError as exc:
            raise AuthError(f"the token is not valid: {exc} (tokens here must be signed with "
                            f"{self._algorithms[0]})") from exc
        except jwt.InvalidTokenError as exc:
            raise AuthError(f"the token is not valid: {exc}") from exc
        role = claims.get("role")
        if role not in ROLES:
            raise AuthError(f"the token's role {role!r} is not one of {', '.join(ROLES)}")
        scope = claims.get("org_scope", [])
        if not isinstance(scope, list) or not all(isinstance(s, str) for s in scope):
            raise AuthError("the token's org_scope must be a list of org unit ids")
        perms = claims.get("permissions", [])
        if not isinstance(perms, list) or not all(isinstance(p, str) for p in perms):
            raise AuthError("the token's permissions must be a list of strings")
        principal = Principal(subject=str(claims["sub"]), role=role, org_scope=tuple(scope),
                              permissions=frozenset(perms))
        self._remember(token, principal, float(claims["exp"]))
        return principal

    def from_header(self, authorization: str | None) -> Principal | None:
        """Principal for an `Authorization: Bearer …` header; None when there is no header."""
        token = bearer_token(authorization)
        return None if token is None else self.verify(token)

    async def from_header_async(self, authorization: str | None) -> Principal | None:
        """`from_header` without blocking the event loop (see `verify_async`)."""
        token = bearer_token(authorization)
        return None if token is None else await self.verify_async(token)


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` value; None when there is none at all."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("the Authorization header must be 'Bearer <token>'")
    return token.strip()


def issue_token(
    *,
    secret: str,
    subject: str,
    role: str,
    org_scope: Sequence[str] = (),
    permissions: Sequence[str] = (),
    issuer: str = "lianxin",
    audience: str = "lianxin",
    ttl_seconds: int = 86400,
) -> str:
    """Sign an HS256 token (dev stack and tests; production tokens come from the identity provider)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    now = int(time.time())
    claims = {
        "sub": subject,
        "role": role,
        "org_scope": list(org_scope),
        **({"permissions": list(permissions)} if permissions else {}),
        "iss": issuer,
        "aud": audience,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    return jwt.encode(claims, secret, algorithm="HS256")
