"""Scenarios 2, 3, 9: the moments between two commits. A consumer dies after its database
commit and before its offset commit; a relay dies after the broker's ack and before marking its
rows; two transactions commit outbox rows out of id order. The first two are hit exactly, by
crash points (lianxin.kit.faults: the worker SIGKILLs itself the n-th time it gets there)."""

from __future__ import annotations

import asyncio
import signal
import time
from typing import Any

import asyncpg
import pytest
from inject import crash_at, wait_until
from lianxin.events.v1 import people_pb2
from lianxin.kit.auth import Principal
from lianxin.kit.devstack.stack import DevStack
from lianxin.kit.envelope import PendingEvent, wrap
from observe import _connect_args, sql

from conftest import FULL, scaled

# Which pass through the point dies: the first chance after a restart, and a later one (each
# crash costs a worker restart, ~5 s: the short version has one).
NTHS = (1, 3, 7) if FULL else (2,)


@pytest.mark.parametrize("component", ["assessment.work", *(["tickets.work"] if FULL else [])])
def test_2_a_consumer_killed_between_its_commit_and_its_offset_commit_applies_nothing_twice(
        component: str, fault_stack: DevStack, load: Any, invariants: Any) -> None:
    """assessment consumes in batches, tickets (its people read model) event by event (the
    long version only: each crash costs two worker restarts)."""
    with load(rate=8):
        for nth in NTHS:
            code = crash_at(fault_stack, component, "consumer.before_offset_commit", nth)
            assert code == -signal.SIGKILL, f"{component} ended with {code}, not at the point"
        time.sleep(scaled(3, 15))
    invariants()


@pytest.mark.parametrize("component", ["tickets.work", *(["people.work"] if FULL else [])])
def test_3_a_relay_killed_after_the_ack_before_marking_loses_nothing(
        component: str, fault_stack: DevStack, load: Any, invariants: Any) -> None:
    """Its rows are on the broker but not marked: the next relay publishes them again, and the
    consumers recognise the copies."""
    with load(rate=8):
        for nth in NTHS:
            code = crash_at(fault_stack, component, "relay.before_mark", nth)
            assert code == -signal.SIGKILL, f"{component} ended with {code}, not at the point"
        time.sleep(scaled(3, 15))
    invariants()


def _renamed_to_itself(unit: Any) -> tuple[str, bytes]:
    """A real event with no effect: an org unit renamed to the name it has."""
    env = wrap(PendingEvent("org_unit", str(unit["id"]), unit["version"],
                            people_pb2.OrgUnitRenamed(org_unit_id=str(unit["id"]),
                                                      name=unit["name"])),
               Principal("faults-scenario-9", "admin"))
    return env.event_id, env.SerializeToString()


def test_9_rows_committed_out_of_id_order_are_all_published(
        fault_stack: DevStack, load: Any, invariants: Any) -> None:
    """Transaction A takes the lower outbox id and commits last; B, with the higher id, commits
    first and is published first. A's row must still be published (a relay reading "rows after
    the last id I sent" would skip it for ever)."""
    units = sql(fault_stack, "people", "SELECT id, name, version FROM org_unit ORDER BY id LIMIT 2")
    insert = ("INSERT INTO outbox (event_id, topic, key, event_type, envelope) "
              "VALUES ($1, 'people.v1', $2, $3, $4) RETURNING id")
    kind = people_pb2.OrgUnitRenamed.DESCRIPTOR.full_name

    def published(row_id: int) -> bool:
        return bool(sql(fault_stack, "people", "SELECT published_at IS NOT NULL AS p "
                                               "FROM outbox WHERE id = $1", row_id)[0]["p"])

    async def race() -> tuple[int, int]:
        first = await asyncpg.connect(**_connect_args(fault_stack, "people"))
        second = await asyncpg.connect(**_connect_args(fault_stack, "people"))
        try:
            (event_a, body_a), (event_b, body_b) = map(_renamed_to_itself, units)
            held = first.transaction()
            await held.start()
            low = await first.fetchval(insert, event_a, str(units[0]["id"]), kind, body_a)
            high = await second.fetchval(insert, event_b, str(units[1]["id"]), kind, body_b)
            assert high > low
            await asyncio.to_thread(wait_until, lambda: published(high), 60,
                                    "the later-committed row was not published")
            await held.commit()  # the lower id becomes visible only now
            return low, high
        finally:
            await first.close()
            await second.close()

    with load(rate=6):
        low, high = asyncio.run(race())
        wait_until(lambda: published(low), 60, f"outbox row {low} (committed late) was skipped")
    order = sql(fault_stack, "people", "SELECT id FROM outbox WHERE id = ANY($1::bigint[]) "
                                       "ORDER BY published_at", [low, high])
    assert [r["id"] for r in order] == [high, low], "the race did not happen as staged"
    invariants()
