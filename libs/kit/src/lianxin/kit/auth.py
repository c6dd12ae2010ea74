"""JWT verification and the principal every request runs as.

The gateway verifies tokens; each subgraph verifies them again (defence in depth), so a
subgraph reached directly is no weaker than the gateway.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import jwt
from lianxin.kit.errors import CodedError
from lianxin.kit.settings import KitSettings

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


class JwtVerifier:
    """Verifies bearer tokens against the configured key, issuer and audience."""

    def __init__(self, settings: KitSettings) -> None:
        if settings.jwt_secret is not None:
            self._key: str = settings.jwt_secret.get_secret_value()
            self._algorithms = ["HS256"]
        else:
            assert settings.jwt_public_key is not None  # guaranteed by settings validation
            self._key = settings.jwt_public_key
            self._algorithms = ["RS256", "ES256"]
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience

    def verify(self, token: str) -> Principal:
        """Return the token's principal or raise AuthError saying what is wrong."""
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=self._algorithms,
                issuer=self._issuer,
                audience=self._audience,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise AuthError("the token has expired; sign in again") from exc
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
        return Principal(subject=str(claims["sub"]), role=role, org_scope=tuple(scope),
                         permissions=frozenset(perms))

    def from_header(self, authorization: str | None) -> Principal | None:
        """Principal for an `Authorization: Bearer …` header; None when there is no header."""
        if not authorization:
            return None
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError("the Authorization header must be 'Bearer <token>'")
        return self.verify(token.strip())


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
