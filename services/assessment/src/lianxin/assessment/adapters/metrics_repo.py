"""SQL behind the metrics engine: SUMs over one cube, and the org tree and cadres from the
people read model. SQLAlchemy Core on the Table objects only (no SQL text naming `proj`), so
a replay session pointed at a fresh schema by `schema_translate_map` reads that schema."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Collection
from typing import Any

import sqlalchemy as sa
from lianxin.assessment.adapters.tables import cadre, cube_tables, org_unit
from lianxin.assessment.app.metrics import CubeQuery, Summed
from lianxin.assessment.app.scope import CadreRef, Unit
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession


class SqlMetricsReader:
    """MetricsReader and scope Directory on a session (or connection) of the caller's."""

    def __init__(self, session: AsyncSession | AsyncConnection) -> None:
        self._db = session

    async def sum_cube(self, q: CubeQuery) -> list[Summed]:
        # Rows as tuples (groups, counters, updated_at): mappings cost more than the SQL here.
        groups, counters = q.group_by, q.counters
        n = len(groups)
        return [Summed(keys=dict(zip(groups, row[:n], strict=True)),
                       counters=dict(zip(counters, map(float, row[n:-1]), strict=True)),
                       updated_at=row[-1])
                for row in (await self._db.execute(_statement(_shape(q)), _values(q))).all()]

    async def children(self, unit: uuid.UUID | None) -> list[uuid.UUID]:
        parent = org_unit.c.parent_id
        stmt = sa.select(org_unit.c.id).where(parent.is_(None) if unit is None else parent == unit)
        return list((await self._db.execute(stmt.order_by(org_unit.c.id))).scalars())

    async def cadres_in(self, unit: uuid.UUID, exact: bool) -> list[uuid.UUID]:
        where = (cadre.c.work_unit_id == unit) if exact else sa.literal(unit) == sa.any_(cadre.c.org_path)
        stmt = sa.select(cadre.c.id).where(where).order_by(cadre.c.id)
        return list((await self._db.execute(stmt)).scalars())

    async def departments_under(self, unit: uuid.UUID) -> list[uuid.UUID]:
        """Org units of kind department below `unit` (a county's departments)."""
        stmt = (sa.select(org_unit.c.id)
                .where(org_unit.c.kind == "department", sa.literal(unit) == sa.any_(org_unit.c.path),
                       org_unit.c.id != unit).order_by(org_unit.c.id))
        return list((await self._db.execute(stmt)).scalars())

    async def units(self, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Unit]:
        if not ids:
            return {}
        rows = await self._db.execute(sa.select(org_unit).where(org_unit.c.id.in_(list(ids))))
        return {r.id: Unit(r.id, r.parent_id, r.name, r.kind, tuple(r.path)) for r in rows}

    async def cadres(self, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, CadreRef]:
        if not ids:
            return {}
        stmt = (sa.select(cadre.c.id, cadre.c.work_unit_id, cadre.c.org_path)
                .where(cadre.c.id.in_(list(ids))))
        return {r.id: CadreRef(r.id, r.work_unit_id, tuple(r.org_path))
                for r in await self._db.execute(stmt)}


def sum_cube_statement(q: CubeQuery) -> sa.Select[*tuple[Any, ...]]:
    """The SELECT behind `SqlMetricsReader.sum_cube`, its values bound (for EXPLAIN:
    bench/p5_analytics.py)."""
    return _build(_shape(q), _values(q))


# What a statement depends on besides its values (units, ids, dates): one Select built per
# shape and reused, so a query pays neither building it nor SQLAlchemy's cache key again
# (about a third of the client's time on a township × month query: bench/RESULTS.md, P5).
# Sets of units and ids are one array parameter each (`= ANY($n)`): one statement text and
# prepared statement whatever their number, where IN had a parameter per value.
_Shape = tuple[str, tuple[str, ...], tuple[str, ...], bool, tuple[str, ...], str | None, bool,
               bool, tuple[str, ...]]


def _shape(q: CubeQuery) -> _Shape:
    own_rule = bool(set(q.own_units) - set(q.units))
    return (q.cube, q.group_by, q.counters, own_rule, tuple(q.within), q.category or None,
            q.start is not None, q.end is not None, tuple(sorted(q.exclude)))


def _values(q: CubeQuery) -> dict[str, object]:
    values: dict[str, object] = {f"within_{c}": list(v) for c, v in q.within.items()}
    if "unit_id" in cube_tables[q.cube].c:
        values["units"] = sorted({*q.units, *q.own_units})
        if set(q.own_units) - set(q.units):
            values["children"] = list(q.units)
    if q.start is not None:
        values["start"] = q.start
    if q.end is not None:
        values["end"] = q.end
    return values


@functools.lru_cache(maxsize=256)
def _statement(shape: _Shape) -> sa.Select[*tuple[Any, ...]]:
    """The shape's statement, values to be passed when executing it (`_values`)."""
    return _build(shape, None)


def _build(shape: _Shape, values: dict[str, object] | None) -> sa.Select[*tuple[Any, ...]]:
    def bind(name: str, type_: Any) -> sa.BindParameter[Any]:
        return sa.bindparam(name, type_=type_) if values is None else sa.bindparam(
            name, values[name], type_=type_)

    cube, group_by, counters, own_rule, within, category, start, end, exclude = shape
    t = cube_tables[cube]
    groups = [_group_column(t, g).label(g) for g in group_by]
    # float8 sums: the caller wants floats, and asyncpg decodes numeric (what sum(bigint)
    # gives) into Decimals several times slower — the biggest client-side cost of a
    # township × month query (bench/RESULTS.md, P5). Exact while a sum stays below 2**53.
    sums = [sa.func.coalesce(sa.cast(sa.func.sum(t.c[c]), sa.Float), 0).label(c) for c in counters]
    where: list[sa.ColumnElement[bool]] = []
    if "unit_id" in t.c:
        # One ANY over every unit keeps the primary key usable; the own-row rule is a filter
        # on what it finds (an OR of two INs made PostgreSQL read the whole cube: bench/RESULTS.md).
        where.append(t.c.unit_id == sa.any_(bind("units", ARRAY(t.c.unit_id.type))))
        if own_rule:
            where.append(sa.or_(t.c.unit_id == sa.any_(bind("children", ARRAY(t.c.unit_id.type))),
                                t.c.own))
    for column in within:
        where.append(t.c[column] == sa.any_(bind(f"within_{column}", ARRAY(t.c[column].type))))
    if category:
        where.append(sa.or_(t.c.category == category,
                            t.c.category.startswith(category + ".", autoescape=True)))
    when = t.c.month if "month" in t.c else t.c.day
    if start:
        where.append(when >= bind("start", sa.Date))   # on unit_month, only whole months
    if end:
        where.append(when <= bind("end", sa.Date))
    if exclude:
        where.append(t.c.klass.not_in(exclude))
    return (sa.select(*groups, *sums, sa.func.max(t.c.updated_at).label("updated_at"))
            .where(*where).group_by(*groups))


def _group_column(t: sa.Table, name: str) -> sa.ColumnElement[object]:
    """A group column; weeks (from Monday) and months are truncated days where the cube has
    no month column."""
    if name in t.c:
        return t.c[name]
    if name in ("week", "month"):
        return sa.cast(sa.func.date_trunc(name, sa.cast(t.c.day, sa.DateTime)), sa.Date)
    raise ValueError(f"cube {t.name} has no column {name}")
