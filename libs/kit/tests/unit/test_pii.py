"""Personal data at rest: sealing, key rotation, blind indexes, validation and masks."""

from __future__ import annotations

import base64

import pytest
from lianxin.kit.errors import InvalidInput
from lianxin.kit.pii import (
    BlindIndex,
    FieldCipher,
    PiiKeyError,
    id_check_digit,
    mask_address,
    mask_id_number,
    mask_phone,
    new_key_spec,
    normalise_id_number,
    normalise_phone,
    parse_keyring,
)
from lianxin.kit.settings import KitSettings

OLD, NEW = parse_keyring(new_key_spec("k1")), parse_keyring(new_key_spec("k2"))
ID17 = "53082219900101123"
ID18 = ID17 + id_check_digit(ID17)


def test_sealed_value_opens_only_for_its_column_and_hides_the_clear_text() -> None:
    cipher = FieldCipher(OLD)
    blob = cipher.encrypt("13812341234", column="resident.phone")
    assert b"13812341234" not in blob
    assert cipher.decrypt(blob, column="resident.phone") == "13812341234"
    assert cipher.encrypt("13812341234", column="resident.phone") != blob  # fresh nonce
    with pytest.raises(PiiKeyError, match="does not open"):
        cipher.decrypt(blob, column="resident.id_number")  # copied into another column


def test_rotation_new_key_seals_old_keys_still_open() -> None:
    old_blob = FieldCipher(OLD).encrypt("王建国家", column="household.address")
    rotated = FieldCipher({**NEW, **OLD})
    assert rotated.decrypt(old_blob, column="household.address") == "王建国家"
    assert FieldCipher.key_id(rotated.encrypt("x", column="c")) == "k2"
    with pytest.raises(PiiKeyError, match="not configured"):
        FieldCipher(NEW).decrypt(old_blob, column="household.address")


@pytest.mark.parametrize("spec", ["", "k1", "k1:not-base64!", "k1:" + base64.b64encode(b"short").decode(),
                                  "bad id:" + base64.b64encode(b"x" * 32).decode()])
def test_malformed_keyrings_are_refused(spec: str) -> None:
    with pytest.raises(PiiKeyError):
        parse_keyring(spec)


def test_blind_index_is_keyed_deterministic_and_kind_separated() -> None:
    index = BlindIndex(b"a" * 32)
    assert index.digest("phone", "13812341234") == index.digest("phone", "13812341234")
    assert index.digest("phone", "13812341234") != index.digest("id_number", "13812341234")
    assert index.digest("phone", "13812341234") != BlindIndex(b"b" * 32).digest("phone", "13812341234")


@pytest.mark.parametrize("raw", ["13812341234", "138-1234-1234", "+86 138 1234 1234", "008613812341234"])
def test_phone_numbers_normalise_to_digits(raw: str) -> None:
    assert normalise_phone(raw) == "13812341234"


@pytest.mark.parametrize("raw", ["1381234123", "23812341234", "138123412345", "tel", ""])
def test_bad_phone_numbers_say_what_a_phone_looks_like(raw: str) -> None:
    with pytest.raises(InvalidInput, match="11-digit mobile") as caught:
        normalise_phone(raw)
    assert not raw or raw not in caught.value.message  # a mistyped number is still personal


def test_id_numbers_check_their_check_digit() -> None:
    assert normalise_id_number(" " + ID18.lower() + " ") == ID18.upper()
    wrong = ID17 + ("0" if ID18[-1] != "0" else "1")
    with pytest.raises(InvalidInput, match="check digit"):
        normalise_id_number(wrong)
    with pytest.raises(InvalidInput, match="18 characters"):
        normalise_id_number("5308221990")


def test_masks() -> None:
    assert mask_phone("13812341234") == "138****1234"
    assert mask_id_number(ID18) == "530" + "*" * 11 + ID18[-4:]
    assert mask_address("墨江县联珠镇癸能村三组12号") == "墨江县联珠镇癸能村****"
    assert mask_address("某某路8号") == "某某路8****"


def _settings(**keys: str) -> KitSettings:
    return KitSettings(environment="production", database_url="postgresql+asyncpg://x/y",  # type: ignore[call-arg]
                       kafka_bootstrap="k:9092", jwt_secret="s" * 32, **keys)


def test_settings_name_the_missing_personal_data_keys() -> None:
    with pytest.raises(ValueError, match="LIANXIN_PII_KEYS, LIANXIN_BLIND_INDEX_KEY"):
        _settings().require_pii()


def test_production_refuses_a_dev_key() -> None:
    settings = _settings(pii_keys=new_key_spec("dev-only-1"),
                         blind_index_key=base64.b64encode(b"b" * 32).decode(),
                         link_token_secret="l" * 32)
    with pytest.raises(ValueError, match="dev-stack key"):
        settings.require_pii()
