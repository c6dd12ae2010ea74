"""A small county for the metrics, ranking and BI tests: the org tree and cadres in the people
read model, and a way to put contributions into every cube exactly as the projection does —
`domain.cubes.deltas` of hand-made Points, added row by row, `updated_at` the greatest.

    COUNTY ─┬─ TOWN_A ─┬─ VILLAGE_A1
            │          └─ VILLAGE_A2
            ├─ TOWN_B ──── VILLAGE_B1
            ├─ WATER  (department)
            └─ ROADS  (department)
    cadres: CADRE_1 works at TOWN_A, CADRE_2 at VILLAGE_B1

TICKETS (ticket n is projected at `at(n)`):
  1 A1 09-03 water.supply hotline WATER cadre1  resolved on time 2d, satisfied, solved, accepted in time
  2 A1 09-29 water        wechat  WATER cadre1  resolved late 8d, rated unsatisfied, accepted in time
  3 A2 09-10 roads        hotline ROADS         resolved on time, satisfied
  4 A  09-15 roads        hotline ROADS cadre1  open, accepted late (submitted at the town itself)
  5 B1 09-20 water        hotline WATER cadre2  resolved on time, satisfied
  6 B1 09-21 water        hotline WATER  EXPLAINED  resolved on time, unsatisfied
  7 A1 09-22              MERGED                open
  8 A1 10-02 water        hotline WATER cadre1  resolved on time, satisfied
Scores for September (scoring.py): town A 60.0 (satisfaction, on-time, response 2/3,
resolution 1/3), town B 75.0 (satisfaction and on-time 1, resolution 0, response undefined).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence

import sqlalchemy as sa
from lianxin.assessment.adapters.tables import cadre, cube_tables, org_unit
from lianxin.assessment.domain.cubes import CUBE_BY_NAME, EXPLAINED, MERGED, Point, deltas
from lianxin.assessment.domain.measures import hist_bucket
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine


def uid(n: int) -> uuid.UUID:
    return uuid.UUID(int=n)


COUNTY, TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1 = (uid(n) for n in range(1, 7))
WATER, ROADS, COMMITTEE = uid(11), uid(12), uid(13)
CADRE_1, CADRE_2 = uid(21), uid(22)
UNITS = {  # id → (parent, name, kind)
    COUNTY: (None, "秀山县", "county"), TOWN_A: (COUNTY, "甲镇", "township"),
    TOWN_B: (COUNTY, "乙镇", "township"), VILLAGE_A1: (TOWN_A, "甲一村", "village"),
    VILLAGE_A2: (TOWN_A, "甲二村", "village"), VILLAGE_B1: (TOWN_B, "乙一村", "village"),
    WATER: (COUNTY, "水务局", "department"), ROADS: (COUNTY, "交通局", "department"),
    COMMITTEE: (COUNTY, "中共秀山县委", "party_org"),   # a party body: never ranked as a place
}


def path(unit: uuid.UUID) -> tuple[uuid.UUID, ...]:
    parent = UNITS[unit][0]
    return (*path(parent), unit) if parent else (unit,)


async def load_tree(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(sa.insert(org_unit), [
            {"id": u, "parent_id": p, "name": name, "kind": kind, "path": list(path(u))}
            for u, (p, name, kind) in UNITS.items()])
        await conn.execute(sa.insert(cadre), [
            {"id": CADRE_1, "subject": "cadre-1", "work_unit_id": TOWN_A, "org_path": list(path(TOWN_A))},
            {"id": CADRE_2, "subject": "cadre-2", "work_unit_id": VILLAGE_B1,
             "org_path": list(path(VILLAGE_B1))}])


def point(place: uuid.UUID, day: dt.date, **dims: object) -> Point:
    return Point(org_path=path(place), day=day, **dims)  # type: ignore[arg-type]


async def add(engine: AsyncEngine, contributions: Sequence[tuple[Point, Mapping[str, float]]],
              at: dt.datetime) -> None:
    """Add the contributions to every cube (as new facts), stamping rows changed with `at`."""
    async with engine.begin() as conn:
        for cube_name, rows in deltas([], contributions).items():
            t = cube_tables[cube_name]
            dims = CUBE_BY_NAME[cube_name].dims
            for key, counters in rows.items():
                stmt = insert(t).values(**dict(zip(dims, key, strict=True)), **counters,
                                        updated_at=at)
                await conn.execute(stmt.on_conflict_do_update(
                    index_elements=list(dims),
                    set_={**{c: t.c[c] + stmt.excluded[c] for c in counters},
                          "updated_at": sa.func.greatest(t.c.updated_at, stmt.excluded.updated_at)}))


def ticket(resolved_on_time: bool | None = None, rated: bool = False, satisfied: bool = False,
           solved: bool = False, accepted_on_time: bool | None = None,
           handling_days: float | None = None) -> dict[str, float]:
    """The counters one ticket contributes (the subset these tests need)."""
    c: dict[str, float] = {"submitted": 1}
    if accepted_on_time is not None:
        c |= {"accept_judged": 1, "accepted_on_time": int(accepted_on_time)}
    if resolved_on_time is not None:
        c |= {"resolved": 1, "resolved_on_time": int(resolved_on_time)}
        if handling_days is not None:
            c |= {"handling_millidays": round(handling_days * 1000), hist_bucket(handling_days): 1}
    else:
        c |= {"open": 1}
    if rated:
        c |= {"rated": 1, "satisfied": int(satisfied), "solved": int(solved)}
    return c


D = dt.date
T0 = dt.datetime(2026, 10, 5, 8, tzinfo=dt.UTC)
TICKETS = [
    (point(VILLAGE_A1, D(2026, 9, 3), category="water.supply", kind="demand", channel="hotline",
           ledger="livelihood", department_id=WATER, cadre_id=CADRE_1),
     ticket(resolved_on_time=True, rated=True, satisfied=True, solved=True,
            accepted_on_time=True, handling_days=2)),
    (point(VILLAGE_A1, D(2026, 9, 29), category="water", channel="wechat", department_id=WATER,
           cadre_id=CADRE_1),
     ticket(resolved_on_time=False, rated=True, accepted_on_time=True, handling_days=8)),
    (point(VILLAGE_A2, D(2026, 9, 10), category="roads", channel="hotline", department_id=ROADS),
     ticket(resolved_on_time=True, rated=True, satisfied=True)),
    (point(TOWN_A, D(2026, 9, 15), category="roads", channel="hotline", department_id=ROADS,
           cadre_id=CADRE_1), ticket(accepted_on_time=False)),
    (point(VILLAGE_B1, D(2026, 9, 20), category="water", channel="hotline", department_id=WATER,
           cadre_id=CADRE_2), ticket(resolved_on_time=True, rated=True, satisfied=True)),
    (point(VILLAGE_B1, D(2026, 9, 21), klass=EXPLAINED, category="water", channel="hotline",
           department_id=WATER), ticket(resolved_on_time=True, rated=True)),
    (point(VILLAGE_A1, D(2026, 9, 22), klass=MERGED), ticket()),
    (point(VILLAGE_A1, D(2026, 10, 2), category="water", channel="hotline", department_id=WATER,
           cadre_id=CADRE_1), ticket(resolved_on_time=True, rated=True, satisfied=True)),
]


def at(n: int) -> dt.datetime:
    """When ticket n (1-based) was projected."""
    return T0 + dt.timedelta(hours=n)


async def load_county(engine: AsyncEngine) -> None:
    """The tree, the cadres and TICKETS, each projected at its own time."""
    await load_tree(engine)
    for n, contribution in enumerate(TICKETS, start=1):
        await add(engine, [contribution], at(n))
