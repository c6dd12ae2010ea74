"""The metrics engine without a database: which cube answers which query (and the refusals
that say what to drop), which counters a measure needs, how an ORG_UNIT grouping is planned,
and measures computed from summed counters — with an in-memory reader standing in for SQL."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from lianxin.assessment.app.metrics import (
    CubeQuery,
    MetricsQuery,
    Summed,
    choose_cube,
    compute,
    plan,
)
from lianxin.assessment.domain.cube_choice import counters_for
from lianxin.assessment.domain.measures import HIST
from lianxin.kit.errors import InvalidInput

X, KID1, KID2, DEPT, CADRE = (uuid.UUID(int=n) for n in (1, 2, 3, 4, 5))
SEPT = {"start": dt.date(2026, 9, 1), "end": dt.date(2026, 9, 30)}
WEEK = {"start": dt.date(2026, 9, 28), "end": dt.date(2026, 10, 4)}
M = ("SATISFACTION_RATE",)


class FakeReader:
    """Answers every cube query with the given sums and remembers what it was asked."""

    def __init__(self, summed: list[Summed] | None = None) -> None:
        self.summed = summed or []
        self.asked: list[CubeQuery] = []

    async def sum_cube(self, q: CubeQuery) -> list[Summed]:
        self.asked.append(q)
        return self.summed

    async def children(self, unit: uuid.UUID | None) -> list[uuid.UUID]:
        return [KID1, KID2] if unit == X else [X]

    async def cadres_in(self, unit: uuid.UUID, exact: bool) -> list[uuid.UUID]:
        return [CADRE]


@pytest.mark.parametrize(("query", "cube"), [
    ({"subtree": X, **SEPT}, "unit_month"),
    ({"subtree": X}, "unit_month"),
    ({"subtree": X, "group_by": ("org_unit", "month"), **SEPT}, "unit_month"),
    ({"subtree": X, **WEEK}, "unit_day"),
    ({"subtree": X, "group_by": ("week",), **SEPT}, "unit_day"),
    ({"org_unit": X, "group_by": ("day",)}, "unit_day"),
    ({"subtree": X, "category": "water", **SEPT}, "detail_day"),
    ({"subtree": X, "group_by": ("channel",), **SEPT}, "detail_day"),
    ({"subtree": X, "department": DEPT}, "detail_day"),
    ({"kind": "demand"}, "detail_day"),
    ({"department": DEPT, **SEPT}, "department_day"),
    ({"group_by": ("department", "category")}, "department_day"),
    ({"department": DEPT, "kind": "demand"}, "detail_day"),
    ({"cadre": CADRE, **SEPT}, "cadre_day"),
    ({"subtree": X, "group_by": ("cadre", "week")}, "cadre_day"),
])
def test_the_smallest_cube_holding_every_dimension(query: dict[str, Any], cube: str) -> None:
    assert choose_cube(MetricsQuery(measures=M, **query)) == cube


@pytest.mark.parametrize(("query", "says"), [
    ({"cadre": CADRE, "category": "water"}, "drop category"),
    ({"group_by": ("cadre", "channel")}, "drop channel"),
    ({"cadre": CADRE, "group_by": ("org_unit",)}, "drop org_unit"),
])
def test_combinations_no_cube_holds_are_refused_saying_what_to_drop(
        query: dict[str, Any], says: str) -> None:
    with pytest.raises(InvalidInput, match=says) as caught:
        choose_cube(MetricsQuery(measures=M, **query))
    assert caught.value.code == "BAD_USER_INPUT"


@pytest.mark.parametrize(("query", "field"), [
    ({"measures": ()}, "measures"),
    ({"measures": ("NOPE",)}, "measures"),
    ({"measures": M, "group_by": ("day", "month")}, "groupBy"),
    ({"measures": M, "group_by": ("town",)}, "groupBy"),
    ({"measures": M, "subtree": X, "org_unit": X}, "orgUnitId"),
    ({"measures": M, "start": dt.date(2026, 9, 2), "end": dt.date(2026, 9, 1)}, "from"),
])
async def test_invalid_queries_name_the_field_to_fix(query: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        await compute(FakeReader(), MetricsQuery(**query))
    assert caught.value.details["field"] == field


def test_a_measure_needs_exactly_the_counters_it_reads() -> None:
    assert counters_for(("SATISFACTION_RATE",)) == ("rated", "satisfied")
    assert counters_for(("SUBMITTED", "ON_TIME_RATE")) == ("resolved", "resolved_on_time",
                                                           "submitted")
    assert set(counters_for(("P90_HANDLING_DAYS",))) == set(HIST)


async def test_org_unit_grouping_sums_each_child_and_the_anchors_own_row() -> None:
    reader = FakeReader()
    cq = await plan(reader, MetricsQuery(subtree=X, group_by=("org_unit",), measures=M, **SEPT))
    assert (cq.units, cq.own_units, cq.group_by) == ((KID1, KID2), (X,), ("unit_id",))
    everywhere = await plan(reader, MetricsQuery(measures=M))
    assert (everywhere.units, everywhere.own_units) == ((X,), ())   # the roots
    cadres = await plan(reader, MetricsQuery(subtree=X, group_by=("cadre",), measures=M))
    assert (cadres.cube, cadres.within) == ("cadre_day", {"cadre_id": (CADRE,)})


async def test_measures_are_computed_from_the_summed_counters() -> None:
    at = dt.datetime(2026, 10, 3, tzinfo=dt.UTC)
    reader = FakeReader([
        Summed({"unit_id": KID1}, {"rated": 4, "satisfied": 3, "submitted": 9}, at),
        Summed({"unit_id": X}, {"rated": 0, "satisfied": 0, "submitted": 0}, None),
        Summed({"unit_id": KID2}, {"rated": 0, "satisfied": 0, "submitted": 2}, None)])
    rows = await compute(reader, MetricsQuery(
        subtree=X, group_by=("org_unit",), measures=("SATISFACTION_RATE", "SUBMITTED"), **SEPT))
    # the anchor's own row counted nothing, so it is left out
    assert [r.keys["org_unit"] for r in rows] == [KID1, KID2]
    assert rows[0].values == {"SATISFACTION_RATE": (0.75, 3.0, 4.0), "SUBMITTED": (9.0, 9.0, 1.0)}
    assert rows[1].values["SATISFACTION_RATE"] == (None, 0.0, 0.0)
    assert rows[0].updated_at == at


async def test_without_grouping_there_is_always_one_row() -> None:
    rows = await compute(FakeReader([]), MetricsQuery(subtree=X, measures=("SUBMITTED", *M)))
    assert len(rows) == 1
    assert rows[0].values == {"SUBMITTED": (0.0, 0.0, 1.0), "SATISFACTION_RATE": (None, 0.0, 0.0)}
