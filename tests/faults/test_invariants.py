"""The invariants themselves must be able to fail. The personal-data scan (invariant 5) finds a
phone or ID number in clear text, inside a bytea as PostgreSQL prints it, and inside raw record
bytes, and does not mistake a masked value for a clear one. A consumer group that has stopped
consuming fails the settling, even when no scenario gave it anything to read (the canary)."""

from __future__ import annotations

import pytest
from invariants import Personal, canary, settle
from lianxin.kit.devstack.stack import DevStack

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


def test_a_consumer_group_that_stopped_consuming_fails_the_invariants(
        fault_stack: DevStack) -> None:
    """tickets.work stopped: nobody applies the canary to tickets' people read model (a group
    wedged with no member holding its partitions looks the same from outside)."""
    fault_stack.processes["tickets.work"].stop()
    try:
        canary(fault_stack)
        with pytest.raises(AssertionError, match=r"'tickets': 1\b"):
            settle(fault_stack, timeout_s=10)
    finally:
        fault_stack.restart("tickets.work")
    settle(fault_stack)  # and it catches up once a member consumes again
