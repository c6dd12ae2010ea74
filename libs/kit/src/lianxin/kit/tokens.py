"""Link tokens: signed, expiring, purpose-bound tokens that carry only an id, never personal data.

The first use is the QR code on a contact card (党群连心卡): the resident's WeChat mini-program
scans it and opens a demand already linked to that pairing. People signs the token when it
prints the card; tickets verifies it when the demand arrives, hence it lives in the kit.

A token is a compact HS256 JWT with exactly `sub`, `aud` (``lianxin:<purpose>``), `iat` and
`exp`: every extra byte grows the QR code, and a bigger code is harder to scan off paper.
"""

from __future__ import annotations

import re
import time

import jwt
from lianxin.kit.errors import CodedError

CARD_QR_PREFIX = "https://lianxin.cn/c/"

_MIN_SECRET_BYTES = 32  # RFC 7518 §3.2: an HS256 key must be at least as long as the hash
_AUDIENCE_PREFIX = "lianxin:"
_JWT_SHAPE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


class InvalidLinkToken(CodedError):
    """A link token (e.g. a contact card's QR code) is expired, for another purpose, or not ours.

    `details["reason"]` is one of ``expired``, ``wrong_purpose``, ``bad_signature``,
    ``malformed`` so callers can branch without parsing the message.
    """

    code = "INVALID_TOKEN"


def _key(secret: str) -> bytes:
    key = secret.encode()
    if len(key) < _MIN_SECRET_BYTES:
        # A configuration mistake, not a bad token: fail loudly instead of signing weakly.
        raise ValueError(f"the link-token secret must be at least {_MIN_SECRET_BYTES} bytes")
    return key


def _audience(purpose: str) -> str:
    if not purpose or ":" in purpose:
        raise ValueError(f"purpose must be a non-empty word without ':', not {purpose!r}")
    return _AUDIENCE_PREFIX + purpose


def sign_token(secret: str, purpose: str, subject: str, *, ttl_seconds: int, now: int | None = None) -> str:
    """Sign a token saying "`subject`, for `purpose`, until now + `ttl_seconds`".

    `subject` must be an opaque id (e.g. a pairing id): the token is readable by anyone who
    scans it, so it must never carry a name or a phone number.
    """
    if not subject:
        raise ValueError("subject must be a non-empty id")
    if ttl_seconds <= 0:
        raise ValueError(f"ttl_seconds must be positive, not {ttl_seconds}")
    issued = int(time.time()) if now is None else now
    claims = {"sub": subject, "aud": _audience(purpose), "iat": issued, "exp": issued + ttl_seconds}
    # Dropping the optional "typ" header saves 16 characters in every QR code.
    return jwt.encode(claims, _key(secret), algorithm="HS256", headers={"typ": None})


def verify_token(secret: str, purpose: str, token: str, *, now: int | None = None) -> str:
    """Return the token's subject, or raise InvalidLinkToken saying what the holder can do."""
    audience = _audience(purpose)
    try:
        claims = jwt.decode(
            token,
            _key(secret),
            algorithms=["HS256"],
            audience=audience,
            # Expiry is checked below against `now`, so tests and production take the same path.
            # `iat` is only a record of when the card was printed: a verifier whose clock runs
            # behind the signer's must not reject a fresh card, so it is not checked at all.
            options={"require": ["sub", "aud", "iat", "exp"], "verify_exp": False, "verify_iat": False},
        )
    except jwt.InvalidAudienceError as exc:
        raise InvalidLinkToken(
            f"this code is not meant for {purpose!r}; scan it in the place it was issued for",
            reason="wrong_purpose",
        ) from exc
    except jwt.InvalidSignatureError as exc:
        raise InvalidLinkToken(
            "the code was not issued by lianxin or has been altered; ask for a new card",
            reason="bad_signature",
        ) from exc
    except jwt.InvalidTokenError as exc:
        raise InvalidLinkToken(
            "the code could not be read as a lianxin code; scan it again or ask for a new card",
            reason="malformed",
        ) from exc
    exp, subject = claims["exp"], claims["sub"]
    if not isinstance(exp, int) or not isinstance(subject, str) or not subject:
        raise InvalidLinkToken("the code could not be read as a lianxin code; ask for a new card",
                               reason="malformed")
    if (int(time.time()) if now is None else now) >= exp:
        raise InvalidLinkToken("the card's code has expired; ask for a new card", reason="expired")
    return subject


def card_qr_payload(token: str) -> str:
    """The text to put in a contact card's QR code: a URL the mini-program knows how to open."""
    return CARD_QR_PREFIX + token


def token_from_qr_payload(payload: str) -> str:
    """The token inside a scanned card QR payload, or InvalidLinkToken if the code is not ours."""
    text = payload.strip()  # some scanners append a newline
    token = text.removeprefix(CARD_QR_PREFIX)
    if token == text or not _JWT_SHAPE.fullmatch(token):
        raise InvalidLinkToken("this QR code is not a lianxin contact card; scan the code on the card",
                               reason="malformed")
    return token
