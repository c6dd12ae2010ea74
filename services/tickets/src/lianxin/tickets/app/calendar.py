"""The working-day calendar in the database: loaded year by year from the `chinese-calendar`
package, corrected or extended by admins day by day, and — after any change — the deadlines
of open tickets computed again, so a provisional deadline (counted on weekdays past the known
years) becomes a real one once its year is loaded."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, replace
from typing import Protocol

from lianxin.tickets.app.common import SYSTEM_ACTOR, Actor, Clock, utcnow
from lianxin.tickets.app.deadlines import basis_of, deadline
from lianxin.tickets.app.handling import assignments_of
from lianxin.tickets.app.ports import UnitOfWork
from lianxin.tickets.app.transition import Change, transition
from lianxin.tickets.domain.calendar import (
    ADMIN,
    CHINA,
    PACKAGE,
    CalendarDay,
    InvalidCalendar,
    check_year,
    weekdays_of,
)
from lianxin.tickets.domain.errors import IllegalTransition, OutOfScope
from lianxin.tickets.domain.events import TicketDeadlinesRecomputed
from lianxin.tickets.domain.scheduling import DUE_FIELD, running_clock
from lianxin.tickets.domain.sla import Clock as SlaClock
from lianxin.tickets.domain.states import Action
from lianxin.tickets.domain.ticket import Ticket

log = logging.getLogger(__name__)
PAGE = 500
MAX_NAME = 40


class CalendarSource(Protocol):
    """Where official calendars come from (adapters/calendar_source.py: the package)."""

    name: str

    @property
    def version(self) -> str: ...
    def years_known(self) -> list[int]: ...
    def days(self, year: int) -> list[CalendarDay]: ...


@dataclass(frozen=True, slots=True)
class LoadCalendarYear:
    year: int


@dataclass(frozen=True, slots=True)
class SetCalendarDay:
    day: dt.date
    workday: bool
    name: str = ""


@dataclass(frozen=True, slots=True)
class CalendarChanged:
    """What a load or an edit changed: days whose working-day flag is new or different, and
    open tickets whose deadline moved (or stopped being provisional)."""

    days_changed: int
    recomputed: int
    day: CalendarDay | None = None
    year: int | None = None


def _require_admin(actor: Actor) -> None:
    if actor.role not in ("admin", "system"):
        raise OutOfScope("only an admin may change the working-day calendar", field="day")


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), CHINA).astimezone(dt.UTC)


async def _store_year(uow: UnitOfWork, year: int, source: CalendarSource,
                      actor: Actor) -> list[dt.date]:
    check_year(year)
    known = source.years_known()
    if year not in known:
        raise InvalidCalendar(
            f"chinese-calendar {source.version} knows the years {known[0]}–{known[-1]}, not "
            f"{year}: set that year's holidays and make-up working days by hand with "
            "setCalendarDay, or upgrade chinese-calendar once the State Council has announced "
            "them and load the year again", field="year")
    async with uow:
        changed = await uow.calendar.put_year(year, source.days(year), source.name, actor.subject)
        await uow.commit()
    return changed


async def load_year(uow: UnitOfWork, year: int, source: CalendarSource,
                    actor: Actor = SYSTEM_ACTOR, clock: Clock = utcnow) -> CalendarChanged:
    """Load every day of `year` from the package (days set by hand are kept), then recompute
    the deadlines it moves. InvalidCalendar if the package does not know the year."""
    _require_admin(actor)
    changed = await _store_year(uow, year, source, actor)
    recomputed = await recompute_deadlines(uow, _start_of(changed[0]), clock) if changed else 0
    return CalendarChanged(len(changed), recomputed, year=year)


async def load_calendar_year(cmd: LoadCalendarYear, uow: UnitOfWork, actor: Actor,
                             source: CalendarSource, clock: Clock = utcnow) -> CalendarChanged:
    return await load_year(uow, cmd.year, source, actor, clock)


async def load_missing_years(uow: UnitOfWork, source: CalendarSource,
                             clock: Clock = utcnow) -> list[int]:
    """Load each year the package knows that the database lacks (or only has by hand), then
    recompute once; idempotent, run at every worker start. Also recomputes deadlines still
    provisional, in case a process stopped between a load and its recompute."""
    async with uow:
        stored = await uow.calendar.years()
    missing = [y for y in source.years_known() if stored.get(y, ("", None))[0] != PACKAGE]
    first_change: dt.date | None = None
    for year in missing:
        changed = await _store_year(uow, year, source, SYSTEM_ACTOR)
        if changed and (first_change is None or changed[0] < first_change):
            first_change = changed[0]
    if missing:
        log.info("working-day calendar: loaded %s from chinese-calendar %s",
                 ", ".join(map(str, missing)), source.version)
    await recompute_deadlines(uow, _start_of(first_change) if first_change else None, clock)
    return missing


async def set_calendar_day(cmd: SetCalendarDay, uow: UnitOfWork, actor: Actor,
                           clock: Clock = utcnow) -> CalendarChanged:
    """Set one day by hand (a year the package does not know yet, or a local correction).
    The first day set in a year nothing had loaded fills that year with Monday–Friday, so once
    its holidays and make-up days are entered the year's deadlines are no longer provisional."""
    _require_admin(actor)
    year = check_year(cmd.day.year, field="day")
    name = cmd.name.strip()
    if len(name) > MAX_NAME:
        raise InvalidCalendar(f"name is at most {MAX_NAME} characters", field="name")
    day = CalendarDay(cmd.day, cmd.workday, name, ADMIN)
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    async with uow:
        since: dt.date | None = None
        if year not in await uow.calendar.years():
            present = {d.day for d in await uow.calendar.days(first, last)}
            filled = await uow.calendar.put_year(
                year, [d for d in weekdays_of(year) if d.day not in present], ADMIN,
                actor.subject)
            since = filled[0] if filled else None
        if await uow.calendar.put_day(day, actor.subject):
            since = min(since or day.day, day.day)
        await uow.commit()
    recomputed = await recompute_deadlines(uow, _start_of(since), clock) if since else 0
    return CalendarChanged(1 if since else 0, recomputed, day=day)


# --- recomputing deadlines -------------------------------------------------------------------
class _Unchanged(Exception):
    """The deadline stays as it is: roll the transition back."""


async def recompute_ticket(uow: UnitOfWork, ticket_id: uuid.UUID, clock: Clock = utcnow) -> bool:
    """Compute the running deadline of one ticket again; True when it moved (a
    RECOMPUTE_DEADLINES step and TicketDeadlinesRecomputed)."""
    async def step(ticket: Ticket, uow: UnitOfWork, now: dt.datetime) -> Change:
        running = running_clock(ticket)
        if running is None:
            raise _Unchanged
        which, old = running
        basis = await basis_of(uow, ticket, which)
        if basis is None:
            raise _Unchanged
        new = await deadline(uow, *basis)
        if new == old:
            raise _Unchanged
        after = ticket.advance(now, **{DUE_FIELD[which]: new})
        if which is SlaClock.HANDLE:
            # The lead's (or local) assignment carries the same deadline: it moves with it.
            for a in await assignments_of(uow, ticket):
                if a.active and a.due == old:
                    await uow.assignments.save(replace(a, due=new))
        return Change(after, [TicketDeadlinesRecomputed(after)],
                      note=f"{which.value} deadline recomputed on the updated working-day calendar",
                      details={"clock": which.value, "previous_due": old.at.isoformat(),
                               "due": new.at.isoformat(), "provisional": new.provisional})

    try:
        await transition(uow, ticket_id, Action.RECOMPUTE_DEADLINES, step, SYSTEM_ACTOR,
                         clock=clock)
    except (_Unchanged, IllegalTransition):  # unchanged, or closed meanwhile
        return False
    return True


async def recompute_deadlines(uow: UnitOfWork, since: dt.datetime | None,
                              clock: Clock = utcnow) -> int:
    """Recompute open tickets whose running deadline is provisional or at/after `since`, one
    transaction each (one that fails is logged by id and skipped). Returns how many moved."""
    moved, after = 0, None
    while True:
        async with uow:
            ids = await uow.alerts.recompute_candidates(since, after, PAGE)
        for ticket_id in ids:
            try:
                moved += await recompute_ticket(uow, ticket_id, clock)
            except Exception as exc:  # one bad ticket must not stop the rest
                log.error("recomputing the deadline of ticket %s failed: %s", ticket_id,
                          type(exc).__name__)
        if len(ids) < PAGE:
            return moved
        after = ids[-1]
