"""The `chinese-calendar` package as a source of working-day calendars: public holidays and
make-up working days (调休) as announced by the State Council. A release knows the years up to
its date (1.11 stops at 2026); later years are loaded after upgrading it, or set by hand."""

from __future__ import annotations

import datetime as dt
from importlib.metadata import version

import chinese_calendar
from lianxin.tickets.domain.calendar import PACKAGE, CalendarDay

# The package's English holiday names → the names on the State Council's notice.
NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


class PackageCalendar:
    """Days of a year from the installed `chinese-calendar`."""

    name = PACKAGE

    @property
    def version(self) -> str:
        return version("chinese-calendar")

    def years_known(self) -> list[int]:
        """Every year the installed release has the official schedule of."""
        first = min(chinese_calendar.holidays).year
        last = max(chinese_calendar.holidays).year
        return list(range(first, last + 1))

    def days(self, year: int) -> list[CalendarDay]:
        """Every day of `year`; KeyError if the package does not know the year."""
        if year not in self.years_known():
            raise KeyError(year)
        day, out = dt.date(year, 1, 1), []
        while day.year == year:
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
            label = NAMES.get(name, name) if name else ""
            if label and not on_holiday:
                label += "调休"  # a weekend made a working day for this holiday
            out.append(CalendarDay(day, not on_holiday, label, PACKAGE))
            day += dt.timedelta(days=1)
        return out
