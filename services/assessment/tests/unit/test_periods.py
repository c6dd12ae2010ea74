"""Periods: the range and label of each kind, the previous period across year ends, ISO weeks
at a year boundary, and month alignment (which decides the monthly rollup)."""

from __future__ import annotations

import datetime as dt

import pytest
from lianxin.assessment.domain.periods import (
    PeriodKind,
    month_aligned,
    month_end,
    period_of,
    periods_between,
)

D = dt.date


@pytest.mark.parametrize(("kind", "day", "start", "end", "label"), [
    (PeriodKind.DAY, D(2026, 9, 30), D(2026, 9, 30), D(2026, 9, 30), "2026-09-30"),
    (PeriodKind.WEEK, D(2026, 10, 1), D(2026, 9, 28), D(2026, 10, 4), "2026-W40"),
    (PeriodKind.WEEK, D(2027, 1, 1), D(2026, 12, 28), D(2027, 1, 3), "2026-W53"),
    (PeriodKind.MONTH, D(2026, 9, 14), D(2026, 9, 1), D(2026, 9, 30), "2026-09"),
    (PeriodKind.MONTH, D(2028, 2, 10), D(2028, 2, 1), D(2028, 2, 29), "2028-02"),
    (PeriodKind.QUARTER, D(2026, 8, 31), D(2026, 7, 1), D(2026, 9, 30), "2026-Q3"),
    (PeriodKind.HALF_YEAR, D(2026, 7, 1), D(2026, 7, 1), D(2026, 12, 31), "2026-H2"),
    (PeriodKind.HALF_YEAR, D(2026, 6, 30), D(2026, 1, 1), D(2026, 6, 30), "2026-H1"),
    (PeriodKind.YEAR, D(2026, 5, 5), D(2026, 1, 1), D(2026, 12, 31), "2026"),
])
def test_period_of_gives_the_inclusive_range_and_label(
        kind: PeriodKind, day: dt.date, start: dt.date, end: dt.date, label: str) -> None:
    p = period_of(kind, day)
    assert (p.start, p.end, p.label) == (start, end, label)
    assert day in p and start in p and end in p
    assert end + dt.timedelta(days=1) not in p


@pytest.mark.parametrize(("kind", "day", "previous"), [
    (PeriodKind.DAY, D(2026, 1, 1), "2025-12-31"),
    (PeriodKind.WEEK, D(2026, 1, 1), "2025-W52"),
    (PeriodKind.MONTH, D(2026, 1, 15), "2025-12"),
    (PeriodKind.QUARTER, D(2026, 2, 1), "2025-Q4"),
    (PeriodKind.HALF_YEAR, D(2026, 3, 1), "2025-H2"),
    (PeriodKind.YEAR, D(2026, 3, 1), "2025"),
])
def test_previous_is_the_period_just_before(kind: PeriodKind, day: dt.date, previous: str) -> None:
    p = period_of(kind, day)
    assert p.previous.label == previous
    assert p.previous.end == p.start - dt.timedelta(days=1)
    assert p.previous.next == p


def test_periods_between_covers_the_range_in_order() -> None:
    weeks = list(periods_between(PeriodKind.WEEK, D(2026, 9, 30), D(2026, 10, 12)))
    assert [w.label for w in weeks] == ["2026-W40", "2026-W41", "2026-W42"]
    months = list(periods_between(PeriodKind.MONTH, D(2025, 12, 31), D(2026, 2, 1)))
    assert [m.label for m in months] == ["2025-12", "2026-01", "2026-02"]


def test_month_alignment() -> None:
    assert month_end(D(2026, 2, 3)) == D(2026, 2, 28)
    assert month_aligned(D(2026, 9, 1), D(2026, 9, 30))
    assert month_aligned(D(2026, 7, 1), D(2026, 12, 31))
    assert month_aligned(None, None) and month_aligned(D(2026, 9, 1), None)
    assert not month_aligned(D(2026, 9, 2), D(2026, 9, 30))
    assert not month_aligned(D(2026, 9, 1), D(2026, 9, 29))
    week = period_of(PeriodKind.WEEK, D(2026, 10, 1))
    assert not month_aligned(week.start, week.end)
