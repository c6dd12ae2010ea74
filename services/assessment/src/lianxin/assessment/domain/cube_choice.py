"""Which rollup answers a query, and which counters it must sum — pure rules of the metrics
engine (app/metrics.py), kept apart so they read as the table they are."""

from __future__ import annotations

import datetime as dt
from collections.abc import Set

from lianxin.assessment.domain.measures import MEASURES
from lianxin.assessment.domain.periods import month_aligned
from lianxin.kit.errors import InvalidInput

DETAIL_DIMS = frozenset({"category", "kind", "channel", "ledger", "department"})


class _Recorder(dict[str, float]):
    """Counters that remember which were read: what a measure needs, without a second list
    to keep in step with measures.py."""

    def __init__(self) -> None:
        super().__init__()
        self.read: set[str] = set()

    def get(self, key: str, default: object = None) -> float:
        self.read.add(key)
        return 1.0

    def __getitem__(self, key: str) -> float:
        self.read.add(key)
        return 1.0


def counters_for(measures: tuple[str, ...]) -> tuple[str, ...]:
    """The counters the measures read, in a stable order."""
    needed: set[str] = set()
    for name in measures:
        recorder = _Recorder()
        MEASURES[name].compute(recorder)
        needed |= recorder.read
    return tuple(sorted(needed))


def pick_cube(dims: Set[str], group_by: tuple[str, ...], start: dt.date | None,
              end: dt.date | None) -> str:
    """The smallest cube (cubes.py) holding every non-time dimension in `dims` ("unit" for any
    org filter or grouping) at the time resolution asked, or InvalidInput saying what to drop:
    cadre_day for cadres; department_day for departments (and categories) without org;
    detail_day for categories, kinds, channels, ledgers or departments with org; unit_month
    for whole months; unit_day otherwise."""
    fine_time = bool({"day", "week"} & set(group_by)) or not month_aligned(start, end)
    if "cadre" in dims:
        # The cadre cube has no org column: an org filter selects the cadres working there.
        extra = sorted(set(dims) - {"cadre", "unit"} | ({"org_unit"} & set(group_by)))
        if extra:
            raise InvalidInput(
                f"cadre figures are kept per cadre and day only: drop {', '.join(extra)} "
                "(filter and grouping) or drop the cadre", field="cadreId")
        return "cadre_day"
    if "unit" not in dims and "department" in dims and dims <= {"department", "category"}:
        return "department_day"
    if dims & DETAIL_DIMS:
        return "detail_day"
    return "unit_day" if fine_time else "unit_month"
