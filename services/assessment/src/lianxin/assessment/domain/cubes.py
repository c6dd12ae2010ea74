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
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

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
    out: Delta = {}
    for cube in cubes:
        acc: dict[tuple[object, ...], dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for sign, contributions in ((-1.0, old), (1.0, new)):
            for point, counters in contributions:
                for key in cube.keys(point):
                    for name, value in counters.items():
                        acc[key][name] += sign * value
        rows = {k: {n: v for n, v in c.items() if v} for k, c in acc.items()}
        rows = {k: c for k, c in rows.items() if c}
        if rows:
            out[cube.name] = rows
    return out
