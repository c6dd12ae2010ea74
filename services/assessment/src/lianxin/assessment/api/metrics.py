"""The analysts' API: any measure over any slice (`metrics`), trend series, the same result as
CSV, and the written definition of every measure."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Annotated

import strawberry
from lianxin.assessment.api.filters import (
    GqlInfo,
    MetricsFilter,
    period_of_filter,
    store,
    to_query,
)
from lianxin.assessment.api.people_entities import CadreType
from lianxin.assessment.api.types import (
    Granularity,
    Measure,
    MeasureDefinition,
    MeasureValue,
    MetricsDimension,
    PeriodType,
    finite,
    measure_values,
    period_type,
)
from lianxin.assessment.app import export
from lianxin.assessment.app.metrics import MetricsQuery, MetricsRow, choose_cube, compute, newest
from lianxin.assessment.app.scope import READER_ROLES, scoped_query, visible_rows
from lianxin.assessment.app.trend import trend as trend_series
from lianxin.assessment.domain.measures import MEASURES
from lianxin.assessment.domain.periods import PeriodKind, period_of

if TYPE_CHECKING:
    from lianxin.assessment.api.org_unit import OrgUnitType

OrgUnitRef = Annotated["OrgUnitType", strawberry.lazy("lianxin.assessment.api.org_unit")]
_PERIOD = {"day": PeriodKind.DAY, "week": PeriodKind.WEEK, "month": PeriodKind.MONTH}


def org_unit_ref(unit_id: object) -> OrgUnitType | None:
    from lianxin.assessment.api.org_unit import OrgUnitType
    return OrgUnitType(id=strawberry.ID(str(unit_id))) if unit_id is not None else None


@strawberry.type(name="MetricsRow", description="One group of a metrics result: its keys (only "
                 "the grouped ones are set) and the asked measures")
class MetricsRowType:
    org_unit: OrgUnitRef | None
    department: OrgUnitRef | None
    cadre: CadreType | None
    category: str | None
    kind: str | None
    channel: str | None
    ledger: str | None
    period: PeriodType | None
    values: list[MeasureValue]
    updated_at: dt.datetime | None = strawberry.field(description=(
        "When an event last changed these figures (a late rating updates a closed month "
        "visibly)"))


@strawberry.type
class MetricsResult:
    rows: list[MetricsRowType]
    cube: str = strawberry.field(description="The rollup that answered: unit_month, unit_day, "
                                             "detail_day, department_day or cadre_day")
    updated_at: dt.datetime | None


@strawberry.type
class TrendPoint:
    period: PeriodType
    value: float | None
    numerator: float
    denominator: float


@strawberry.type
class Trend:
    measure: Measure
    granularity: Granularity
    points: list[TrendPoint] = strawberry.field(description=(
        "Every period of the range in order, zero or null where nothing was counted"))
    updated_at: dt.datetime | None


@strawberry.type
class CsvDocument:
    filename: str
    media_type: str
    text: str = strawberry.field(description="UTF-8 with a byte-order mark (Excel reads the 中文 "
                                             "headers), CRLF line ends")


def _row(q: MetricsQuery, row: MetricsRow) -> MetricsRowType:
    k = row.keys
    time = next((g for g in q.group_by if g in _PERIOD), None)
    when = k.get(time) if time else None

    def upper(name: str) -> str | None:
        return str(k[name]).upper() if k.get(name) is not None else None

    return MetricsRowType(
        org_unit=org_unit_ref(k.get("org_unit")), department=org_unit_ref(k.get("department")),
        cadre=CadreType(id=strawberry.ID(str(k["cadre"]))) if k.get("cadre") else None,
        category=str(k["category"]) if k.get("category") is not None else None,
        kind=upper("kind"), channel=upper("channel"), ledger=upper("ledger"),
        period=period_type(period_of(_PERIOD[time], when))
        if time and isinstance(when, dt.date) else None,
        values=measure_values(row.values, q.measures), updated_at=row.updated_at)


async def _rows(info: GqlInfo, f: MetricsFilter, group_by: list[MetricsDimension],
                measures: list[Measure]) -> tuple[MetricsQuery, list[MetricsRow], dict[uuid.UUID, str]]:
    viewer = info.context.require(*READER_ROLES)
    q = to_query(info, f, group_by, [m.name for m in measures])
    async with store(info) as s:
        q = await scoped_query(s, viewer, q)
        rows = visible_rows(viewer, await compute(s, q))
        named = {v for r in rows for d in ("org_unit", "department")
                 if isinstance(v := r.keys.get(d), uuid.UUID)}
        names = {u: unit.name for u, unit in (await s.units(named)).items()}
    return q, rows, names


@strawberry.type
class Query:
    @strawberry.field(description="Measures over a slice of tickets, grouped. Answered from the "
                                  "smallest rollup holding every filtered and grouped dimension, "
                                  "never from the facts")
    async def metrics(self, info: GqlInfo, *, filter: MetricsFilter,
                      group_by: list[MetricsDimension] = (),  # type: ignore[assignment]
                      measures: list[Measure]) -> MetricsResult:
        q, rows, _ = await _rows(info, filter, group_by, measures)
        return MetricsResult(rows=[_row(q, r) for r in rows], cube=choose_cube(q),
                             updated_at=newest(rows))

    @strawberry.field(description="One measure per day, week or month over the filter's range")
    async def trend(self, info: GqlInfo, filter: MetricsFilter, measure: Measure,
                    granularity: Granularity) -> Trend:
        viewer = info.context.require(*READER_ROLES)
        q = to_query(info, filter, [], [measure.name])
        async with store(info) as s:
            points = await trend_series(s, await scoped_query(s, viewer, q), measure.name,
                                        granularity.value)
        return Trend(measure=measure, granularity=granularity, points=[
            TrendPoint(period=period_type(p.period), value=finite(p.value[0]), numerator=p.value[1],
                       denominator=p.value[2]) for p in points],
            updated_at=max((p.updated_at for p in points if p.updated_at), default=None))

    @strawberry.field(description="The `metrics` result as a CSV file: a header row of "
                                  "dimension names and measure labels, then one line per row")
    async def metrics_csv(self, info: GqlInfo, *, filter: MetricsFilter,
                          group_by: list[MetricsDimension] = (),  # type: ignore[assignment]
                          measures: list[Measure]) -> CsvDocument:
        q, rows, names = await _rows(info, filter, group_by, measures)
        period = period_of_filter(filter)
        return CsvDocument(filename=export.filename(q, period.label if period else None),
                           media_type=export.MEDIA_TYPE, text=export.to_csv(q, rows, names))

    @strawberry.field(description="Every measure with its 中文 label, unit and written definition")
    def measure_definitions(self) -> list[MeasureDefinition]:
        return [MeasureDefinition(measure=Measure[m.name], label=m.label, unit=m.unit,
                                  definition=m.definition) for m in MEASURES.values()]


TYPES = [MetricsResult, Trend, CsvDocument]
