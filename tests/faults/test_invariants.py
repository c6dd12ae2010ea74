"""The personal-data scan itself (invariant 5) must be able to fail: it finds a phone or ID
number in clear text, inside a bytea as PostgreSQL prints it, and inside raw record bytes, and
does not mistake a masked value for a clear one."""

from __future__ import annotations

from invariants import Personal

PHONE, ID_NUMBER = "13812345678", "53082219800101123X"


def test_clear_values_are_found_wherever_they_hide() -> None:
    personal = Personal({PHONE, ID_NUMBER})
    assert personal.found_in(f"(1,{PHONE},x)") == {PHONE}
    assert personal.found_in(f"id {ID_NUMBER}.") == {ID_NUMBER}
    assert personal.found_in("(1,\\x0a" + PHONE.encode().hex() + "ff)") == {PHONE}
    assert personal.found_in_bytes(b"\x12\x0b" + ID_NUMBER.encode() + b"\x22") == {ID_NUMBER}


def test_masked_and_other_values_are_not_findings() -> None:
    personal = Personal({PHONE, ID_NUMBER})
    assert personal.found_in("138****5678 5308**********123X") == set()
    assert personal.found_in("13812345679 and 1381234567") == set()
