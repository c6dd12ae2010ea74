"""Typed settings shared by every lianxin service, read from `LIANXIN_*` environment variables.

Settings fail fast: a missing database URL, a broker address, or an unsafe JWT secret stops the
process at start-up with a message that names the variable to fix, rather than at the first
request.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Literal

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from lianxin.kit.pii import BlindIndex, FieldCipher, parse_keyring
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The dev stack writes a random secret per data folder; this marker prefix lets production
# refuse a dev secret that leaked into its environment.
DEV_SECRET_PREFIX = "dev-only-"
# The committed example env files (deploy/compose/*.env.example) mark every secret this way, so a
# deployment that copied an example without replacing its values refuses to start in production.
EXAMPLE_SECRET_PREFIX = "example-only-"
# Algorithms a token may be signed with, per kind of key. The verifier accepts exactly one
# (pinned here), so a token cannot pick its own: no `none`, no HS256 "signed" with a public key.
HMAC_ALGORITHMS = ("HS256", "HS384", "HS512")
ASYMMETRIC_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
                         "ES256", "ES384", "ES512", "EdDSA")
_EC_ALGORITHM = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}


class KitSettings(BaseSettings):
    """Settings every service needs; a service subclasses it to add its own."""

    model_config = SettingsConfigDict(env_prefix="LIANXIN_", extra="ignore")

    environment: Literal["dev", "test", "production"] = Field(
        "production", description="dev and test relax checks meant for real deployments"
    )
    database_url: str = Field(
        ..., description="SQLAlchemy URL, e.g. postgresql+asyncpg://user:pw@host:5432/people"
    )
    kafka_bootstrap: str = Field(..., description="host:port[,host:port] of the Kafka brokers")
    kafka_idempotence: bool = Field(
        True, description="idempotent producer; must be false against tansu, which rejects it"
    )
    # 4, the count tansu (the dev and test broker) gives a topic it creates by itself when a
    # client asks for a missing one — after a restart, its log being in memory. With 3 a topic
    # came back with 4 partitions or 3 depending on who asked first, and a consumer group that
    # had joined on 3 did not read the 4th for minutes (found by the fault suite's canary after
    # scenario 4). Deployments set their own (compose, Kubernetes) and create topics up front.
    kafka_partitions: int = Field(4, ge=1, le=1024, description="partitions for created topics")
    kafka_replication: int = Field(1, ge=1, le=7, description="replication for created topics")
    jwt_secret: SecretStr | None = Field(None, description="HS256 key (at least 32 characters)")
    jwt_public_key: str | None = Field(None, description="PEM public key for RS256/ES256 tokens")
    jwt_jwks_url: str | None = Field(
        None, description="https URL of the identity provider's JSON Web Key Set (keys by kid)")
    jwt_algorithm: str | None = Field(
        None, description="the one algorithm tokens are signed with; default HS256 with a "
                          "secret, from the key's type with a public key, RS256 with a JWKS URL")
    jwt_issuer: str = "lianxin"
    jwt_audience: str = "lianxin"
    # Admission control of an API process (lianxin.kit.admission; sizing: docs/operations.md,
    # "Overload"). A slot per request executing at once: as many as the pool has connections, so
    # a request let in never queues for one; above that, waiting in the pool only adds latency.
    max_in_flight: int = Field(
        20, ge=1, le=10_000, description="GraphQL HTTP requests executing at once per API "
        "process; more queue (LIANXIN_ADMISSION_QUEUE, LIANXIN_ADMISSION_WAIT_MS), the rest get "
        "503 OVERLOADED at once")
    # A queue as long as the limit absorbs a burst or a closed-loop client a little above it
    # (32 in flight: the benchmarks' probe) without refusals; beyond it, refusing at once is
    # kinder than a wait that ends in a refusal anyway.
    admission_queue: int = Field(
        20, ge=0, le=10_000, description="requests that may wait for a slot; one more is refused "
        "at once (0: no waiting)")
    # At ~80 requests/s a slot frees every ~12 ms, so a full queue of 20 moves in ~250 ms: that
    # is the most a request waits before it is refused — fast next to the 10-30 s the old
    # behaviour made clients wait for nothing (0.5 s was tried: at 3 x capacity the refusals that
    # waited it out, plus a busy loop, put their p90 at 1.3 s). A request the queue is not
    # expected to reach in this time (its length x the measured time between slots) is refused
    # without waiting.
    admission_wait_ms: int = Field(
        250, ge=0, le=10_000, description="the longest a queued request waits for a slot before "
        "it is refused")
    overload_retry_after_s: int = Field(
        1, ge=1, le=3600, description="Retry-After (seconds) sent with 503 OVERLOADED")
    db_pool_size: int = Field(
        20, ge=1, le=1000, description="PostgreSQL connections the API process keeps (no "
        "overflow); multiply by the API processes for the database's max_connections")
    # SQLAlchemy's default is 30 s: under overload requests sat in the pool's queue long after
    # their callers had given up. A few seconds is far above an ordinary wait (none, with
    # max_in_flight ≤ db_pool_size) and below the gateway's upstream timeout (10 s), so the
    # client gets OVERLOADED from the service rather than the gateway's GATEWAY_TIMEOUT.
    db_pool_timeout_s: float = Field(
        5.0, gt=0, le=60, description="seconds a request waits for a pooled connection before "
        "it fails with OVERLOADED")
    relay_poll_interval_s: float = Field(
        1.0, gt=0, le=60, description="outbox relay polls this often when no NOTIFY wakes it"
    )
    relay_batch_size: int = Field(500, ge=1, le=10_000)
    consumer_max_retries: int = Field(
        3, ge=0, le=100, description="attempts after the first before a message goes to the DLQ"
    )
    consumer_batch_size: int = Field(500, ge=1, le=10_000)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "console"] = Field(
        "json", description="json: one object per line, for log collectors; console: for people")
    metrics_port: int = Field(
        9464, ge=0, le=65535, description="the worker's Prometheus /metrics port; 0 turns it off "
        "(the API serves /metrics on its own port)")
    # Personal data (see lianxin.kit.pii); required by the services that store it.
    pii_keys: SecretStr | None = Field(
        None, description="kid:base64key[,kid:base64key…] AES-256 keys; the first encrypts")
    blind_index_key: SecretStr | None = Field(
        None, description="base64 key (≥ 32 bytes) for exact-match lookup of encrypted values")
    link_token_secret: SecretStr | None = Field(
        None, description="HS256 secret (≥ 32 chars) signing contact-card QR tokens")

    @field_validator("database_url")
    @classmethod
    def _async_postgres(cls, url: str) -> str:
        if not url.startswith("postgresql+asyncpg://"):
            raise ValueError(
                "LIANXIN_DATABASE_URL must start with postgresql+asyncpg:// "
                f"(got scheme {url.split(':', 1)[0]!r})"
            )
        return url

    @model_validator(mode="after")
    def _jwt_key(self) -> KitSettings:
        sources = [self.jwt_secret, self.jwt_public_key, self.jwt_jwks_url]
        if sum(source is not None for source in sources) != 1:
            raise ValueError("set exactly one of LIANXIN_JWT_SECRET, LIANXIN_JWT_PUBLIC_KEY or "
                             "LIANXIN_JWT_JWKS_URL")
        if self.jwt_secret is not None:
            secret = self.jwt_secret.get_secret_value()
            if len(secret) < 32:
                raise ValueError("LIANXIN_JWT_SECRET must be at least 32 characters")
            if self.environment == "production" and secret.startswith(DEV_SECRET_PREFIX):
                raise ValueError(
                    "LIANXIN_JWT_SECRET is a dev-stack secret; production needs its own"
                )
            if self.environment == "production" and secret.startswith(EXAMPLE_SECRET_PREFIX):
                raise ValueError(_EXAMPLE_REFUSED.format("LIANXIN_JWT_SECRET"))
        if self.jwt_jwks_url is not None:
            scheme = self.jwt_jwks_url.split("://", 1)[0].lower() if "://" in self.jwt_jwks_url else ""
            if scheme not in ("http", "https"):
                raise ValueError("LIANXIN_JWT_JWKS_URL must be an http(s) URL")
            if self.environment == "production" and scheme != "https":
                # Keys fetched over plain http could be swapped in transit: forged tokens.
                raise ValueError("LIANXIN_JWT_JWKS_URL must use https in production")
        self.jwt_algorithm = self._pinned_algorithm()
        return self

    def _pinned_algorithm(self) -> str:
        """The configured algorithm, checked against the key source, or the source's default."""
        alg = self.jwt_algorithm
        if alg is not None and alg.lower() == "none":
            raise ValueError("LIANXIN_JWT_ALGORITHM=none would accept unsigned tokens")
        if self.jwt_secret is not None:
            if alg is not None and alg not in HMAC_ALGORITHMS:
                raise ValueError(f"LIANXIN_JWT_ALGORITHM with LIANXIN_JWT_SECRET must be one of "
                                 f"{', '.join(HMAC_ALGORITHMS)}, not {alg!r}")
            return alg or "HS256"
        if alg is not None and alg not in ASYMMETRIC_ALGORITHMS:
            raise ValueError(f"LIANXIN_JWT_ALGORITHM with a public key or JWKS URL must be one of "
                             f"{', '.join(ASYMMETRIC_ALGORITHMS)}, not {alg!r}")
        if self.jwt_public_key is None:
            return alg or "RS256"  # a JWKS URL: what identity providers sign with by default
        fits = _algorithms_for_key(self.jwt_public_key)
        if alg is not None and alg not in fits:
            raise ValueError(f"LIANXIN_JWT_ALGORITHM={alg} does not fit LIANXIN_JWT_PUBLIC_KEY "
                             f"(a key for {', '.join(fits)})")
        return alg or fits[0]

    def require_pii(self) -> PiiConfig:
        """The personal-data keys, or a ValueError naming the variables to set."""
        missing = [f"LIANXIN_{name.upper()}" for name in ("pii_keys", "blind_index_key",
                                                          "link_token_secret")
                   if getattr(self, name) is None]
        if missing:
            raise ValueError(f"this service stores personal data: set {', '.join(missing)} "
                             "(see README, 'Personal data')")
        assert self.pii_keys and self.blind_index_key and self.link_token_secret
        keys = parse_keyring(self.pii_keys.get_secret_value())
        if self.environment == "production" and any(k.startswith(DEV_SECRET_PREFIX) for k in keys):
            raise ValueError("LIANXIN_PII_KEYS holds a dev-stack key; production needs its own")
        if self.environment == "production":
            for name, example in (
                    ("LIANXIN_PII_KEYS", any(k.startswith(EXAMPLE_SECRET_PREFIX) for k in keys)),
                    ("LIANXIN_BLIND_INDEX_KEY", _decodes_to_example(self.blind_index_key)),
                    ("LIANXIN_LINK_TOKEN_SECRET",
                     self.link_token_secret.get_secret_value().startswith(EXAMPLE_SECRET_PREFIX))):
                if example:
                    raise ValueError(_EXAMPLE_REFUSED.format(name))
        try:
            index_key = base64.b64decode(self.blind_index_key.get_secret_value(), validate=True)
        except binascii.Error as exc:
            raise ValueError("LIANXIN_BLIND_INDEX_KEY must be base64") from exc
        link = self.link_token_secret.get_secret_value()
        if len(link) < 32:
            raise ValueError("LIANXIN_LINK_TOKEN_SECRET must be at least 32 characters")
        return PiiConfig(FieldCipher(keys), BlindIndex(index_key), link)


_EXAMPLE_REFUSED = ("{} still holds the example value from deploy/compose/*.env.example; "
                    "production needs its own (see docs/operations.md, 'Configure')")


def _decodes_to_example(value: SecretStr) -> bool:
    """Whether a base64 key is the example one (its bytes start with the example marker)."""
    try:
        raw = base64.b64decode(value.get_secret_value(), validate=True)
    except binascii.Error:
        return False  # not base64 at all: the caller's own check says so
    return raw.startswith(EXAMPLE_SECRET_PREFIX.encode())


def _algorithms_for_key(pem: str) -> tuple[str, ...]:
    """The algorithms a PEM public key can verify, the usual one first; ValueError if it is no
    public key we can use."""
    try:
        key = load_pem_public_key(pem.encode())
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise ValueError("LIANXIN_JWT_PUBLIC_KEY is not a PEM public key "
                         "(-----BEGIN PUBLIC KEY----- …)") from exc
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < 2048:
            raise ValueError("LIANXIN_JWT_PUBLIC_KEY is an RSA key under 2048 bits")
        return ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")
    if isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name in _EC_ALGORITHM:
        return (_EC_ALGORITHM[key.curve.name],)
    if isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
        return ("EdDSA",)
    raise ValueError("LIANXIN_JWT_PUBLIC_KEY must be an RSA, EC (P-256/384/521) or Ed25519 key")


@dataclass(frozen=True)
class PiiConfig:
    """What a service that stores personal data is built with."""

    cipher: FieldCipher
    blind_index: BlindIndex
    link_token_secret: str
