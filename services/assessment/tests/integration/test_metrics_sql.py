"""The metrics engine on real PostgreSQL: each cube choice answers with the hand-computed
figures of the scenario below, ORG_UNIT groups a subtree's children (plus the anchor's own
row), exclusions, the newest update time, weeks and months — and no statement reads the facts.

The tickets are metrics_scenario.TICKETS (its docstring tabulates them).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from lianxin.assessment.adapters.metrics_repo import SqlMetricsReader
from lianxin.assessment.app.metrics import (
    CubeQuery,
    MetricsQuery,
    MetricsRow,
    choose_cube,
    compute,
    compute_per_subtree,
)
from lianxin.assessment.domain.cubes import MERGED
from lianxin.kit.testing.statements import statements
from metrics_scenario import (
    CADRE_1,
    CADRE_2,
    COUNTY,
    ROADS,
    TOWN_A,
    TOWN_B,
    VILLAGE_A1,
    VILLAGE_A2,
    WATER,
    at,
    load_county,
)
from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = pytest.mark.integration
D = dt.date
SEPT = {"start": D(2026, 9, 1), "end": D(2026, 9, 30)}


@pytest.fixture
async def county(engine: AsyncEngine) -> AsyncEngine:
    await load_county(engine)
    return engine


async def run(engine: AsyncEngine, **query: Any) -> list[MetricsRow]:
    q = MetricsQuery(**{"measures": ("SUBMITTED",), **query})
    with statements(engine) as sent:
        async with engine.connect() as conn:
            rows = await compute(SqlMetricsReader(conn), q)
    cube = choose_cube(q)
    assert any(f"cube_{cube}" in s for s in sent), (cube, sent)
    assert not any("ticket_fact" in s for s in sent)      # rollups only, never the facts
    return rows


def submitted(rows: list[MetricsRow], key: str | None = None) -> dict[Any, float | None]:
    return {(r.keys[key] if key else None): r.values["SUBMITTED"][0] for r in rows}


async def test_unit_month_answers_a_subtrees_month(county: AsyncEngine) -> None:
    [row] = await run(county, subtree=COUNTY, measures=(
        "SUBMITTED", "SATISFACTION_RATE", "ON_TIME_RATE", "RESPONSE_RATE", "MEAN_HANDLING_DAYS",
        "P90_HANDLING_DAYS", "OPEN"), **SEPT)
    assert row.values == {
        "SUBMITTED": (5, 5, 1), "SATISFACTION_RATE": (0.75, 3, 4),
        "ON_TIME_RATE": (0.75, 3, 4), "RESPONSE_RATE": (2 / 3, 2, 3),
        "MEAN_HANDLING_DAYS": (2.5, 10, 4), "P90_HANDLING_DAYS": (10, 2, 2), "OPEN": (1, 1, 1)}
    assert row.updated_at == at(5)    # the merged ticket 7 and October's 8 are not summed


async def test_exclusions_choose_the_classes_summed(county: AsyncEngine) -> None:
    m = ("SUBMITTED", "SATISFACTION_RATE")
    everything = await run(county, subtree=COUNTY, exclude=frozenset(), measures=m, **SEPT)
    assert everything[0].values == {"SUBMITTED": (7, 7, 1), "SATISFACTION_RATE": (0.6, 3, 5)}
    assert everything[0].updated_at == at(7)
    merged_only = await run(county, subtree=COUNTY, exclude=frozenset({MERGED}), **SEPT)
    assert submitted(merged_only) == {None: 6}


async def test_org_unit_groups_the_children_plus_the_anchors_own_row(county: AsyncEngine) -> None:
    assert submitted(await run(county, subtree=COUNTY, group_by=("org_unit",), **SEPT),
                     "org_unit") == {TOWN_A: 4, TOWN_B: 1}
    assert submitted(await run(county, subtree=TOWN_A, group_by=("org_unit",), **SEPT),
                     "org_unit") == {VILLAGE_A1: 2, VILLAGE_A2: 1, TOWN_A: 1}
    assert submitted(await run(county, org_unit=TOWN_A, **SEPT)) == {None: 1}
    assert submitted(await run(county, group_by=("org_unit",), **SEPT), "org_unit") == {COUNTY: 5}


async def test_unit_day_answers_weeks_and_ranges_not_made_of_months(county: AsyncEngine) -> None:
    weeks = await run(county, subtree=TOWN_A, group_by=("week",), **SEPT)
    assert submitted(weeks, "week") == {D(2026, 8, 31): 1, D(2026, 9, 7): 1, D(2026, 9, 14): 1,
                                        D(2026, 9, 28): 1}
    assert submitted(await run(county, subtree=COUNTY, start=D(2026, 9, 1), end=D(2026, 9, 15))) \
        == {None: 3}
    months = await run(county, subtree=COUNTY, group_by=("month",), start=D(2026, 9, 1),
                       end=D(2026, 10, 31))
    assert submitted(months, "month") == {D(2026, 9, 1): 5, D(2026, 10, 1): 1}
    days = await run(county, subtree=COUNTY, group_by=("month",), start=D(2026, 9, 10),
                     end=D(2026, 10, 31))
    assert submitted(days, "month") == {D(2026, 9, 1): 4, D(2026, 10, 1): 1}


async def test_detail_day_answers_category_channel_and_department_with_org(
        county: AsyncEngine) -> None:
    assert submitted(await run(county, subtree=COUNTY, category="water", **SEPT)) == {None: 3}
    assert submitted(await run(county, subtree=COUNTY, category="wat", **SEPT)) == {None: 0}
    assert submitted(await run(county, subtree=TOWN_A, group_by=("channel",), **SEPT),
                     "channel") == {"hotline": 3, "wechat": 1}
    assert submitted(await run(county, subtree=TOWN_A, department=ROADS, **SEPT)) == {None: 2}
    assert submitted(await run(county, kind="demand", **SEPT)) == {None: 1}


async def test_department_day_answers_departments_wherever_tickets_came_from(
        county: AsyncEngine) -> None:
    assert submitted(await run(county, department=WATER, **SEPT)) == {None: 3}
    assert submitted(await run(county, group_by=("department",), **SEPT), "department") == {
        WATER: 3, ROADS: 2}


async def test_cadre_day_answers_cadres_and_the_cadres_of_a_subtree(county: AsyncEngine) -> None:
    assert submitted(await run(county, cadre=CADRE_1, **SEPT)) == {None: 3}
    assert submitted(await run(county, subtree=COUNTY, group_by=("cadre",), **SEPT), "cadre") \
        == {CADRE_1: 3, CADRE_2: 1}
    assert submitted(await run(county, subtree=TOWN_B, group_by=("cadre",), **SEPT), "cadre") \
        == {CADRE_2: 1}


async def test_several_subtrees_in_one_statement(county: AsyncEngine) -> None:
    q = MetricsQuery(measures=("SUBMITTED",), **SEPT)
    with statements(county) as sent:
        async with county.connect() as conn:
            rows = await compute_per_subtree(SqlMetricsReader(conn), (TOWN_A, TOWN_B, ROADS), q)
    assert len(sent) == 1
    assert {u: r.values["SUBMITTED"][0] for u, r in rows.items()} == {TOWN_A: 4, TOWN_B: 1, ROADS: 0}
    assert rows[ROADS].updated_at is None and rows[TOWN_A].updated_at == at(4)


async def test_one_statement_text_per_shape_whatever_the_units(county: AsyncEngine) -> None:
    """Units travel as one array (`unit_id = ANY($n)`) and a shape's statement is built once:
    the same text for one unit or two, each answered with its own units' figures."""
    def query(*units: Any) -> CubeQuery:
        return CubeQuery(cube="unit_month", units=units, group_by=("unit_id",),
                         counters=("submitted",), start=D(2026, 9, 1), end=D(2026, 9, 1))

    answers, texts = [], []
    for units in ((TOWN_A,), (TOWN_A, TOWN_B), (TOWN_B,)):
        with statements(county) as sent:
            async with county.connect() as conn:
                summed = await SqlMetricsReader(conn).sum_cube(query(*units))
        answers.append({s.keys["unit_id"]: s.counters["submitted"] for s in summed})
        texts.append(sent)
    assert answers == [{TOWN_A: 4.0}, {TOWN_A: 4.0, TOWN_B: 1.0}, {TOWN_B: 1.0}]
    assert texts[0] == texts[1] == texts[2] and len(texts[0]) == 1
    assert "ANY" in texts[0][0]
