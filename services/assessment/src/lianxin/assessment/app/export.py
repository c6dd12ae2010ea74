"""CSV export of a metrics result, for analysts who work in Excel or WPS.

UTF-8 with a byte-order mark (without it Excel reads UTF-8 as the local code page and the
中文 headers and unit names turn to mojibake), CRLF line ends, one header row of dimension
names and measure labels, then one line per result row — exactly the rows `metrics` returns.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import uuid
from collections.abc import Mapping, Sequence

from lianxin.assessment.app.metrics import MetricsQuery, MetricsRow
from lianxin.assessment.domain.measures import HIST_BOUNDS, MEASURES
from lianxin.assessment.domain.periods import PeriodKind, period_of

BOM = "\ufeff"
MEDIA_TYPE = "text/csv; charset=utf-8"
HEADERS: Mapping[str, tuple[str, ...]] = {
    "org_unit": ("组织单位", "组织单位ID"), "department": ("部门", "部门ID"), "cadre": ("干部ID",),
    "category": ("类别",), "kind": ("类型",), "channel": ("渠道",), "ledger": ("台账",),
    "day": ("日期",), "week": ("周",), "month": ("月份",),
}
_PERIOD = {"day": PeriodKind.DAY, "week": PeriodKind.WEEK, "month": PeriodKind.MONTH}


def _cells(dim: str, value: object, names: Mapping[uuid.UUID, str]) -> list[str]:
    if value is None:
        return [""] * len(HEADERS[dim])
    if dim in ("org_unit", "department"):
        assert isinstance(value, uuid.UUID)
        return [names.get(value, ""), str(value)]
    if dim in _PERIOD:
        assert isinstance(value, dt.date)
        return [period_of(_PERIOD[dim], value).label]
    if dim in ("kind", "channel", "ledger"):
        return [str(value).upper()]     # the tickets API's spelling, as the filter takes it
    return [str(value)]


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    if math.isinf(value):
        return f">{HIST_BOUNDS[-2]:g}"      # a p90 beyond the last bounded bucket
    if unit == "count":
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")


def to_csv(q: MetricsQuery, rows: Sequence[MetricsRow], names: Mapping[uuid.UUID, str]) -> str:
    """The CSV text (with BOM) of `rows`, the result of `q`; `names` labels org units."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([h for d in q.group_by for h in HEADERS[d]]
                    + [MEASURES[m].label for m in q.measures])
    for row in rows:
        writer.writerow([c for d in q.group_by for c in _cells(d, row.keys.get(d), names)]
                        + [_number(row.values[m][0], MEASURES[m].unit) for m in q.measures])
    return BOM + out.getvalue()


def filename(q: MetricsQuery, label: str | None) -> str:
    """metrics-<period or range>[-by-<dims>].csv (ASCII, safe in a Content-Disposition)."""
    span = label or f"{q.start or 'start'}_{q.end or 'now'}"
    by = f"-by-{'-'.join(q.group_by)}" if q.group_by else ""
    return f"metrics-{span}{by}.csv"
