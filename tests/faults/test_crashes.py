"""Scenarios 2, 3, 9: the moments between two commits. A consumer dies after its database
commit and before its offset commit; a relay dies after the broker's ack and before marking its
rows; two transactions commit outbox rows out of id order. The first two are hit exactly, by
crash points (lianxin.kit.faults: the worker SIGKILLs itself the n-th time it gets there)."""

from __future__ import annotations

import asyncio
import signal
import time
from typing import Any

import pytest
from inject import crash_at, wait_until
from invariants import OUTBOX_INSERT, RENAMED, renamed_to_itself
from lianxin.kit.devstack.stack import DevStack
from observe import connect, sql

from conftest import FULL, scaled

# Which pass through the point dies: the first chance after a restart, and a later one (each
# crash costs a worker restart, ~5 s: the short version has one).
NTHS = (1, 3, 7) if FULL else (2,)


def _crashes_under_load(stack: DevStack, load: Any, invariants: Any, component: str,
                        point: str) -> None:
    with load(rate=8):
        for nth in NTHS:
            code = crash_at(stack, component, point, nth)
            assert code == -signal.SIGKILL, f"{component} ended with {code}, not at {point}"
        time.sleep(scaled(3, 15))
    invariants()


@pytest.mark.parametrize("component", ["assessment.work", *(["tickets.work"] if FULL else [])])
def test_2_a_consumer_killed_between_its_commit_and_its_offset_commit_applies_nothing_twice(
        component: str, fault_stack: DevStack, load: Any, invariants: Any) -> None:
    """assessment consumes in batches, tickets (its people read model) event by event (the
    long version only: each crash costs two worker restarts)."""
    _crashes_under_load(fault_stack, load, invariants, component, "consumer.before_offset_commit")


@pytest.mark.parametrize("component", ["tickets.work", *(["people.work"] if FULL else [])])
def test_3_a_relay_killed_after_the_ack_before_marking_loses_nothing(
        component: str, fault_stack: DevStack, load: Any, invariants: Any) -> None:
    """Its rows are on the broker but not marked: the next relay publishes them again, and the
    consumers recognise the copies."""
    _crashes_under_load(fault_stack, load, invariants, component, "relay.before_mark")


def test_9_rows_committed_out_of_id_order_are_all_published(
        fault_stack: DevStack, load: Any, invariants: Any) -> None:
    """Transaction A takes the lower outbox id and commits last; B, with the higher id, commits
    first and is published first. A's row must still be published (a relay reading "rows after
    the last id I sent" would skip it for ever)."""
    units = sql(fault_stack, "people", "SELECT id, name, version FROM org_unit ORDER BY id LIMIT 2")

    def published(row_id: int) -> bool:
        return bool(sql(fault_stack, "people", "SELECT published_at IS NOT NULL AS p "
                                               "FROM outbox WHERE id = $1", row_id)[0]["p"])

    async def race() -> tuple[int, int]:
        first = await connect(fault_stack, "people")
        second = await connect(fault_stack, "people")
        try:
            (event_a, body_a), (event_b, body_b) = (renamed_to_itself(u, "faults-scenario-9")
                                                    for u in units)
            held = first.transaction()
            await held.start()
            low = await first.fetchval(OUTBOX_INSERT, event_a, str(units[0]["id"]), RENAMED, body_a)
            high = await second.fetchval(OUTBOX_INSERT, event_b, str(units[1]["id"]), RENAMED,
                                         body_b)
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
