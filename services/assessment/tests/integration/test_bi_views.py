"""The BI views: created by the migration in schema `bi`, the fact view without the fold state,
rates per unit × month × class as the measures define them, every measure's definition — and
re-pointed at a rebuilt projection schema the way replay does after its swap."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from lianxin.assessment.adapters.bi_views import COUNTS, RATES, SCALE, create_bi_views
from lianxin.assessment.adapters.schema import create_projection_schema, drop_projection_schema
from lianxin.assessment.adapters.tables import cube_tables
from lianxin.assessment.domain.measures import MEASURES
from metrics_scenario import COUNTY, TOWN_A, VILLAGE_A1, add, load_tree, point, ticket
from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = pytest.mark.integration
SEPT = dt.date(2026, 9, 1)
AT = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)


def test_every_rate_column_is_its_measures_ratio() -> None:
    for name, (measure, num, den) in RATES.items():
        scale = SCALE.get(num, 1)   # a counter kept in thousandths reads as its unit
        assert MEASURES[measure].compute({num: 3 * scale, den: 4}) == (0.75, 3, 4), name
    for measure, counter in COUNTS.items():
        assert MEASURES[measure].compute({counter: 5}) == (5, 5, 1), measure


async def _columns(engine: AsyncEngine, view: str) -> list[str]:
    async with engine.connect() as conn:
        rows = await conn.execute(sa.text(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'bi' "
            "AND table_name = :v ORDER BY ordinal_position"), {"v": view})
        return list(rows.scalars())


async def test_the_views_read_the_projection(engine: AsyncEngine) -> None:
    await load_tree(engine)
    await add(engine, [(point(VILLAGE_A1, dt.date(2026, 9, 3)),
                        ticket(resolved_on_time=True, rated=True, satisfied=True)),
                       (point(VILLAGE_A1, dt.date(2026, 9, 4)), ticket(resolved_on_time=False))],
              AT)
    fact_columns = await _columns(engine, "ticket_fact")
    assert "state" not in fact_columns and {"ticket_id", "org_path", "klass", "day"} <= set(fact_columns)
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.text(
            "SELECT unit_id, unit_name, month, klass, submitted, on_time_rate, satisfaction_rate, "
            "response_rate, updated_at FROM bi.unit_month_rates ORDER BY unit_name"))).all()
        definitions = (await conn.execute(sa.text(
            "SELECT name, label, unit, definition, bi_column FROM bi.measure_definition"))).all()
    by_unit = {r.unit_id: r for r in rows}
    assert set(by_unit) == {COUNTY, TOWN_A, VILLAGE_A1}
    town = by_unit[TOWN_A]
    assert (town.unit_name, town.month, town.klass, town.submitted) == ("甲镇", SEPT, "normal", 2)
    assert (town.on_time_rate, town.satisfaction_rate, town.response_rate) == (0.5, 1.0, None)
    assert town.updated_at == AT
    assert {d.name: (d.label, d.unit, d.definition) for d in definitions} == {
        m.name: (m.label, m.unit, m.definition) for m in MEASURES.values()}
    assert {d.name: d.bi_column for d in definitions}["SATISFACTION_RATE"] == "satisfaction_rate"


async def test_the_views_follow_a_rebuilt_schema(engine: AsyncEngine) -> None:
    """As replay does: build `proj_next`, point the views at it, and they read it."""
    async with engine.begin() as conn:
        await conn.run_sync(create_projection_schema, "proj_next")
        cube = cube_tables["unit_month"]
        await conn.execute(sa.insert(cube).execution_options(
            schema_translate_map={"proj": "proj_next"}), [
            {"unit_id": COUNTY, "own": True, "month": SEPT, "klass": "normal", "submitted": 7}])
        await conn.run_sync(create_bi_views, "proj_next")
    async with engine.connect() as conn:
        total = (await conn.execute(sa.text("SELECT sum(submitted) FROM bi.unit_month_rates"))).scalar()
    assert total == 7
    async with engine.begin() as conn:
        await conn.run_sync(create_bi_views)
        await conn.run_sync(drop_projection_schema, "proj_next")
    async with engine.connect() as conn:
        total = (await conn.execute(sa.text("SELECT count(*) FROM bi.unit_month_rates"))).scalar()
    assert total == 0
