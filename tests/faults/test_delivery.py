"""Scenarios 1, 6, 7, 8: what the broker may do to consumers — deliver twice, deliver again from
offset 0, deliver out of order and late, move partitions between members mid-batch, and carry
messages no consumer can apply. Each runs under the steady load and ends with the invariants."""

from __future__ import annotations

import random
import time
import uuid
from typing import Any

from inject import committed, extra_worker, rewind_group, wait_until
from lianxin.events.v1 import people_pb2, tickets_pb2
from lianxin.events.v1.envelope_pb2 import Envelope
from lianxin.kit.devstack.stack import DevStack
from lianxin.kit.kafka import dlq_topic
from load import ACCEPT, RESOLVE, SUBMIT
from observe import produce, read_topic, sql

from conftest import scaled


def test_1_duplicates_and_a_reread_from_offset_0_change_nothing(
        fault_stack: DevStack, load: Any, invariants: Any) -> None:
    rng = random.Random(1)
    with load(rate=8):
        time.sleep(scaled(3, 10))
        for topic in ("people.v1", "tickets.v1"):
            records = read_topic(fault_stack, topic)
            again = rng.sample(records, min(len(records), int(scaled(300, 3000))))
            produce(fault_stack, topic, [(r.key, r.value, list(r.headers.items())) for r in again])
        # Both consumer groups start again from the very first event, while the load goes on.
        for component, group, topics in (("assessment.work", "assessment",
                                          ["people.v1", "tickets.v1"]),
                                         ("tickets.work", "tickets", ["people.v1"])):
            fault_stack.stop_component(component)
            rewind_group(fault_stack, group, topics)
            assert set(committed(fault_stack, group, topics).values()) == {0}
            fault_stack.restart(component)
        time.sleep(scaled(3, 20))
    invariants()


def test_6_events_out_of_order_and_stale_fold_to_the_source_state(
        fault_stack: DevStack, gql: Any, county: Any, load: Any, invariants: Any) -> None:
    """With the tickets relay stopped, tickets go through several steps; their events are then
    delivered by hand newest first, and the relay, started again, delivers them all once more in
    order — by then every one of them is stale."""
    cadre = fault_stack.token("cadre", [county.tree.county.id], "faults-ooo")
    village = county.tree.villages[0].id
    with load(rate=6):
        fault_stack.stop_component("tickets.work")
        ids = []
        for _ in range(int(scaled(5, 30))):
            ticket = str(uuid.uuid4())
            steps = [(SUBMIT, {"i": {"id": ticket, "channel": "HOTLINE", "category": "road",
                                     "text": "桥上的栏杆断了。", "orgUnitId": village}}),
                     (ACCEPT, {"i": {"ticketId": ticket}}),
                     (RESOLVE, {"i": {"ticketId": ticket, "report": "已修好。"}})]
            for query, variables in steps:
                answer = gql(query, cadre, **variables)
                assert "errors" not in answer and "code" not in next(
                    iter(answer["data"].values())), answer
            ids.append(ticket)
        rows = sql(fault_stack, "tickets", "SELECT key, envelope, event_id::text AS id, "
                   "event_type FROM outbox WHERE published_at IS NULL AND key = ANY($1::text[]) "
                   "ORDER BY id DESC", ids)
        assert len(rows) >= 3 * len(ids), "the steps' events should be waiting in the outbox"
        produce(fault_stack, "tickets.v1", [
            (r["key"].encode(), r["envelope"], [("event_id", r["id"].encode()),
                                                ("event_type", r["event_type"].encode())])
            for r in rows])
        time.sleep(2)  # assessment applies them newest first
        fault_stack.restart("tickets.work")
        time.sleep(scaled(2, 10))
    invariants()
    facts = sql(fault_stack, "assessment", "SELECT status FROM proj.ticket_fact "
                "WHERE ticket_id = ANY($1::uuid[])", ids)
    assert sorted(f["status"].upper() for f in facts) == ["RESOLVED"] * len(ids)


def test_7_a_rebalance_mid_batch_loses_and_doubles_nothing(
        fault_stack: DevStack, load: Any, invariants: Any) -> None:
    """A second assessment worker joins (partitions move), is killed -9 while it holds some
    (they move back after its session times out), a third joins and leaves cleanly."""
    with load(rate=10):
        with extra_worker(fault_stack, "assessment", "b") as second:
            time.sleep(scaled(4, 20))
            assert second.is_running(), "the second worker died by itself"
            second.kill()
        with extra_worker(fault_stack, "assessment", "c"):
            time.sleep(scaled(4, 20))
        time.sleep(scaled(2, 5))
    invariants()


def _envelope(event_type: str, aggregate_id: str, payload: Any) -> tuple[str, bytes]:
    env = Envelope(event_id=str(uuid.uuid4()), event_type=event_type, aggregate_type="Test",
                   aggregate_id=aggregate_id, aggregate_version=1)
    env.payload.Pack(payload, type_url_prefix="type.lianxin.cn/")
    return env.event_id, env.SerializeToString()


def test_8_poison_goes_to_the_dlq_with_headers_and_the_partition_keeps_flowing(
        fault_stack: DevStack, load: Any, invariants: Any, injected: Any) -> None:
    unknown_id, unknown = _envelope("lianxin.events.v1.NoSuchEvent", "x",
                                    people_pb2.OrgUnitRenamed())
    mismatch_id, mismatch = _envelope("lianxin.events.v1.TicketAccepted", "x",
                                      people_pb2.OrgUnitRenamed(org_unit_id="not-a-uuid"))
    nowhere = str(uuid.uuid4())
    missing_id, missing = _envelope(people_pb2.OrgUnitRenamed.DESCRIPTOR.full_name, nowhere,
                                    people_pb2.OrgUnitRenamed(org_unit_id=nowhere, name="无此单位"))
    bad_id, bad_ref = _envelope(people_pb2.VisitLogged.DESCRIPTOR.full_name, nowhere,
                                people_pb2.VisitLogged(visit_id="not-a-uuid",
                                                       ticket_ids=["also-not-a-uuid"]))
    injected.event_ids |= {unknown_id, mismatch_id, missing_id, bad_id}
    poison = {
        "people.v1": [b"\x00\xffgarbage", unknown, missing, bad_ref],
        "tickets.v1": [b"\x00\xffgarbage", unknown, mismatch],
    }
    before = {t: len(read_topic(fault_stack, dlq_topic(t))) for t in poison}
    with load(rate=8):
        time.sleep(scaled(2, 5))
        for topic, values in poison.items():
            key = nowhere.encode()
            produce(fault_stack, topic, [(key, v, [("event_type", b"poison")]) for v in values])
        time.sleep(scaled(4, 15))
    invariants()  # every real event after the poison was applied: the partitions flowed on
    tickets_tp = tickets_pb2.DESCRIPTOR.package  # the same package for every event type
    assert tickets_tp == "lianxin.events.v1"

    def dead() -> dict[str, list[Any]]:
        return {t: read_topic(fault_stack, dlq_topic(t))[before[t]:] for t in poison}

    # Garbage and unknown types reach every consumer of the topic that decodes them.
    wait_until(lambda: all(len(dead()[t]) >= 3 for t in poison), 30, "poison reached the DLQ")
    for topic, records in dead().items():
        for record in records:
            headers = record.headers
            assert headers["dlq.source.topic"].decode() == topic
            assert {"dlq.source.partition", "dlq.source.offset", "dlq.consumer",
                    "dlq.attempts", "dlq.error.class", "dlq.error.message"} <= set(headers)
        bodies = {r.value for r in records}
        assert b"\x00\xffgarbage" in bodies and unknown in bodies, topic
