"""Operators' tools: the service clock moves only in dev and test stacks and only for admins
(API and scheduler follow the stored offset); the SLA sweep runs on demand for admins."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from lianxin.tickets.adapters import dev_clock
from lianxin.tickets.app.common import set_clock_offset, utcnow
from lianxin.tickets.domain.ticket import Deadline
from sqlalchemy.ext.asyncio import AsyncEngine
from tickets_helpers import TOWN, add_ticket, codes, execute, single

pytestmark = pytest.mark.integration
SET = "mutation($at: DateTime!) { setServiceClock(at: $at) { now offsetSeconds } }"
SWEEP = "mutation { runSlaSweep { tickets overdue noticesOpened failed } }"
AHEAD = dt.datetime(2030, 1, 2, 3, 4, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def real_time() -> Iterator[None]:
    """The offset is process-wide: every test here gives the real time back."""
    yield
    set_clock_offset(dt.timedelta(0))


async def test_an_admin_moves_the_clock_of_a_test_stack(
        seeded_engine: AsyncEngine, ctx: Callable[..., Any]) -> None:
    moved = await single(ctx(role="admin"), SET, at=AHEAD.isoformat())
    assert abs(dt.datetime.fromisoformat(moved["now"]) - AHEAD) < dt.timedelta(seconds=5)
    assert abs(utcnow() - AHEAD) < dt.timedelta(seconds=5)   # this process follows at once
    # …and the stored offset is what the other processes (the worker's scheduler) take up
    sessions = ctx(role="admin").resources.sessions
    stored = await dev_clock.read_offset(sessions)
    assert abs(dt.datetime.now(dt.UTC) + stored - AHEAD) < dt.timedelta(seconds=5)


async def test_a_production_stack_and_a_cadre_cannot_move_it(
        seeded_engine: AsyncEngine, ctx: Callable[..., Any]) -> None:
    assert codes(await execute(ctx(TOWN), SET, at=AHEAD.isoformat())) == ["FORBIDDEN"]
    production = ctx(role="admin")
    production.resources = dataclasses.replace(
        production.resources,
        settings=production.resources.settings.model_copy(update={"environment": "production"}))
    assert codes(await execute(production, SET, at=AHEAD.isoformat())) == ["FORBIDDEN"]
    assert abs(utcnow() - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=1)
    assert await dev_clock.read_offset(production.resources.sessions) == dt.timedelta(0)


async def test_the_sweep_runs_on_demand_for_admins_only(
        seeded_engine: AsyncEngine, ctx: Callable[..., Any], uow: Callable[[], Any]) -> None:
    yesterday = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    await add_ticket(uow(), submitted_at=yesterday - dt.timedelta(hours=1),
                     accept_due=Deadline(yesterday))   # received, never accepted: overdue
    assert codes(await execute(ctx(TOWN), SWEEP)) == ["FORBIDDEN"]
    report = await single(ctx(role="admin"), SWEEP)
    assert report == {"tickets": 1, "overdue": 1, "noticesOpened": 1, "failed": 0}
    again = await single(ctx(role="admin"), SWEEP)
    assert (again["overdue"], again["noticesOpened"]) == (0, 0)   # raised once
