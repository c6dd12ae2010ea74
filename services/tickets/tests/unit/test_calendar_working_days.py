"""Working days on the Chinese calendar: holidays, make-up working days (调休), and years the
calendar does not know yet (weekdays, provisional)."""

from __future__ import annotations

import datetime as dt

import pytest
from lianxin.tickets.adapters.calendar_source import PackageCalendar
from lianxin.tickets.domain.calendar import (
    CHINA,
    WEEKDAY,
    InvalidCalendar,
    WorkCalendar,
    check_range,
    deadline_day,
    weekdays_of,
)
from tickets_helpers import end_of

SOURCE = PackageCalendar()
CAL = WorkCalendar({d.day: d.workday for y in (2025, 2026) for d in SOURCE.days(y)})


def china(y: int, m: int, d: int, h: int = 15) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=CHINA)


def test_national_day_is_skipped_and_the_make_up_saturday_counts() -> None:
    # Sep 29 (Tue) + 10: Sep 30, Oct 8, 9, Sat Oct 10 (调休), 12–16, 19.
    due = CAL.add_working_days(china(2026, 9, 29), 10)
    assert due.at == end_of(2026, 10, 19)
    assert due.at == dt.datetime(2026, 10, 19, 16, tzinfo=dt.UTC)
    assert not due.provisional


@pytest.mark.parametrize(("start", "n", "end"), [
    ((2026, 2, 13), 1, (2026, 2, 14)),   # the make-up Saturday before Spring Festival
    ((2026, 2, 13), 2, (2026, 2, 24)),   # Feb 15–23 off
    ((2026, 2, 13), 6, (2026, 2, 28)),   # and the make-up Saturday after it
    ((2026, 9, 30), 1, (2026, 10, 8)),
    ((2026, 10, 9), 1, (2026, 10, 10)),
    ((2026, 10, 10), 1, (2026, 10, 12)),  # Sunday Oct 11 is off
    ((2026, 10, 3), 0, (2026, 10, 3)),    # 0: the end of the start's own day, even a holiday
])
def test_holidays_and_make_up_days(start: tuple[int, int, int], n: int,
                                   end: tuple[int, int, int]) -> None:
    assert CAL.add_working_days(china(*start), n).at == end_of(*end)


def test_the_start_day_is_the_china_day_not_the_utc_day() -> None:
    # 23:30 UTC on Sep 29 is already Sep 30 in China: one working day later is Oct 8.
    start = dt.datetime(2026, 9, 29, 23, 30, tzinfo=dt.UTC)
    assert CAL.add_working_days(start, 1).at == end_of(2026, 10, 8)


def test_past_the_known_years_weekdays_count_and_the_deadline_is_provisional() -> None:
    due = CAL.add_working_days(china(2026, 12, 30), 3)   # Dec 31, Fri Jan 1 (unknown), Jan 4
    assert due.at == end_of(2027, 1, 4)
    assert due.provisional
    assert not CAL.add_working_days(china(2026, 12, 29), 2).provisional  # ends Dec 31


def test_far_beyond_the_calendar_never_fails() -> None:
    due = WorkCalendar({}).add_working_days(china(2099, 6, 5), 10)   # Friday
    assert due.at == end_of(2099, 6, 19) and due.provisional


def test_after_deadline_counts_from_the_deadline_s_own_day() -> None:
    # Due at the end of Fri Oct 9 (= Sat 00:00): 3 working days later is Sat 10, Mon 12, Tue 13.
    assert CAL.after_deadline(end_of(2026, 10, 9), 3).at == end_of(2026, 10, 13)
    assert deadline_day(end_of(2026, 10, 9)) == dt.date(2026, 10, 9)


def test_working_days_between_skip_the_holiday() -> None:
    assert CAL.working_days_between(china(2026, 9, 30, 0), china(2026, 10, 9, 0)) == 2.0


def test_package_days_are_named_in_chinese() -> None:
    days = {d.day: d for d in SOURCE.days(2026)}
    assert len(days) == 365
    assert (days[dt.date(2026, 10, 1)].workday, days[dt.date(2026, 10, 1)].name) == (False, "国庆节")
    assert (days[dt.date(2026, 10, 10)].workday, days[dt.date(2026, 10, 10)].name) == (True, "国庆节调休")
    assert (days[dt.date(2026, 10, 11)].workday, days[dt.date(2026, 10, 11)].name) == (False, "")
    assert days[dt.date(2026, 2, 17)].name == "春节"
    assert 2026 in SOURCE.years_known() and 2099 not in SOURCE.years_known()
    with pytest.raises(KeyError):
        SOURCE.days(2099)


def test_placeholder_years_are_weekdays() -> None:
    days = weekdays_of(2028)
    assert len(days) == 366 and {d.source for d in days} == {WEEKDAY}
    assert [d.workday for d in days[:3]] == [False, False, True]  # Sat 1, Sun 2, Mon 3 Jan 2028


def test_calendar_ranges_are_bounded() -> None:
    check_range(dt.date(2026, 1, 1), dt.date(2027, 2, 4))   # 400 days
    with pytest.raises(InvalidCalendar, match="at most 400"):
        check_range(dt.date(2026, 1, 1), dt.date(2027, 2, 5))
    with pytest.raises(InvalidCalendar, match="before"):
        check_range(dt.date(2026, 1, 2), dt.date(2026, 1, 1))
