"""The queries the assessment benchmark times, in SQLAlchemy Core on the service's tables.

- `children_by_month_cube`: rates of every child of a unit × month from `cube_unit_month`, the
  shape of the metrics engine's `group_by=(org_unit, month)` under a subtree (one row per child,
  plus the unit's own row if it has one; excluded classes left out).
- `children_by_month_facts`: the same figures by GROUP BY over `ticket_fact` (child = org_path
  element below the unit, month of the cohort day, subtree by `org_path @> ARRAY[unit]`).
- `kpis_cube`: every counter of a subtree over a period from the cube, then every measure of
  domain/measures.py computed from the sums (what `OrgUnit.kpis(period)` needs).
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from assessment_cubes import COUNTER_SQL
from lianxin.assessment.adapters.tables import cube_tables, org_unit, ticket_fact
from lianxin.assessment.domain.measures import COUNTERS, MEASURES
from sqlalchemy.ext.asyncio import AsyncConnection

RATES = ("SUBMITTED", "RESPONSE_RATE", "ON_TIME_RATE", "RESOLUTION_RATE", "SATISFACTION_RATE")
NEEDED = ("submitted", "accept_judged", "accepted_on_time", "resolved", "resolved_on_time",
          "rated", "solved", "satisfied")
EXCLUDE = ("explained", "merged")
Rows = dict[tuple[uuid.UUID, dt.date], dict[str, Any]]
Fetch = Callable[[AsyncConnection], Awaitable[list[sa.Row[Any]]]]


def children_of(unit: uuid.UUID) -> sa.Select[Any]:
    return sa.select(org_unit.c.id).where(org_unit.c.parent_id == unit)


def children_by_month_cube(unit: uuid.UUID, children: Sequence[uuid.UUID]) -> sa.Select[Any]:
    """With the children's ids known (one indexed look-up first): an index scan of the cube."""
    cube = cube_tables["unit_month"]
    return (sa.select(cube.c.unit_id, cube.c.month,
                      *(sa.func.sum(cube.c[n]).label(n) for n in NEEDED))
            .where(cube.c.unit_id.in_([*children, unit]), sa.or_(cube.c.unit_id != unit, cube.c.own),
                   cube.c.klass.not_in(EXCLUDE))
            .group_by(cube.c.unit_id, cube.c.month))


async def cube_rows(conn: AsyncConnection, unit: uuid.UUID) -> list[sa.Row[Any]]:
    children = list((await conn.execute(children_of(unit))).scalars())
    return list((await conn.execute(children_by_month_cube(unit, children))).all())


def children_by_month_cube_subselect(unit: uuid.UUID) -> sa.Select[Any]:
    """The same in one statement, children as a sub-select OR the unit's own row: PostgreSQL
    cannot use the cube's primary key for `IN (SELECT …) OR …` and scans the whole cube."""
    cube = cube_tables["unit_month"]
    return (sa.select(cube.c.unit_id, cube.c.month,
                      *(sa.func.sum(cube.c[n]).label(n) for n in NEEDED))
            .where(sa.or_(cube.c.unit_id.in_(children_of(unit)), sa.and_(cube.c.unit_id == unit, cube.c.own)),
                   cube.c.klass.not_in(EXCLUDE))
            .group_by(cube.c.unit_id, cube.c.month))


def children_by_month_facts(unit: uuid.UUID, depth: int) -> sa.Select[Any]:
    """`depth`: the unit's position on org paths (1 = root)."""
    path = ticket_fact.c.org_path
    child = sa.case((sa.func.cardinality(path) > depth, path[depth + 1]),
                    else_=path[depth]).label("unit_id")
    month = sa.cast(sa.func.date_trunc("month", ticket_fact.c.day), sa.Date).label("month")
    return (sa.select(child, month,
                      *(sa.func.sum(sa.literal_column(COUNTER_SQL[n])).label(n) for n in NEEDED))
            .where(path.contains([unit]), ticket_fact.c.klass.not_in(EXCLUDE))
            .group_by(sa.literal_column("1"), sa.literal_column("2")))


def kpis_cube(unit: uuid.UUID, start: dt.date, end: dt.date) -> sa.Select[Any]:
    cube = cube_tables["unit_month"]
    return (sa.select(*(sa.func.sum(cube.c[n]).label(n) for n in COUNTERS),
                      sa.func.max(cube.c.updated_at).label("updated_at"))
            .where(cube.c.unit_id == unit, cube.c.klass.not_in(EXCLUDE),
                   cube.c.month >= start, cube.c.month <= end))


def kpis_facts(unit: uuid.UUID, start: dt.date, end: dt.date) -> sa.Select[Any]:
    """Check only: the same counters summed over the facts (end: first day of the last month)."""
    after = (end.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    sums: list[Any] = [sa.func.sum(sa.literal_column(e)).label(c) for c, e in COUNTER_SQL.items()]
    return (sa.select(*sums)
            .where(ticket_fact.c.org_path.contains([unit]), ticket_fact.c.klass.not_in(EXCLUDE),
                   ticket_fact.c.day >= start, ticket_fact.c.day < after))


Values = dict[str, tuple[float | None, float, float]]


def measures(counters: Mapping[str, Any], names: Iterable[str]) -> Values:
    c = {k: float(v or 0) for k, v in counters.items()}
    return {n: MEASURES[n].compute(c) for n in names}


def as_rates(result: Sequence[sa.Row[Any]]) -> Rows:
    """(unit, month) → the rates and their numerators/denominators, as the API would show."""
    return {(r.unit_id, r.month): measures({n: r._mapping[n] for n in NEEDED}, RATES)
            for r in result}


async def timed(conn: AsyncConnection, query: sa.Select[Any] | Fetch) -> tuple[float, list[sa.Row[Any]]]:
    started = time.perf_counter()
    if isinstance(query, sa.Select):
        rows = list((await conn.execute(query)).all())
    else:
        rows = await query(conn)
    return time.perf_counter() - started, rows


async def explain(conn: AsyncConnection, stmt: sa.Select[Any]) -> dict[str, Any]:
    """EXPLAIN (ANALYZE, BUFFERS): execution ms, 8 KiB pages touched, relations scanned."""
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = tuple(compiled.params[name] for name in compiled.positiontup or ())
    raw: Any = (await conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {compiled}",
                                      params)).scalar()
    top = (json.loads(raw) if isinstance(raw, str) else raw)[0]
    relations: set[str] = set()

    def walk(node: Mapping[str, Any]) -> None:
        if "Relation Name" in node:
            relations.add(node["Relation Name"])
        for child in node.get("Plans", ()):
            walk(child)

    walk(top["Plan"])
    plan = top["Plan"]
    return {"ms": top["Execution Time"], "relations": sorted(relations),
            "pages": plan.get("Shared Hit Blocks", 0) + plan.get("Shared Read Blocks", 0),
            "read": plan.get("Shared Read Blocks", 0)}
