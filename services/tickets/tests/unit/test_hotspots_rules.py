"""Hot spots, the pure rules (domain/hotspots.py): ISO weeks in China time, the spike rule and
the opaque requester key."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from lianxin.tickets.domain.hotspots import (
    HotSpot,
    WeekCount,
    hot_spots,
    is_spike,
    opaque_key,
    week_start,
    week_start_at,
)

PLACE, OTHER = uuid.UUID(int=2), uuid.UUID(int=3)
MONDAY = dt.date(2026, 11, 16)   # ISO week 2026-W47


def test_weeks_start_on_monday_in_china_time() -> None:
    # Sunday 16:30 UTC is already Monday 00:30 in China.
    assert week_start(dt.datetime(2026, 11, 15, 16, 30, tzinfo=dt.UTC)) == MONDAY
    assert week_start(dt.datetime(2026, 11, 15, 15, 59, tzinfo=dt.UTC)) == MONDAY - dt.timedelta(7)
    assert week_start_at(MONDAY) == dt.datetime(2026, 11, 15, 16, tzinfo=dt.UTC)


@pytest.mark.parametrize(("day", "label"), [
    (dt.date(2026, 11, 16), "2026-W47"),
    (dt.date(2026, 12, 28), "2026-W53"),   # 2026 has 53 ISO weeks
    (dt.date(2024, 12, 30), "2025-W01"),   # a Monday of December in the next ISO year
])
def test_week_labels_are_iso(day: dt.date, label: str) -> None:
    assert HotSpot("water", PLACE, day, 1, False).week == label


@pytest.mark.parametrize(("count", "previous", "spike"), [
    (3, [0, 0, 0, 0], True),       # three after a quiet month
    (2, [0, 0, 0, 0], False),      # below the minimum
    (3, [2, 2, 2, 2], False),      # 3 < 2 × 2
    (4, [2, 2, 2, 2], True),       # exactly twice the mean
    (10, [4, 4, 4, 4], True),
    (7, [4, 4, 4, 4], False),
])
def test_spike_rule(count: int, previous: list[int], spike: bool) -> None:
    assert is_spike(count, previous) is spike


def test_hot_spots_show_the_asked_weeks_with_a_baseline_from_before() -> None:
    first = MONDAY - dt.timedelta(weeks=1)
    counts = [WeekCount("water", PLACE, first - dt.timedelta(weeks=i), 2) for i in range(1, 5)]
    counts += [WeekCount("water", PLACE, first, 3),                     # steady 2 → not a spike
               WeekCount("water", PLACE, MONDAY, 5),                    # mean(3,2,2,2)=2.25 → spike
               WeekCount("road", OTHER, MONDAY, 3)]                     # nothing before → spike
    found = hot_spots(counts, first, weeks=2)
    assert [(h.category, h.week, h.count, h.spike) for h in found] == [
        ("water", "2026-W47", 5, True), ("road", "2026-W47", 3, True),
        ("water", "2026-W46", 3, False)]


def test_opaque_key_is_stable_short_and_hides_the_key() -> None:
    key = "r:" + str(uuid.UUID(int=42))
    assert opaque_key(key) == opaque_key(key) != opaque_key(key + "x")
    assert len(opaque_key(key)) == 16
    assert str(uuid.UUID(int=42)) not in opaque_key(key)
