"""The Chinese working-day calendar (工作日): weekends, public holidays and make-up working
days (调休). Days the calendar does not know (a year not yet announced by the State Council) are
treated as Monday–Friday, and any deadline that needed one is provisional."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass

from lianxin.tickets.domain.errors import DomainError
from lianxin.tickets.domain.ticket import Deadline

CHINA = dt.timezone(dt.timedelta(hours=8), "CST")  # no daylight saving since 1991
MAX_RANGE_DAYS = 400          # one calendarDays query
FIRST_YEAR, LAST_YEAR = 2000, 2199

# Where a stored day comes from. Days set by hand win: loading a year from the package never
# overwrites them. WEEKDAY days are placeholders (Monday–Friday) filled in when an admin sets a
# day of a year nothing had loaded, so the year counts as known once its holidays are entered.
PACKAGE, ADMIN, WEEKDAY = "chinese-calendar", "admin", "weekday"


class InvalidCalendar(DomainError):
    code = "BAD_USER_INPUT"


@dataclass(frozen=True, slots=True)
class CalendarDay:
    """One day of the working-day calendar: a working day or not, and the holiday it belongs
    to (a make-up working day 调休 names the holiday it makes up for)."""

    day: dt.date
    workday: bool
    name: str = ""
    source: str = PACKAGE


def check_year(year: int, field: str = "year") -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidCalendar(f"year must be between {FIRST_YEAR} and {LAST_YEAR}, got {year}",
                              field=field)
    return year


def check_range(start: dt.date, end: dt.date) -> None:
    """A calendar query spans at most MAX_RANGE_DAYS days, start first."""
    if end < start:
        raise InvalidCalendar(f"to ({end}) is before from ({start}); swap them", field="to")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise InvalidCalendar(f"ask for at most {MAX_RANGE_DAYS} days at a time, not "
                              f"{(end - start).days + 1}", field="to")


def weekdays_of(year: int) -> list[CalendarDay]:
    """Placeholder days of a year the package does not know: Monday–Friday work."""
    day, out = dt.date(year, 1, 1), []
    while day.year == year:
        out.append(CalendarDay(day, day.weekday() < 5, "", WEEKDAY))
        day += dt.timedelta(days=1)
    return out


def deadline_day(at: dt.datetime) -> dt.date:
    """The (China) day a deadline belongs to: a deadline at 24:00 is its day's, not the next."""
    return (at - dt.timedelta(microseconds=1)).astimezone(CHINA).date()


def deadline_text(at: dt.datetime) -> str:
    """A deadline as people read it: '2026-09-15 12:00' China time, or 'the end of 2026-10-08'
    for one at 24:00."""
    local = at.astimezone(CHINA)
    if local.time() == dt.time():
        return f"the end of {deadline_day(at)}"
    return local.strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """`days`: every day of each known year → whether it is a working day."""

    days: Mapping[dt.date, bool]

    def knows(self, day: dt.date) -> bool:
        return day in self.days

    def is_workday(self, day: dt.date) -> bool:
        known = self.days.get(day)
        return known if known is not None else day.weekday() < 5

    def add_working_days(self, start: dt.datetime, n: int) -> Deadline:
        """End (24:00 China time) of the n-th working day after the day of `start`: a 10-day
        deadline set on a Tuesday afternoon falls at the end of the tenth working day after it.
        n = 0 means the end of `start`'s own day."""
        if n < 0:
            raise ValueError("a deadline counts forward: n must be 0 or more")
        day = start.astimezone(CHINA).date()
        provisional = False
        counted = 0
        while counted < n:
            day += dt.timedelta(days=1)
            provisional |= not self.knows(day)
            if self.is_workday(day):
                counted += 1
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), CHINA)
        return Deadline(end.astimezone(dt.UTC), provisional)

    def working_days_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Working time from start to end in working days (a full working day = 1.0), for
        handling durations and held time; 0 when end is not after start."""
        if end <= start:
            return 0.0
        total = 0.0
        cursor = start.astimezone(CHINA)
        stop = end.astimezone(CHINA)
        while cursor < stop:
            next_midnight = dt.datetime.combine(cursor.date() + dt.timedelta(days=1), dt.time(),
                                                CHINA)
            chunk_end = min(next_midnight, stop)
            if self.is_workday(cursor.date()):
                total += (chunk_end - cursor).total_seconds() / 86400
            cursor = chunk_end
        return math.floor(total * 1000) / 1000

    def after_deadline(self, due: dt.datetime, n: int) -> Deadline:
        """End of the n-th working day after the day a deadline falls on (a deadline at the end
        of Friday plus 3 working days is the end of the next Wednesday, or earlier when a
        make-up Saturday 调休 intervenes)."""
        day_end = dt.datetime.combine(deadline_day(due), dt.time(12), CHINA)
        return self.add_working_days(day_end, n)

    def add_duration(self, start: dt.datetime, delta: dt.timedelta) -> Deadline:
        """Wall-clock deadlines (a whistle's 30 minutes or 2 hours): never provisional."""
        return Deadline(start + delta, False)
