"""Assessment periods (考核周期): the weekly review, monthly dispatch, quarterly and half-yearly
assessment. A period is named by its kind and any date inside it; everything that takes a
period (metrics, scorecards, rankings, snapshots) turns it into an inclusive China-date range
here, so "the week of 2026-10-01" means the same Monday–Sunday everywhere."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator
from dataclasses import dataclass

# China time (Asia/Shanghai: UTC+8, no daylight saving since 1991). Every date in this service
# — a ticket's cohort, "today" on a screen, a period's bounds — is a China date.
CHINA = dt.timezone(dt.timedelta(hours=8), "CST")


def china_day(at: dt.datetime) -> dt.date:
    """The China calendar date of an instant."""
    return at.astimezone(CHINA).date()


def china_midnight(day: dt.date) -> dt.datetime:
    """The instant a China calendar date begins."""
    return dt.datetime.combine(day, dt.time(), CHINA)


class PeriodKind(enum.Enum):
    DAY = "DAY"
    WEEK = "WEEK"              # Monday–Sunday (ISO weeks, labelled by ISO year and number)
    MONTH = "MONTH"
    QUARTER = "QUARTER"
    HALF_YEAR = "HALF_YEAR"    # Jan–Jun (H1), Jul–Dec (H2)
    YEAR = "YEAR"


_MONTHS = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.HALF_YEAR: 6, PeriodKind.YEAR: 12}


def month_end(day: dt.date) -> dt.date:
    """The last day of `day`'s month."""
    first_next = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first_next - dt.timedelta(days=1)


def _add_months(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, slots=True)
class Period:
    """A calendar period: `start` and `end` are both inclusive China dates."""

    kind: PeriodKind
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        """"2026-09-30", "2026-W40", "2026-09", "2026-Q3", "2026-H2", "2026"."""
        s = self.start
        match self.kind:
            case PeriodKind.DAY:
                return s.isoformat()
            case PeriodKind.WEEK:
                year, week, _ = s.isocalendar()
                return f"{year}-W{week:02d}"
            case PeriodKind.MONTH:
                return f"{s.year}-{s.month:02d}"
            case PeriodKind.QUARTER:
                return f"{s.year}-Q{(s.month - 1) // 3 + 1}"
            case PeriodKind.HALF_YEAR:
                return f"{s.year}-H{1 if s.month <= 6 else 2}"
            case PeriodKind.YEAR:
                return str(s.year)

    @property
    def previous(self) -> Period:
        """The period of the same kind just before (last week, last month …): 赛马's baseline."""
        return period_of(self.kind, self.start - dt.timedelta(days=1))

    @property
    def next(self) -> Period:
        return period_of(self.kind, self.end + dt.timedelta(days=1))

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end


def period_of(kind: PeriodKind, day: dt.date) -> Period:
    """The period of `kind` containing `day`."""
    if kind is PeriodKind.DAY:
        return Period(kind, day, day)
    if kind is PeriodKind.WEEK:
        monday = day - dt.timedelta(days=day.weekday())
        return Period(kind, monday, monday + dt.timedelta(days=6))
    months = _MONTHS[kind]
    first = dt.date(day.year, (day.month - 1) // months * months + 1, 1)
    return Period(kind, first, _add_months(first, months) - dt.timedelta(days=1))


def periods_between(kind: PeriodKind, start: dt.date, end: dt.date) -> Iterator[Period]:
    """Every period of `kind` overlapping start…end, in order (a trend's x axis)."""
    p = period_of(kind, start)
    while p.start <= end:
        yield p
        p = p.next


def month_aligned(start: dt.date | None, end: dt.date | None) -> bool:
    """True when the range is made of whole months (open ends count as aligned), so the
    monthly rollup answers it exactly."""
    return (start is None or start.day == 1) and (end is None or end == month_end(end))
