"""The working-day calendar in the database: years loaded from chinese-calendar, days set by
hand, and open tickets' deadlines recomputed after each change (provisional ones first)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
import tickets_helpers as helpers
from lianxin.kit.ids import uuid7
from lianxin.tickets.adapters.calendar_source import PackageCalendar
from lianxin.tickets.app.calendar import (
    SetCalendarDay,
    load_missing_years,
    load_year,
    set_calendar_day,
)
from lianxin.tickets.app.common import Actor
from lianxin.tickets.app.deadlines import deadline
from lianxin.tickets.domain.calendar import (
    CHINA,
    PACKAGE,
    CalendarDay,
    InvalidCalendar,
    weekdays_of,
)
from lianxin.tickets.domain.errors import OutOfScope
from lianxin.tickets.domain.states import Action, HistoryEntry
from lianxin.tickets.domain.ticket import (
    Deadline,
    Status,
    Ticket,
)
from sqlalchemy.ext.asyncio import AsyncEngine
from tickets_helpers import Uow, end_of

pytestmark = pytest.mark.integration
ADMIN = Actor(subject="admin-1", role="admin")
NEW_YEAR_2027 = {dt.date(2027, 1, 1)}   # a Friday


class Package2027(PackageCalendar):
    """The package after an upgrade that knows 2027 (New Year's Day on Friday Jan 1)."""

    def years_known(self) -> list[int]:
        return [*super().years_known(), 2027]

    def days(self, year: int) -> list[CalendarDay]:
        if year != 2027:
            return super().days(year)
        return [CalendarDay(d.day, d.workday and d.day not in NEW_YEAR_2027,
                            "元旦" if d.day in NEW_YEAR_2027 else "", PACKAGE)
                for d in weekdays_of(2027)]


def china(y: int, m: int, d: int, h: int = 15) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=CHINA)


async def add_ticket(uow: Uow, code: str, history: tuple[tuple[Action, dict[str, Any]], ...] = (),
                     **changes: Any) -> Ticket:
    t = helpers.ticket(**{"code": code, "text": "路灯坏了", "submitted_at": china(2026, 12, 31),
                          "version": max(1, len(history)), **changes})
    async with uow() as u:
        assert await u.tickets.add(t)
        for version, (action, details) in enumerate(history, start=1):
            await u.history.add(HistoryEntry(uuid7(), t.id, version, t.submitted_at, "cadre-1",
                                             "cadre", action, None, Status.RECEIVED,
                                             details=details))
        await u.commit()
    return t


async def get(uow: Uow, t: Ticket) -> Ticket:
    async with uow() as u:
        [found] = await u.tickets.get_many([t.id])
    return found


async def count(engine: AsyncEngine, sql: str, **params: Any) -> Any:
    async with engine.connect() as conn:
        return (await conn.execute(sa.text(sql), params)).scalar_one()


async def test_a_year_loads_from_the_package_once(
        seeded_engine: AsyncEngine, uow: Uow) -> None:
    async with seeded_engine.begin() as conn:
        await conn.execute(sa.text("DELETE FROM calendar_day WHERE day >= '2026-01-01'"))
        await conn.execute(sa.text("DELETE FROM calendar_year WHERE year = 2026"))
    loaded = await load_year(uow(), 2026, PackageCalendar(), ADMIN)
    assert loaded.days_changed == 365
    async with uow() as u:
        days = {d.day: d for d in await u.calendar.days(dt.date(2026, 10, 1),
                                                          dt.date(2026, 10, 11))}
        years = await u.calendar.years()
    assert (days[dt.date(2026, 10, 1)].workday, days[dt.date(2026, 10, 1)].name) == (False, "国庆节")
    assert (days[dt.date(2026, 10, 10)].workday, days[dt.date(2026, 10, 10)].source) == (
        True, PACKAGE)
    assert years[2026][0] == PACKAGE
    async with uow() as u:
        assert await deadline(u, china(2026, 9, 29), 10) == Deadline(end_of(2026, 10, 19))
    again = await load_year(uow(), 2026, PackageCalendar(), ADMIN)
    assert (again.days_changed, again.recomputed) == (0, 0)


async def test_a_year_the_package_does_not_know_is_refused_with_what_to_do(
        seeded_engine: AsyncEngine, uow: Uow) -> None:
    with pytest.raises(InvalidCalendar) as err:
        await load_year(uow(), 2099, PackageCalendar(), ADMIN)
    assert "setCalendarDay" in err.value.message and "upgrade chinese-calendar" in err.value.message
    assert err.value.details["field"] == "year"
    assert await count(seeded_engine, "SELECT count(*) FROM calendar_day WHERE day >= '2099-01-01'") == 0
    with pytest.raises(OutOfScope):
        await load_year(uow(), 2026, PackageCalendar(), Actor("cadre-1", "cadre"))


async def test_loading_the_next_year_recomputes_provisional_deadlines(
        seeded_engine: AsyncEngine, uow: Uow) -> None:
    # Received on Dec 31: accept within 1 working day → Fri Jan 1 2027, a guess (provisional).
    async with uow() as u:
        guess = await deadline(u, china(2026, 12, 31), 1)
    assert guess == Deadline(end_of(2027, 1, 1), provisional=True)
    received = await add_ticket(uow, "S-1", accept_due=guess)
    # Dispatched on Dec 28 with 10 working days: the history says from when and how many.
    start = china(2026, 12, 28, 10)
    dispatched = await add_ticket(
        uow, "S-2", status=Status.ASSIGNED,
        handle_due=Deadline(end_of(2027, 1, 11), provisional=True),
        history=((Action.SUBMIT, {}), (Action.ACCEPT, {}),
                 (Action.DISPATCH, {"due_start": start.isoformat(), "due_days": 10})))
    # A deadline set without saying how is kept as it is.
    unknown = await add_ticket(
        uow, "S-3", status=Status.ASSIGNED,
        handle_due=Deadline(end_of(2027, 1, 11), provisional=True),
        history=((Action.SUBMIT, {}), (Action.DISPATCH, {})))
    settled = await add_ticket(uow, "S-4", accept_due=Deadline(end_of(2026, 10, 20)))
    closed = await add_ticket(uow, "S-5", status=Status.CLOSED,
                              accept_due=Deadline(end_of(2027, 1, 1), provisional=True))

    change = await load_year(uow(), 2027, Package2027(), ADMIN)
    assert (change.days_changed, change.recomputed) == (365, 2)
    assert (await get(uow, received)).accept_due == Deadline(end_of(2027, 1, 4))
    assert (await get(uow, dispatched)).handle_due == Deadline(end_of(2027, 1, 12))
    assert (await get(uow, unknown)).handle_due == unknown.handle_due
    assert (await get(uow, settled)).version == settled.version
    assert (await get(uow, closed)).version == closed.version
    assert await count(seeded_engine, "SELECT count(*) FROM outbox WHERE event_type = "
                       "'lianxin.events.v1.TicketDeadlinesRecomputed'") == 2
    async with uow() as u:
        [entry] = (await u.history.for_tickets([received.id]))[received.id]
    assert entry.action is Action.RECOMPUTE_DEADLINES and entry.actor == "system"
    assert entry.details["provisional"] is False and entry.details["clock"] == "accept"
    # Loading again changes nothing.
    assert (await load_year(uow(), 2027, Package2027(), ADMIN)).recomputed == 0


async def test_days_set_by_hand_fill_the_year_and_survive_the_package(
        seeded_engine: AsyncEngine, uow: Uow) -> None:
    received = await add_ticket(uow, "S-6", accept_due=Deadline(end_of(2027, 1, 1), True))
    change = await set_calendar_day(
        SetCalendarDay(dt.date(2027, 2, 5), workday=False, name="县里放假"), uow(), ADMIN)
    assert change.recomputed == 1 and change.day is not None and change.day.source == "admin"
    # The first day set by hand made 2027 known (weekdays): Jan 1 is no longer a guess.
    assert (await get(uow, received)).accept_due == Deadline(end_of(2027, 1, 1))
    async with uow() as u:
        assert (await u.calendar.years())[2027][0] == "admin"
    assert await count(seeded_engine, "SELECT count(*) FROM calendar_day WHERE "
                       "day BETWEEN '2027-01-01' AND '2027-12-31'") == 365
    # Once the package knows 2027, the worker loads it: New Year's Day moves the deadline,
    # the day set by hand stays.
    loaded = await load_missing_years(uow(), Package2027())
    assert 2027 in loaded and 2026 not in loaded   # and the years before 2025 the seed lacks
    assert (await get(uow, received)).accept_due == Deadline(end_of(2027, 1, 4))
    async with uow() as u:
        [feb5] = await u.calendar.days(dt.date(2027, 2, 5), dt.date(2027, 2, 5))
    assert (feb5.workday, feb5.name, feb5.source) == (False, "县里放假", "admin")
    assert await load_missing_years(uow(), Package2027()) == []
    with pytest.raises(OutOfScope):
        await set_calendar_day(SetCalendarDay(dt.date(2026, 5, 6), True), uow(),
                               Actor("sup-1", "supervisor"))
    with pytest.raises(InvalidCalendar, match="at most"):
        await set_calendar_day(SetCalendarDay(dt.date(2026, 5, 6), True, "长" * 41), uow(),
                               ADMIN)
