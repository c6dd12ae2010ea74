"""Trend series (e.g. 信访量趋势): one measure per day, week or month over a date range, with
every period present — a chart's x axis must not skip the days nothing happened."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from lianxin.assessment.app.metrics import MetricsQuery, MetricsReader, compute
from lianxin.assessment.domain.measures import MEASURES
from lianxin.assessment.domain.periods import Period, PeriodKind, periods_between
from lianxin.kit.errors import InvalidInput

GRANULARITIES = {"day": PeriodKind.DAY, "week": PeriodKind.WEEK, "month": PeriodKind.MONTH}
MAX_POINTS = 1000


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """A period of the series; the first and last may be cut by the range (figures cover only
    the days inside it)."""

    period: Period
    value: tuple[float | None, float, float]
    updated_at: dt.datetime | None


async def trend(reader: MetricsReader, q: MetricsQuery, measure: str,
                granularity: str) -> list[TrendPoint]:
    """`measure` over q's filter, per period of `granularity` from q.start to q.end."""
    if q.start is None or q.end is None:
        raise InvalidInput("a trend needs a date range: give period, or from and to",
                           field="period")
    kind = GRANULARITIES[granularity]
    periods = list(periods_between(kind, q.start, q.end))
    if len(periods) > MAX_POINTS:
        raise InvalidInput(f"{len(periods)} points asked for; at most {MAX_POINTS}: shorten the "
                           "range or choose a coarser granularity", field="granularity")
    rows = await compute(reader, dataclasses.replace(q, group_by=(granularity,),
                                                     measures=(measure,)))
    by_start = {r.keys[granularity]: r for r in rows}
    empty = MEASURES[measure].compute({})
    return [TrendPoint(p, row.values[measure], row.updated_at) if (row := by_start.get(p.start))
            else TrendPoint(p, empty, None) for p in periods]
