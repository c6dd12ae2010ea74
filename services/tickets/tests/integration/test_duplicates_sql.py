"""Duplicate suggestions and hot spots as use cases on a real database, with an injected clock:
a ticket's own suggestions (for `Ticket.duplicateSuggestions`) and ISO weeks in China time."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import tickets_helpers as helpers
from lianxin.tickets.app.common import Actor
from lianxin.tickets.app.duplicates import duplicate_suggestions, similar_tickets
from lianxin.tickets.app.hotspots import hot_spots
from lianxin.tickets.domain.ticket import Status, Ticket
from sqlalchemy.ext.asyncio import AsyncEngine
from tickets_helpers import TOWN, VILLAGE, FakeClock

pytestmark = pytest.mark.integration

ADMIN = Actor(subject="admin", role="admin")
CLOCK = FakeClock(dt.datetime(2026, 11, 20, 4, tzinfo=dt.UTC))   # Friday of 2026-W47


def ticket(n: int, text: str, at: dt.datetime, **changes: Any) -> Ticket:
    return helpers.ticket(id=uuid.UUID(int=6000 + n), code=f"D-{n}", category="water.supply",
                          text=text, submitted_at=at, **changes)


async def store(make_uow: Callable[..., Any], engine: AsyncEngine, *tickets: Ticket) -> None:
    await helpers.add_tickets(make_uow(engine), *tickets)


async def test_a_tickets_suggestions_exclude_itself_and_follow_the_clock(
        seeded_engine: AsyncEngine, make_uow: Callable[..., Any]) -> None:
    day = dt.timedelta(days=1)
    first = ticket(1, "村里自来水停了三天", CLOCK.now - 80 * day)
    second = ticket(2, "我们村停水三天了", CLOCK.now - 1 * day)
    merged = ticket(3, "我们村停水三天了", CLOCK.now - 1 * day, status=Status.MERGED)
    await store(make_uow, seeded_engine, first, second, merged,
                ticket(4, "水费太贵", CLOCK.now - 1 * day))
    ids = [first.id, second.id, merged.id, uuid.UUID(int=404)]
    found = await duplicate_suggestions(make_uow(seeded_engine), ADMIN, ids, clock=CLOCK)
    assert {k: [t.code for t, _ in v] for k, v in found.items()} == {
        first.id: ["D-2"], second.id: ["D-1"], merged.id: [], uuid.UUID(int=404): []}
    # Twenty days later the first one is past the 90-day window.
    later = FakeClock(CLOCK.now + 20 * day)
    found = await duplicate_suggestions(make_uow(seeded_engine), ADMIN, [second.id], clock=later)
    assert found[second.id] == []
    excluded = await similar_tickets(make_uow(seeded_engine), ADMIN, "我们村停水三天了", VILLAGE,
                                     "water", exclude_id=second.id, clock=CLOCK)
    assert [t.code for t, _ in excluded] == ["D-1"]


async def test_weeks_are_counted_in_china_time(seeded_engine: AsyncEngine,
                                               make_uow: Callable[..., Any]) -> None:
    monday_cst = dt.datetime(2026, 11, 15, 16, 30, tzinfo=dt.UTC)   # Mon 00:30 in China
    sunday_cst = dt.datetime(2026, 11, 15, 15, 30, tzinfo=dt.UTC)   # Sun 23:30 in China
    await store(make_uow, seeded_engine, *(ticket(10 + i, "停水", monday_cst) for i in range(3)),
                ticket(20, "停水", sunday_cst))
    found = await hot_spots(make_uow(seeded_engine), ADMIN, TOWN, weeks=2, clock=CLOCK)
    assert [(h.week, h.place_id, h.count, h.spike) for h in found] == [
        ("2026-W47", VILLAGE, 3, True), ("2026-W46", VILLAGE, 1, False)]
    assert await hot_spots(make_uow(seeded_engine), ADMIN, TOWN, weeks=2, category="road",
                           clock=CLOCK) == []
    assert len(await hot_spots(make_uow(seeded_engine), ADMIN, TOWN, weeks=1,
                               category="water.supply", clock=CLOCK)) == 1
