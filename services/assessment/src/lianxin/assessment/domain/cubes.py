"""Rollups ("cubes"): the counters of measures.py summed per point of a few dimensions.

A fact (a ticket, a whistle task) contributes counters at a `Point` — where it happened, when,
what it was about, who handled it, and its class. Each cube keeps the sums for some of those
dimensions; the org unit dimension is rolled up to every unit on the path (root … place), with
`own` true only at the place itself, so a subtree's figure is one row per period, never a
scan. Queries pick the smallest cube holding every dimension they filter or group by.

Changing a fact moves its contribution: minus the old point's counters, plus the new point's
(see `deltas`). Everything here is pure; adapters write the sums.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

NIL = uuid.UUID(int=0)  # "no department / no cadre" in a cube's key

# Class of a fact, for exclusions chosen at query time (explained-as-unreasonable, merged).
NORMAL, EXPLAINED, MERGED = "normal", "explained", "merged"


@dataclass(frozen=True, slots=True)
class Point:
    """Where a contribution lands. `day` is a China calendar date (the cohort)."""

    org_path: tuple[uuid.UUID, ...]
    day: dt.date
    klass: str = NORMAL
    category: str = ""
    kind: str = ""
    channel: str = ""
    ledger: str = ""
    department_id: uuid.UUID | None = None
    cadre_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class Cube:
    name: str
    table: str
    dims: tuple[str, ...]   # column names, in primary-key order

    def keys(self, p: Point) -> list[tuple[object, ...]]:
        """The rows of this cube a contribution at `p` adds to."""
        month = p.day.replace(day=1)
        base: dict[str, object] = {
            "day": p.day, "month": month, "klass": p.klass, "category": p.category,
            "kind": p.kind, "channel": p.channel, "ledger": p.ledger,
            "department_id": p.department_id or NIL, "cadre_id": p.cadre_id or NIL}
        if "department_id" in self.dims and "unit_id" not in self.dims and not p.department_id:
            return []
        if "cadre_id" in self.dims and not p.cadre_id:
            return []
        if "unit_id" not in self.dims:
            return [tuple(base[d] for d in self.dims)]
        rows = []
        for i, unit in enumerate(p.org_path):
            row = {**base, "unit_id": unit, "own": i == len(p.org_path) - 1}
            rows.append(tuple(row[d] for d in self.dims))
        return rows


CUBES: tuple[Cube, ...] = (
    # subtree × month: rankings, scorecards, kpis (the fastest for month-aligned periods)
    Cube("unit_month", "cube_unit_month", ("unit_id", "own", "month", "klass")),
    # subtree × day: any period, trends by day or week
    Cube("unit_day", "cube_unit_day", ("unit_id", "own", "day", "klass")),
    # subtree × day × what / how / which department: the analysts' slices
    Cube("detail_day", "cube_detail_day", ("unit_id", "own", "day", "category", "kind",
                                           "channel", "ledger", "department_id", "klass")),
    # department × day × category: department scorecards wherever the tickets came from
    Cube("department_day", "cube_department_day", ("department_id", "day", "category", "klass")),
    # responsible cadre × day: cadre scorecards and the vanguard index
    Cube("cadre_day", "cube_cadre_day", ("cadre_id", "day", "klass")),
)
CUBE_BY_NAME = {c.name: c for c in CUBES}

Contribution = tuple[Point, Mapping[str, float]]
Delta = dict[str, dict[tuple[object, ...], dict[str, float]]]   # cube → row key → counter → Δ


def deltas(old: Sequence[Contribution], new: Sequence[Contribution],
           cubes: Iterable[Cube] = CUBES) -> Delta:
    """What to add to each cube row when a fact's contributions change from `old` to `new`;
    rows and counters whose change is zero are left out."""
    if old == new:   # most steps of a fold move nothing some of the time: no work then
        return {}
    # Net the change per point first: a step mostly moves a counter or two at the point the
    # fact already stood at, so only the points that changed are spread over the cubes' rows.
    moved = [(p, c) for p, c in _net(old, new).items() if any(c.values())]
    out: Delta = {}
    if not moved:
        return out
    for cube in cubes:
        rows: dict[tuple[object, ...], dict[str, float]] = {}
        for point, counters in moved:
            for key in _keys(cube, point):
                row = rows.setdefault(key, {})
                for name, value in counters.items():
                    row[name] = row.get(name, 0.0) + value
        kept = {k: {n: v for n, v in c.items() if v} for k, c in rows.items()}
        kept = {k: c for k, c in kept.items() if c}
        if kept:
            out[cube.name] = kept
    return out


def _net(old: Sequence[Contribution], new: Sequence[Contribution]) -> dict[Point, dict[str, float]]:
    """Each point's counters in `new` minus those in `old`."""
    net: dict[Point, dict[str, float]] = {}
    for sign, contributions in ((-1.0, old), (1.0, new)):
        for point, counters in contributions:
            acc = net.setdefault(point, {})
            for name, value in counters.items():
                acc[name] = acc.get(name, 0.0) + sign * value
    return net


def changed_rows(old: Sequence[Contribution], new: Sequence[Contribution],
                 cubes: Iterable[Cube] = CUBES) -> list[tuple[str, tuple[object, ...]]]:
    """The (cube, row key) pairs `deltas(old, new)` holds, without its sums when it can: a
    change at one point alone changes every row of that point."""
    if old == new:
        return []
    if len(old) == len(new):   # the usual step: one place's counters changed, nothing moved
        differ = [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
        if len(differ) == 1 and old[differ[0]][0] == new[differ[0]][0]:
            (point, was), (_, now) = old[differ[0]], new[differ[0]]
            if not any(now.get(k, 0.0) - was.get(k, 0.0) for k in {*was, *now}):
                return []
            return [(cube.name, key) for cube in cubes for key in _keys(cube, point)]
    moved = [p for p, c in _net(old, new).items() if any(c.values())]
    if len(moved) == 1:
        return [(cube.name, key) for cube in cubes for key in _keys(cube, moved[0])]
    if not moved:
        return []
    return [(cube, key) for cube, rows in deltas(old, new, cubes).items() for key in rows]


@lru_cache(maxsize=1 << 16)
def _keys(cube: Cube, point: Point) -> tuple[tuple[object, ...], ...]:
    """Cube.keys, remembered: a fact's point recurs at every step of its fold."""
    return tuple(cube.keys(point))
