"""Link tokens round-trip, expire, stay bound to their purpose and secret, and parse from QR text."""

from __future__ import annotations

import base64
import json

import jwt
import pytest
from lianxin.kit.errors import CodedError
from lianxin.kit.tokens import (
    CARD_QR_PREFIX,
    InvalidLinkToken,
    card_qr_payload,
    sign_token,
    token_from_qr_payload,
    verify_token,
)

SECRET = "card-secret-" + "s" * 32
PAIRING = "0192f3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b"
T0 = 1_767_225_600  # 2026-01-01T00:00:00Z
DAY = 86_400


def card_token(**kw: object) -> str:
    args: dict[str, object] = {"purpose": "card", "subject": PAIRING, "ttl_seconds": 30 * DAY, "now": T0}
    args.update(kw)
    return sign_token(SECRET, **args)  # type: ignore[arg-type]


def reason_of(exc: pytest.ExceptionInfo[InvalidLinkToken]) -> object:
    return exc.value.details["reason"]


def test_round_trip_returns_the_subject_and_carries_only_the_four_claims() -> None:
    token = card_token()

    assert verify_token(SECRET, "card", token, now=T0 + 1) == PAIRING
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims == {"sub": PAIRING, "aud": "lianxin:card", "iat": T0, "exp": T0 + 30 * DAY}
    assert jwt.get_unverified_header(token) == {"alg": "HS256"}


def test_the_error_is_a_coded_error_with_a_stable_code() -> None:
    assert issubclass(InvalidLinkToken, CodedError)
    assert InvalidLinkToken.code == "INVALID_TOKEN"


def test_a_token_is_valid_until_the_second_before_exp_and_expired_from_exp_on() -> None:
    token = card_token(ttl_seconds=60)

    assert verify_token(SECRET, "card", token, now=T0 + 59) == PAIRING
    with pytest.raises(InvalidLinkToken, match="expired; ask for a new card") as exc:
        verify_token(SECRET, "card", token, now=T0 + 60)
    assert reason_of(exc) == "expired"


def test_a_token_for_another_purpose_is_refused() -> None:
    token = card_token(purpose="invite")

    with pytest.raises(InvalidLinkToken, match="not meant for 'card'") as exc:
        verify_token(SECRET, "card", token, now=T0)
    assert reason_of(exc) == "wrong_purpose"


def _with_payload(token: str, **changes: object) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


@pytest.mark.parametrize("changes", [{"sub": "0192f3b4-0000-7e8f-9a0b-1c2d3e4f5a6b"},
                                     {"exp": T0 + 3650 * DAY}])
def test_a_tampered_token_is_refused(changes: dict[str, object]) -> None:
    tampered = _with_payload(card_token(), **changes)

    with pytest.raises(InvalidLinkToken, match="altered") as exc:
        verify_token(SECRET, "card", tampered, now=T0)
    assert reason_of(exc) == "bad_signature"


def test_a_token_signed_with_another_secret_is_refused() -> None:
    token = sign_token("other-secret-" + "o" * 32, "card", PAIRING, ttl_seconds=DAY, now=T0)

    with pytest.raises(InvalidLinkToken) as exc:
        verify_token(SECRET, "card", token, now=T0)
    assert reason_of(exc) == "bad_signature"


@pytest.mark.parametrize("token", ["", "not-a-token", "a.b.c",
                                   jwt.encode({"sub": PAIRING, "aud": "lianxin:card"}, SECRET)])
def test_garbage_and_tokens_missing_claims_are_malformed(token: str) -> None:
    with pytest.raises(InvalidLinkToken) as exc:
        verify_token(SECRET, "card", token, now=T0)
    assert reason_of(exc) == "malformed"


def test_an_unsigned_alg_none_token_is_refused() -> None:
    unsigned = jwt.encode({"sub": PAIRING, "aud": "lianxin:card", "iat": T0, "exp": T0 + DAY}, "",
                          algorithm="none")

    with pytest.raises(InvalidLinkToken) as exc:
        verify_token(SECRET, "card", unsigned, now=T0)
    assert reason_of(exc) == "malformed"


def test_a_short_secret_is_a_configuration_error_not_a_bad_token() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        sign_token("short", "card", PAIRING, ttl_seconds=DAY)


def test_the_qr_payload_is_our_url_and_gives_the_token_back() -> None:
    token = card_token()
    payload = card_qr_payload(token)

    assert payload == CARD_QR_PREFIX + token
    assert payload.startswith("https://lianxin.cn/c/eyJ")
    assert token_from_qr_payload(payload) == token
    assert token_from_qr_payload(payload + "\n") == token


@pytest.mark.parametrize("payload", [
    "",
    CARD_QR_PREFIX,
    "https://example.com/c/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",  # a bare token is not a card code
    CARD_QR_PREFIX + "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln?utm=x",
    "WIFI:S:village-office;T:WPA;P:secret;;",
])
def test_a_payload_that_is_not_ours_is_refused(payload: str) -> None:
    with pytest.raises(InvalidLinkToken, match="not a lianxin contact card"):
        token_from_qr_payload(payload)
