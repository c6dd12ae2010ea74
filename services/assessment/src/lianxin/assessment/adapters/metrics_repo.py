"""SQL behind the metrics engine: SUMs over one cube, and the org tree and cadres from the
people read model. SQLAlchemy Core on the Table objects only (no SQL text naming `proj`), so
a replay session pointed at a fresh schema by `schema_translate_map` reads that schema."""

from __future__ import annotations

import uuid
from collections.abc import Collection

import sqlalchemy as sa
from lianxin.assessment.adapters.tables import cadre, cube_tables, org_unit
from lianxin.assessment.app.metrics import CubeQuery, Summed
from lianxin.assessment.app.scope import CadreRef, Unit
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession


class SqlMetricsReader:
    """MetricsReader and scope Directory on a session (or connection) of the caller's."""

    def __init__(self, session: AsyncSession | AsyncConnection) -> None:
        self._db = session

    async def sum_cube(self, q: CubeQuery) -> list[Summed]:
        t = cube_tables[q.cube]
        groups = [_group_column(t, g).label(g) for g in q.group_by]
        sums = [sa.func.coalesce(sa.func.sum(t.c[c]), 0).label(c) for c in q.counters]
        stmt = (sa.select(*groups, *sums, sa.func.max(t.c.updated_at).label("updated_at"))
                .where(*_conditions(t, q)).group_by(*groups))
        out = []
        for row in (await self._db.execute(stmt)).mappings():
            counters = {c: float(row[c]) for c in q.counters}
            out.append(Summed(keys={g: row[g] for g in q.group_by}, counters=counters,
                              updated_at=row["updated_at"]))
        return out

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


def _group_column(t: sa.Table, name: str) -> sa.ColumnElement[object]:
    """A group column; weeks (from Monday) and months are truncated days where the cube has
    no month column."""
    if name in t.c:
        return t.c[name]
    if name in ("week", "month"):
        return sa.cast(sa.func.date_trunc(name, sa.cast(t.c.day, sa.DateTime)), sa.Date)
    raise ValueError(f"cube {t.name} has no column {name}")


def _conditions(t: sa.Table, q: CubeQuery) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = []
    if "unit_id" in t.c:
        # One IN over every unit keeps the primary key usable; the own-row rule is a filter
        # on what it finds (an OR of two INs made PostgreSQL read the whole cube: bench/RESULTS.md).
        units = sorted({*q.units, *q.own_units})
        where.append(t.c.unit_id.in_(units))
        if set(q.own_units) - set(q.units):
            where.append(sa.or_(t.c.unit_id.in_(q.units), t.c.own))
    for column, values in q.within.items():
        where.append(t.c[column].in_(values))
    if q.category:
        where.append(sa.or_(t.c.category == q.category,
                            t.c.category.startswith(q.category + ".", autoescape=True)))
    when = t.c.month if "month" in t.c else t.c.day
    if q.start is not None:
        where.append(when >= q.start)   # on unit_month, chosen only for whole months
    if q.end is not None:
        where.append(when <= q.end)
    if q.exclude:
        where.append(t.c.klass.not_in(sorted(q.exclude)))
    return where

