"""The metrics engine: any measure over any slice, from the rollups ("cubes"), never the facts.

A query names filters, group dimensions and measures. The engine picks the smallest cube that
holds every dimension filtered or grouped (cubes.py), asks the reader to SUM the counters the
measures need over the included classes, and computes each measure from the sums
(measures.py). Used by the analysts' API, kpis, scorecards, rankings, the screen wall and the
vanguard index alike, so every figure of the service is computed one way.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from lianxin.assessment.domain.cube_choice import counters_for, pick_cube
from lianxin.assessment.domain.cubes import EXPLAINED, MERGED, NIL
from lianxin.assessment.domain.measures import MEASURES
from lianxin.kit.errors import InvalidInput

DIMENSIONS = ("org_unit", "category", "kind", "channel", "ledger", "department", "cadre",
              "day", "week", "month")
TIME_DIMS = frozenset({"day", "week", "month"})
DEFAULT_EXCLUDE = frozenset({EXPLAINED, MERGED})
# Query dimension → cube column ("week" and "month" are truncations of `day` where needed).
COLUMN = {"org_unit": "unit_id", "department": "department_id", "cadre": "cadre_id"}


@dataclass(frozen=True, slots=True)
class MetricsQuery:
    subtree: uuid.UUID | None = None      # at or below this unit
    org_unit: uuid.UUID | None = None     # exactly at this unit
    department: uuid.UUID | None = None
    cadre: uuid.UUID | None = None
    category: str | None = None           # "water" covers "water" and "water.*"
    kind: str | None = None               # lower-case values as in the facts ("demand")
    channel: str | None = None            # ("hotline", "home_visit", …)
    ledger: str | None = None
    start: dt.date | None = None          # inclusive China dates; None = open-ended
    end: dt.date | None = None
    group_by: tuple[str, ...] = ()        # DIMENSIONS
    measures: tuple[str, ...] = ()        # MEASURES names
    exclude: frozenset[str] = DEFAULT_EXCLUDE


@dataclass(frozen=True, slots=True)
class MetricsRow:
    keys: Mapping[str, object]            # group dimension → uuid / str / date (period start)
    values: Mapping[str, tuple[float | None, float, float]]   # measure → value, num, den
    updated_at: dt.datetime | None        # newest event that changed the summed rows


@dataclass(frozen=True, slots=True)
class CubeQuery:
    """What to sum from one cube. Org rows match `unit_id IN units` (whole subtrees) or
    `unit_id IN own_units AND own` (exactly there); `within` restricts other columns to sets."""

    cube: str
    units: tuple[uuid.UUID, ...] = ()
    own_units: tuple[uuid.UUID, ...] = ()
    within: Mapping[str, tuple[object, ...]] = field(default_factory=dict)
    category: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    group_by: tuple[str, ...] = ()        # cube columns, or "week" / "month"
    counters: tuple[str, ...] = ()
    exclude: frozenset[str] = DEFAULT_EXCLUDE


@dataclass(frozen=True, slots=True)
class Summed:
    keys: Mapping[str, object]            # CubeQuery.group_by → value
    counters: Mapping[str, float]
    updated_at: dt.datetime | None


class MetricsReader(Protocol):
    async def sum_cube(self, q: CubeQuery) -> list[Summed]:
        """SUM q.counters and MAX updated_at over the matching rows, grouped by q.group_by."""
        ...

    async def children(self, unit: uuid.UUID | None) -> list[uuid.UUID]:
        """Units whose parent is `unit` (None: the roots of the tree)."""
        ...

    async def cadres_in(self, unit: uuid.UUID, exact: bool) -> list[uuid.UUID]:
        """Cadres whose work unit is `unit` (exact) or lies in its subtree."""
        ...


def validate(q: MetricsQuery) -> None:
    """InvalidInput saying what to fix for a query no cube can answer."""
    bad = [g for g in q.group_by if g not in DIMENSIONS]
    if bad:
        raise InvalidInput(f"unknown group dimensions {bad}; use {', '.join(DIMENSIONS)}",
                           field="groupBy")
    if len(TIME_DIMS.intersection(q.group_by)) > 1:
        raise InvalidInput("group by at most one of DAY, WEEK, MONTH", field="groupBy")
    unknown = [m for m in q.measures if m not in MEASURES]
    if unknown or not q.measures:
        raise InvalidInput(f"measures must be some of {', '.join(MEASURES)}; "
                           f"unknown: {unknown or 'none given'}", field="measures")
    if q.subtree is not None and q.org_unit is not None:
        raise InvalidInput("give subtreeId (at or below a unit) or orgUnitId (exactly at it), "
                           "not both", field="orgUnitId")
    if q.start and q.end and q.start > q.end:
        raise InvalidInput(f"from ({q.start}) is after to ({q.end})", field="from")


def dims_of(q: MetricsQuery) -> set[str]:
    """The non-time dimensions the query filters or groups by ("unit" for any org filter)."""
    dims = {g for g in q.group_by if g not in TIME_DIMS}
    if "org_unit" in dims or q.subtree or q.org_unit:
        dims = (dims - {"org_unit"}) | {"unit"}
    for name in ("department", "cadre", "category", "kind", "channel", "ledger"):
        if getattr(q, name) is not None:
            dims.add(name)
    return dims


def choose_cube(q: MetricsQuery) -> str:
    """The smallest cube holding every dimension of the query (domain/cube_choice.py), or
    InvalidInput saying what to drop."""
    return pick_cube(dims_of(q), q.group_by, q.start, q.end)


async def plan(reader: MetricsReader, q: MetricsQuery) -> CubeQuery:
    """The cube query answering `q` (validated). Without any org, department or cadre filter
    the tree's roots stand for "everywhere" (each ticket counts once per root path); on the
    cadre cube an org filter means the cadres whose work unit lies there."""
    validate(q)
    cube = choose_cube(q)
    within: dict[str, tuple[object, ...]] = {}
    for name in ("department", "cadre", "kind", "channel", "ledger"):
        value = getattr(q, name)
        if value is not None:
            within[COLUMN.get(name, name)] = (value,)
    units: tuple[uuid.UUID, ...] = ()
    own: tuple[uuid.UUID, ...] = ()
    if cube == "cadre_day" and (q.subtree or q.org_unit):
        anchor = q.subtree or q.org_unit
        assert anchor is not None
        cadres = await reader.cadres_in(anchor, exact=q.org_unit is not None)
        within["cadre_id"] = tuple(c for c in cadres if q.cadre in (None, c))
    elif cube != "department_day":
        anchor = q.subtree
        if q.org_unit is not None:
            own = (q.org_unit,)
        elif "org_unit" in q.group_by:
            units = tuple(await reader.children(anchor))
            own = (anchor,) if anchor else ()
        else:
            units = (anchor,) if anchor else tuple(await reader.children(None))
    group = tuple(COLUMN.get(g, g) for g in q.group_by)
    return CubeQuery(cube=cube, units=units, own_units=own, within=within, category=q.category,
                     start=q.start, end=q.end, group_by=group,
                     counters=counters_for(q.measures), exclude=frozenset(q.exclude))


def evaluate(q: MetricsQuery, cq: CubeQuery, summed: list[Summed]) -> list[MetricsRow]:
    """Measures computed from the sums, keyed by the query's dimension names, in key order.
    Without grouping there is always one row (zeros when nothing matched); a group with
    nothing counted for the asked measures is left out."""
    if not q.group_by and not summed:
        summed = [Summed(keys={}, counters={}, updated_at=None)]
    rows = []
    for s in summed:
        keys = {g: _key(s.keys[c]) for g, c in zip(q.group_by, cq.group_by, strict=True)}
        if q.group_by and not any(s.counters.values()):
            # A group with nothing counted for the asked measures says nothing about them:
            # the anchor's own row when no ticket sits at the anchor itself, or the whistle
            # counters' row (no category, kind, channel or ledger) when grouping by those.
            continue
        values = {m: MEASURES[m].compute(s.counters) for m in q.measures}
        rows.append(MetricsRow(keys=keys, values=values, updated_at=s.updated_at))
    rows.sort(key=lambda r: tuple((v is None, str(v)) for v in r.keys.values()))
    return rows


def _key(value: object) -> object:
    """NIL (no department / cadre) and "" (whistle counters carry no category, kind, channel
    or ledger) are answered as null."""
    return None if value == NIL or value == "" else value


async def compute(reader: MetricsReader, q: MetricsQuery) -> list[MetricsRow]:
    """The rows of `q`: one per group present in the cube; exactly one without grouping."""
    cq = await plan(reader, q)
    return evaluate(q, cq, await reader.sum_cube(cq))


def newest(rows: list[MetricsRow]) -> dt.datetime | None:
    """The latest update among the rows: when the figures last changed."""
    return max((r.updated_at for r in rows if r.updated_at is not None), default=None)


async def compute_per_subtree(reader: MetricsReader, units: tuple[uuid.UUID, ...],
                              q: MetricsQuery) -> dict[uuid.UUID, MetricsRow]:
    """q's measures for each of several subtrees in one query (a page of OrgUnit.kpis); q
    itself names no org unit. Units with nothing counted get the zero row."""
    if not units:
        return {}
    one = dataclasses.replace(q, subtree=units[0], org_unit=None, group_by=())
    cq = dataclasses.replace(await plan(reader, one), units=units, group_by=("unit_id",))
    if cq.cube in ("cadre_day", "department_day"):
        raise ValueError(f"per-subtree figures need an org cube, not {cq.cube}")
    rows = evaluate(dataclasses.replace(one, group_by=("org_unit",)), cq,
                    await reader.sum_cube(cq))
    found = {r.keys["org_unit"]: r for r in rows}
    zero = evaluate(one, dataclasses.replace(cq, group_by=()), [])[0]
    return {u: found.get(u, zero) for u in units}
