"""UUIDv7 ids and the event envelope."""

from __future__ import annotations

import uuid

import pytest
from lianxin.events.v1 import people_pb2
from lianxin.kit.auth import Principal
from lianxin.kit.envelope import PendingEvent, UndecodableEvent, unwrap, wrap
from lianxin.kit.errors import InvalidInput
from lianxin.kit.ids import parse_id, uuid7


def test_uuid7_has_version_variant_and_sorts_by_time() -> None:
    a, b = uuid7(now_ms=1_700_000_000_000), uuid7(now_ms=1_700_000_000_001)
    assert (a.version, a.variant) == (7, "specified in RFC 4122")
    assert a < b
    assert a.int >> 80 == 1_700_000_000_000


def test_uuid7_of_one_process_sort_in_creation_order_within_a_millisecond(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import lianxin.kit.ids as ids

    monkeypatch.setattr(ids, "_last", (0, 0))
    monkeypatch.setattr(ids.time, "time", lambda: 1_700_000_000.0005)  # a frozen millisecond
    made = [uuid7() for _ in range(5000)]  # more than the 12-bit counter holds
    assert made == sorted(made) and len(set(made)) == 5000
    assert all(u.version == 7 and u.variant == uuid.RFC_4122 for u in made)
    monkeypatch.setattr(ids.time, "time", lambda: 1_699_999_999.0)  # the clock steps back
    assert uuid7() > made[-1]


def test_parse_id_names_the_field() -> None:
    with pytest.raises(InvalidInput, match="orgUnitId must be a UUID") as err:
        parse_id("not-a-uuid", "orgUnitId")
    assert err.value.details == {"field": "orgUnitId"}


def test_envelope_round_trip_keeps_metadata_and_payload() -> None:
    payload = people_pb2.OrgUnitCreated(org_unit_id="u1", name="墨江县", path=["u1"])
    env = wrap(PendingEvent("org_unit", "u1", 3, payload), Principal("alice", "admin"),
               traceparent="00-abc-def-01")
    got_env, got = unwrap(env.SerializeToString())
    assert got == payload
    assert got_env.event_type == "lianxin.events.v1.OrgUnitCreated"
    assert (got_env.aggregate_type, got_env.aggregate_id, got_env.aggregate_version) == (
        "org_unit", "u1", 3)
    assert got_env.actor.subject == "alice" and got_env.trace.traceparent == "00-abc-def-01"
    assert parse_id(got_env.event_id, "event_id").version == 7


@pytest.mark.parametrize("data", [b"\xff\xff\xff", b"", b"\x12\x03abc"])
def test_poison_bytes_are_undecodable(data: bytes) -> None:
    with pytest.raises(UndecodableEvent):
        unwrap(data)
