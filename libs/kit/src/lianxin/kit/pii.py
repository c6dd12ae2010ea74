"""Personal data (个人信息) at rest: field encryption, blind indexes and masking.

- `FieldCipher` encrypts one value with AES-256-GCM. The stored blob starts with the id of the
  key that sealed it, so keys can be rotated: the first configured key seals, every configured
  key opens. The column name is bound in as associated data, so a ciphertext copied into
  another column (a phone into an ID-number field) fails to open instead of leaking.
- `BlindIndex` is a keyed hash (HMAC-SHA256) of a normalised value: equal inputs give equal
  digests, so `WHERE phone_bi = :digest` finds a resident by exact phone number without the
  number ever being stored in clear. Without the key the digests cannot be brute-forced from
  the small space of phone numbers.
- `mask_*` give the display forms every response uses by default (`138****1234`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from lianxin.kit.errors import InvalidInput

_FORMAT = 1  # first byte of every blob: lets the layout change without guessing
_NONCE = 12


class PiiKeyError(ValueError):
    """A key setting is malformed, or a blob was sealed with a key we do not have."""


def parse_keyring(spec: str) -> dict[str, bytes]:
    """`kid:base64key[,kid:base64key…]` → {kid: 32-byte key}, in the order given."""
    keys: dict[str, bytes] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        kid, sep, encoded = part.partition(":")
        if not sep or not re.fullmatch(r"[A-Za-z0-9_.-]{1,32}", kid):
            raise PiiKeyError("each key must be written kid:base64key with a kid of letters, "
                              "digits, '_', '.' or '-' (at most 32)")
        try:
            key = base64.b64decode(encoded, validate=True)
        except binascii.Error as exc:
            raise PiiKeyError(f"key {kid!r} is not valid base64") from exc
        if len(key) != 32:
            raise PiiKeyError(f"key {kid!r} must be 32 bytes (AES-256), got {len(key)}")
        if kid in keys:
            raise PiiKeyError(f"key id {kid!r} appears twice")
        keys[kid] = key
    if not keys:
        raise PiiKeyError("at least one key is needed")
    return keys


def new_key_spec(kid: str) -> str:
    """A fresh `kid:base64key` (for the dev stack and for operators rotating keys)."""
    return f"{kid}:{base64.b64encode(os.urandom(32)).decode()}"


class FieldCipher:
    """AES-256-GCM for single values; the first key of the ring seals, all of them open."""

    def __init__(self, keys: Mapping[str, bytes]) -> None:
        if not keys:
            raise PiiKeyError("at least one key is needed")
        self._keys = {kid: AESGCM(key) for kid, key in keys.items()}
        self.active_kid = next(iter(keys))

    def encrypt(self, value: str, *, column: str) -> bytes:
        """Seal `value` for storage in `column` (the column name is authenticated, not stored)."""
        kid = self.active_kid.encode()
        nonce = os.urandom(_NONCE)
        sealed = self._keys[self.active_kid].encrypt(nonce, value.encode(), column.encode())
        return bytes([_FORMAT, len(kid)]) + kid + nonce + sealed

    def decrypt(self, blob: bytes, *, column: str) -> str:
        """Open a blob written by `encrypt` for the same column."""
        kid = self.key_id(blob)
        if kid not in self._keys:
            raise PiiKeyError(f"value was sealed with key {kid!r}, which is not configured")
        start = 2 + blob[1]
        nonce, sealed = blob[start:start + _NONCE], blob[start + _NONCE:]
        try:
            return self._keys[kid].decrypt(nonce, sealed, column.encode()).decode()
        except InvalidTag as exc:
            raise PiiKeyError(f"value in {column} does not open with key {kid!r}") from exc

    @staticmethod
    def key_id(blob: bytes) -> str:
        """Which key sealed a blob (for rotation: re-seal those not under the active key)."""
        if len(blob) < 2 or blob[0] != _FORMAT:
            raise PiiKeyError("not a lianxin ciphertext")
        return blob[2:2 + blob[1]].decode()


class BlindIndex:
    """Keyed digests for exact-match lookup of encrypted values."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise PiiKeyError("the blind-index key must be at least 32 bytes")
        self._key = key

    def digest(self, kind: str, normalised: str) -> bytes:
        """Digest of an already normalised value; `kind` keeps phones and IDs apart."""
        return hmac.new(self._key, f"{kind}\x00{normalised}".encode(), hashlib.sha256).digest()


# --- normalising and validating ---------------------------------------------------------------
_PHONE = re.compile(r"1[3-9]\d{9}|0\d{2,3}\d{7,8}")  # mainland mobile, or landline with area code
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def normalise_phone(raw: str, field: str = "phone") -> str:
    """Digits only, without +86 / 0086; raise InvalidInput saying what a phone looks like."""
    digits = re.sub(r"[\s\-()（）]", "", raw)
    digits = re.sub(r"^(\+86|0086)", "", digits)
    if not _PHONE.fullmatch(digits):
        # The value is not echoed: a mistyped number is still personal data, and error
        # messages end up in logs and import reports.
        raise InvalidInput(f"{field} must be an 11-digit mobile number such as 13812345678 or a "
                           f"landline with its area code such as 087912345678 (got "
                           f"{len(digits)} characters)", field=field)
    return digits


def normalise_id_number(raw: str, field: str = "idNumber") -> str:
    """An 18-character resident ID number (居民身份证号) with a valid check digit, X upper-case."""
    value = raw.strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise InvalidInput(f"{field} must be 18 characters: 17 digits then a digit or X", field=field)
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != value[17]:
        raise InvalidInput(f"{field} has a wrong check digit (the last character); please "
                           "check the number against the ID card", field=field)
    return value


def id_check_digit(first17: str) -> str:
    """The check digit for 17 digits (used to make valid demo and test numbers)."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


# --- masking ----------------------------------------------------------------------------------
def mask_phone(phone: str) -> str:
    """`13812341234` → `138****1234`; short landlines keep only their last 4 digits."""
    if len(phone) == 11:
        return f"{phone[:3]}****{phone[-4:]}"
    return "*" * max(len(phone) - 4, 0) + phone[-4:]


def mask_id_number(id_number: str) -> str:
    """Keep the region's first 3 and the last 4 characters: `530***********123X`."""
    return f"{id_number[:3]}{'*' * (len(id_number) - 7)}{id_number[-4:]}"


def mask_name(name: str) -> str:
    """`王建国` → `王**`: for lists shown outside the holder's scope (cards, screens)."""
    return name[:1] + "*" * (len(name) - 1) if name else name


_LOCALITY = re.compile(r"^.*?(村|社区|居委会|街道)")


def mask_address(address: str) -> str:
    """Keep the locality (up to the village or community), hide the house: `玉溪村****`."""
    found = _LOCALITY.match(address)
    return (found.group(0) if found else address[:4]) + "****"
