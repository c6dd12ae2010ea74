"""Coalescing of the screen wall (app/dashboard.watch) with an in-memory feed and clock: the
current dashboard at once; a notice for the unit gives one more, one for another unit none; a
burst gives one update per interval, never losing the last change; a quiet wall rolls over at
China midnight."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncGenerator

import pytest
from lianxin.assessment.app.dashboard import (
    Changed,
    Dashboard,
    seconds_to_china_midnight,
    watch,
)

UNIT, OTHER = uuid.UUID(int=1), uuid.UUID(int=2)
T0 = dt.datetime(2026, 9, 30, 8, 0, tzinfo=dt.UTC)


class FakeChanges:
    """The kit's Subscription, in memory."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[Changed] = asyncio.Queue()

    def send(self, *units: uuid.UUID) -> None:
        self.queue.put_nowait(Changed(frozenset(units)))

    async def __anext__(self) -> Changed:
        return await self.queue.get()

    def drain(self) -> list[Changed]:
        items = []
        while not self.queue.empty():
            items.append(self.queue.get_nowait())
        return items


class World:
    """The projection's state (a counter), a fake monotonic clock and the builds made."""

    def __init__(self) -> None:
        self.state = 0
        self.now = 0.0
        self.slept: list[float] = []
        self.builds = 0

    async def build(self) -> Dashboard:
        self.builds += 1
        return Dashboard(UNIT, T0.date(), T0.date().replace(day=1),
                         {"SUBMITTED": (float(self.state), float(self.state), 1.0)}, (), (),
                         None, T0)

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)

    def clock(self) -> float:
        return self.now


def stream(world: World, changes: FakeChanges, *, refresh_in: float = 3600.0,
           interval: float = 0.25) -> AsyncGenerator[Dashboard, None]:
    return watch(UNIT, world.build, changes, min_interval_s=interval, clock=world.clock,
                 sleep=world.sleep, refresh_in=lambda: refresh_in)


def submitted(d: Dashboard) -> float:
    return d.figures["SUBMITTED"][1]


async def no_update(updates: AsyncGenerator[Dashboard, None]) -> None:
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(anext(updates), 0.05)


async def test_the_current_dashboard_comes_at_once_then_one_per_relevant_notice() -> None:
    world, changes = World(), FakeChanges()
    updates = stream(world, changes)
    assert submitted(await anext(updates)) == 0

    world.state = 1
    changes.send(OTHER)
    changes.send(UNIT, OTHER)
    assert submitted(await anext(updates)) == 1
    assert world.builds == 2
    assert world.slept == [0.25]   # the first update waited out the interval since the first

    world.now += 10                # a quiet while later: no waiting
    changes.send(OTHER)
    await no_update(updates)       # another unit's notice builds nothing
    assert world.builds == 2
    await updates.aclose()


async def test_a_burst_gives_few_updates_and_the_last_shows_the_final_state() -> None:
    world, changes = World(), FakeChanges()
    updates = stream(world, changes)
    await anext(updates)
    for n in range(1, 21):
        world.state = n
        changes.send(UNIT)
    last = await anext(updates)
    assert submitted(last) == 20
    assert world.builds == 2       # twenty notices, one build
    await no_update(updates)
    await updates.aclose()


async def test_a_notice_during_a_build_triggers_one_more_after_the_interval() -> None:
    world, changes = World(), FakeChanges()

    async def build_while_changing() -> Dashboard:
        result = await World.build(world)
        if world.builds == 2:      # the projection commits again while we read
            world.state = 2
            changes.send(UNIT)
        return result

    updates = watch(UNIT, build_while_changing, changes, min_interval_s=0.25, clock=world.clock,
                    sleep=world.sleep, refresh_in=lambda: 3600.0)
    await anext(updates)
    world.state = 1
    changes.send(UNIT)
    assert submitted(await anext(updates)) == 1
    assert submitted(await anext(updates)) == 2   # not lost
    assert world.slept == [0.25, 0.25]
    await updates.aclose()


async def test_a_quiet_wall_is_rebuilt_when_the_china_date_turns() -> None:
    world, changes = World(), FakeChanges()
    updates = stream(world, changes, refresh_in=0.01)
    await anext(updates)
    await anext(updates)
    assert world.builds == 2
    await updates.aclose()


def test_china_midnight_is_counted_in_china() -> None:
    # 15:59:59 UTC is 23:59:59 in Beijing: one second to midnight, plus the margin.
    assert seconds_to_china_midnight(dt.datetime(2026, 9, 30, 15, 59, 59, tzinfo=dt.UTC)) == 2.0
